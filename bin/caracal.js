#!/usr/bin/env node
// The `caracal` launcher: runs the CLI built into dist/cli/ (plain JavaScript, no transpiler at
// run time). `npm install` / `npm ci` build it through the `prepare` script; `npm run build`
// rebuilds it after editing cli/ or workers/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/cli/caracal.js", import.meta.url);
if (!existsSync(built)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  process.stderr.write(
    `caracal: the CLI is not built (${fileURLToPath(built)} is missing).\n` +
      `Build it with \`npm run build\` in ${root} (\`npm install\` builds it too).\n`,
  );
  process.exit(1);
}
await import(built.href);
