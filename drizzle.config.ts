/**
 * `npx drizzle-kit generate` writes SQL migrations for schema/index.ts into
 * schema/migrations, where wrangler (`d1 migrations apply`) and the tests read them.
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/index.ts",
  out: "./schema/migrations",
});
