/**
 * examples/ never rots: the built CLI's `caracal test` runs every example's tests (and each must
 * have some, all passing), and every example's policy compiles as `caracal policy create` uploads
 * it — the decision-contract checks included, with no warning.
 */
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assembleBundle } from "../../workers/bundle/bundle.js";
import { compileBundle, compilePolicy } from "../../workers/policy/compile.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CARACAL = join(ROOT, "bin/caracal.js");

/** Each example: the arguments `caracal test` takes for it (as its README says) and how it is uploaded. */
const EXAMPLES: { dir: string; test: string[]; upload: { files: string[] } | { bundle: string } }[] = [
  { dir: "payments", test: ["examples/payments"], upload: { files: ["payments.rego"] } },
  { dir: "rbac", test: ["-b", "examples/rbac/bundle"], upload: { bundle: "bundle" } },
  { dir: "delegation", test: ["examples/delegation"], upload: { files: ["delegation.rego"] } },
  { dir: "two-policy-set", test: ["examples/two-policy-set"], upload: { files: ["break-glass.rego", "standard.rego"] } },
];

interface OpaTestResult {
  package: string;
  name: string;
  fail?: boolean;
  error?: unknown;
  skip?: boolean;
}

function caracal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CARACAL, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function filesUnder(dir: string): Promise<{ path: string; content: string }[]> {
  const out: { path: string; content: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out.push({ path: relative(dir, full), content: await readFile(full, "utf8") });
  }
  return out;
}

it("covers every folder of examples/", async () => {
  const folders = (await readdir(join(ROOT, "examples"), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  expect(folders.sort()).toEqual(EXAMPLES.map((e) => e.dir).sort());
});

describe.each(EXAMPLES)("examples/$dir", ({ dir, test, upload }) => {
  it("passes caracal test", async () => {
    const res = await caracal(["test", "--format", "json", ...test]);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const results = JSON.parse(res.stdout) as OpaTestResult[];
    expect(results.length).toBeGreaterThan(0);
    const bad = results.filter((r) => r.fail || r.error !== undefined || r.skip);
    expect(bad, JSON.stringify(bad)).toEqual([]);
  });

  it("compiles as its upload, within the decision contract and without warnings", async () => {
    const folder = join(ROOT, "examples", dir);
    if ("files" in upload) {
      for (const file of upload.files) {
        const compiled = compilePolicy({ file, source: await readFile(join(folder, file), "utf8"), regoVersion: 1 });
        expect(compiled, file).toMatchObject({ ok: true, warnings: [] });
      }
    } else {
      const bundle = await assembleBundle(await filesUnder(join(folder, upload.bundle)), "files");
      const compiled = compileBundle(bundle, { regoVersion: bundle.manifest?.regoVersion ?? 1 });
      expect(compiled).toMatchObject({ ok: true, package: "rbac", warnings: [] });
    }
  });
});
