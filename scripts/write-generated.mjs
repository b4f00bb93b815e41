// Writes a generated module atomically (a temporary file renamed over it), and only when its text
// changed. Every `wrangler dev` runs the [build] command twice as it starts, and the end-to-end
// tests start several local stacks on one checkout at once: a stack bundling the Worker while
// another rewrote these files in place could read half a file.
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export function writeGenerated(path, text) {
  let current;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = undefined;
  }
  if (current === text) return;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
