import { defineConfig } from 'drizzle-kit';

/** drizzle-kit settings for PostgreSQL: `npm run db:generate:pg` writes a migration into drizzle-pg/ from src/db/pg/tables.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/tables.ts',
  out: './drizzle-pg',
});
