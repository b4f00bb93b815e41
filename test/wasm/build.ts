/**
 * Assembles the hand-written OPA-ABI test module (authz.wat: a stand-in for `opa build -t wasm`
 * output, see its header) with wabt's wat2wasm and derives the variants the tests need by
 * replacing one constant each. Runs in Node (vitest.config.ts, bench), never in the Worker.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Beside this file, or (when a bench bundles it elsewhere) under the working directory.
const BESIDE = fileURLToPath(new URL("./authz.wat", import.meta.url));
const SOURCE = existsSync(BESIDE) ? BESIDE : join(process.cwd(), "test/wasm/authz.wat");
const BUILTINS = String.raw`"{\"units.parse\":0}\00"`;
const ENTRYPOINTS = String.raw`"{\"authz/allow\":0,\"authz/deny\":1,\"authz/ttl\":2}\00"`;
const MINOR = `(global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))`;
const MAJOR = `(global (export "opa_wasm_abi_version") i32 (i32.const 1))`;

/** name → a replacement of the source text (identity for the module itself) */
const VARIANTS: Record<string, (wat: string) => string> = {
  authz: (w) => w,
  // The same policy at ABI 1.1: the SDK takes its older opa_eval_ctx_* + eval path.
  "authz-abi-1-1": (w) => swap(w, MINOR, MINOR.replace("(i32.const 2)", "(i32.const 1)")),
  // Imports a built-in neither the SDK nor the engine serves (refused for every policy).
  "needs-http-send": (w) => swap(w, BUILTINS, String.raw`"{\"http.send\":1,\"units.parse\":0}\00"`),
  // Imports a built-in the engine serves only asynchronously (WebCrypto).
  "needs-jwt-verify": (w) => swap(w, BUILTINS, String.raw`"{\"io.jwt.verify_es256\":1,\"units.parse\":0}\00"`),
  // Imports a built-in the SDK serves itself.
  "needs-sprintf": (w) => swap(w, BUILTINS, String.raw`"{\"sprintf\":1,\"units.parse\":0}\00"`),
  // Has no authz/allow entrypoint.
  "no-allow": (w) => swap(w, ENTRYPOINTS, String.raw`"{\"authz/deny\":1,\"authz/ttl\":2}\00"`),
  // Claims ABI 2.
  "abi-2": (w) => swap(w, MAJOR, MAJOR.replace("(i32.const 1)", "(i32.const 2)")),
};

function swap(wat: string, from: string, to: string): string {
  if (!wat.includes(from)) throw new Error(`test/wasm/authz.wat no longer contains ${from}`);
  return wat.replace(from, to);
}

/** Every test module as bytes, by name. Needs `wat2wasm` (Debian's wabt). */
export function buildTestModules(): Record<string, Uint8Array> {
  const wat = readFileSync(SOURCE, "utf8");
  const dir = mkdtempSync(join(tmpdir(), "caracal-wat-"));
  try {
    const out: Record<string, Uint8Array> = {};
    for (const [name, variant] of Object.entries(VARIANTS)) {
      const src = join(dir, `${name}.wat`);
      const bin = join(dir, `${name}.wasm`);
      writeFileSync(src, variant(wat));
      execFileSync("wat2wasm", [src, "-o", bin], { stdio: ["ignore", "ignore", "pipe"] });
      out[name] = new Uint8Array(readFileSync(bin));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same modules base64-encoded, for a Worker binding. */
export function testModulesBase64(): Record<string, string> {
  return Object.fromEntries(Object.entries(buildTestModules()).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
}
