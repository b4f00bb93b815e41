/**
 * The parts of OPA-Wasm support that need no Worker: reading a module's binary for OPA's ABI,
 * the list of built-ins the SDK serves itself (checked against the installed SDK), and the
 * engine's built-ins as the SDK's customBuiltins call them. The test modules are hand-written
 * stand-ins for `opa build -t wasm` output (test/wasm/authz.wat).
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { callBuiltinJSON, syncBuiltinUnavailable } from "../../../workers/rego/index.js";
import { checkOpaAbi, readWasmModule } from "../../../workers/wasm/abi.js";
import { SDK_BUILTINS } from "../../../workers/wasm/protocol.js";
import { buildTestModules } from "../../wasm/build.js";

const modules = buildTestModules();
const module = (name: string) => modules[name] as Uint8Array;

describe("reading OPA Wasm modules", () => {
  it("finds the imports, exports and ABI globals of an OPA ABI 1.2 module", () => {
    const info = readWasmModule(module("authz"));
    expect(info.imports.map((i) => `${i.kind} ${i.module}.${i.name}`)).toEqual([
      "memory env.memory",
      "func env.opa_abort",
      "func env.opa_println",
      "func env.opa_builtin0",
      "func env.opa_builtin1",
      "func env.opa_builtin2",
      "func env.opa_builtin3",
      "func env.opa_builtin4",
    ]);
    expect(info.exports.map((e) => e.name)).toEqual(expect.arrayContaining(["opa_eval", "eval", "builtins", "entrypoints", "opa_malloc"]));
    expect(checkOpaAbi(module("authz"))).toEqual({ ok: true, abi: { abiVersion: 1, abiMinorVersion: 2 } });
    expect(checkOpaAbi(module("authz-abi-1-1"))).toEqual({ ok: true, abi: { abiVersion: 1, abiMinorVersion: 1 } });
  });

  it("names every way a module misses the ABI", () => {
    expect(checkOpaAbi(module("abi-2"))).toEqual({ ok: false, problems: ["is OPA Wasm ABI 2.x; only 1.x is supported"] });
    expect(checkOpaAbi(new TextEncoder().encode("nope"))).toEqual({ ok: false, problems: ["not a WebAssembly binary (version 1)"] });
    const truncated = module("authz").slice(0, 40);
    expect(checkOpaAbi(truncated)).toMatchObject({ ok: false, problems: [expect.stringMatching(/past the end|unexpected end/)] });
    const bare = checkOpaAbi(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(bare.ok).toBe(false);
    if (!bare.ok) {
      expect(bare.problems).toContain("does not import its memory as env.memory");
      expect(bare.problems).toContain("does not export global opa_wasm_abi_version");
    }
  });
});

describe("built-ins for OPA-Wasm modules", () => {
  it("lists exactly what the installed SDK implements itself", () => {
    const require = createRequire(import.meta.url);
    const sdkDir = require.resolve("@open-policy-agent/opa-wasm").replace(/index\.cjs$/, "");
    const sdk = require(`${sdkDir}builtins/index.js`) as Record<string, unknown>;
    expect([...SDK_BUILTINS].sort()).toEqual(Object.keys(sdk).sort());
  });

  it("serves the engine's built-ins with JSON in and out, and refuses what it cannot serve synchronously", () => {
    const options = { nowNs: 1_700_000_000_000_000_000n, budget: 10_000 };
    expect(callBuiltinJSON("units.parse", ["300"], options)).toBe(300);
    expect(callBuiltinJSON("object.get", [{ a: { b: 1 } }, ["a", "b"], 0], options)).toBe(1);
    expect(callBuiltinJSON("time.now_ns", [], options)).toBe(1.7e18);
    expect(() => callBuiltinJSON("units.parse", [5], options)).toThrow(/units\.parse/);
    expect(syncBuiltinUnavailable("units.parse")).toBeNull();
    expect(syncBuiltinUnavailable("http.send")).toMatch(/network/);
    expect(syncBuiltinUnavailable("io.jwt.verify_rs256")).toMatch(/asynchronous/);
    expect(syncBuiltinUnavailable("no.such.builtin")).toMatch(/no such built-in/);
    expect(() => callBuiltinJSON("http.send", [{}], options)).toThrow(/not available/);
  });
});
