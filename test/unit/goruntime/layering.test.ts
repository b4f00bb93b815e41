import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../../workers/rego/goruntime");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

// goruntime reproduces Go's standard library for the built-ins; it is a leaf,
// so the value model may use it (for strconv.Quote) without a cycle.
describe("workers/rego/goruntime", () => {
  it("imports nothing of the project outside itself", () => {
    const files = sources(ROOT);
    expect(files.length).toBeGreaterThan(10);
    const outside: string[] = [];
    for (const file of files) {
      for (const m of readFileSync(file, "utf8").matchAll(/\bfrom\s+"(\.[^"]+)"/g)) {
        const target = resolve(dirname(file), m[1] as string);
        if (relative(ROOT, target).startsWith("..")) outside.push(`${relative(ROOT, file)} → ${m[1]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
