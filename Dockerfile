# cairn's image, the one deploy/ runs (README, "Run it in a cluster"):
#   docker build -t cairn:0.1.0 .
# test/k8s/image.k8s.ts (npm run test:k8s) follows this file's npm steps and its start in a clean directory
# (no container engine there): keep each step on one RUN line.

# Build: every dependency (npm ci runs `prepare`, which builds dist/), then only the production ones.
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits: the toolchain stays in this stage.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

# Run: the built server, its migrations and the production dependencies; no compiler, no npm cache, not root.
# dist/ also holds the persisted-operation manifests (dist/persisted/, copied by `npm run build`): cairn finds
# them from its package root, so CAIRN_PERSISTED_ONLY=true works for the console without console/ in the image.
FROM node:20-slim
ENV NODE_ENV=production CAIRN_HOST=0.0.0.0 CAIRN_PORT=4000 CAIRN_DATABASE=/var/lib/cairn/cairn.db
WORKDIR /app
RUN mkdir -p /var/lib/cairn && chown 1000:1000 /var/lib/cairn
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/drizzle ./drizzle
COPY --from=build /app/drizzle-pg ./drizzle-pg
# The node image's unprivileged user (deploy/ runs it with a read-only root filesystem).
USER 1000:1000
EXPOSE 4000
CMD ["node", "--enable-source-maps", "dist/main.js"]
