/** drizzle-kit: `npm run db:generate` writes a SQL migration for every change of src/store/schema.ts. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
