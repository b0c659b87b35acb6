import { defineConfig } from 'drizzle-kit';

/** drizzle-kit settings: `npm run db:generate` writes a migration into drizzle/ from src/db/tables.ts. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/tables.ts',
  out: './drizzle',
});
