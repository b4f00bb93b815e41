/**
 * The child Worker that runs one OPA-compiled Wasm module with OPA's own SDK
 * (@open-policy-agent/opa-wasm). The STS loads it through the Worker Loader
 * binding with the module as `policy.wasm` and the bundle's data as
 * `data.json` in its modules map (workerd compiles the module as part of the
 * child's code: nothing here compiles Wasm from bytes). It is bundled on its own
 * (scripts/build-wasm-child.mjs) with the SDK and the engine's built-ins, which
 * serve, synchronously through the SDK's `customBuiltins`, every built-in the
 * module imports that the SDK lacks. See docs/architecture.md §9.
 */
import * as opaWasm from "@open-policy-agent/opa-wasm";
import { WorkerEntrypoint } from "cloudflare:workers";
// Given by the loader's modules map, never bundled.
import data from "caracal-wasm-data.json";
import policyModule from "caracal-wasm-policy.wasm";
import { callBuiltinJSON } from "../rego/index.js";
import { type ChildDecision, type ChildDescription, type ChildError, type DecideRequest, SDK_BUILTINS } from "./protocol.js";
import { DECISION_RULES, type DecisionRule } from "../policy/decision-rules.js";

interface LoadedPolicy {
  entrypoints: Record<string, number>;
  minorVersion: number | undefined;
  mem: WebAssembly.Memory;
  wasmInstance: WebAssembly.Instance;
  evaluate(input: unknown, entrypoint: string): unknown;
  setData(data: unknown): void;
}
// The SDK's ESM build exports its functions on a default object (its types declare named exports).
const sdk = (opaWasm as unknown as { default: unknown }).default as {
  loadPolicySync(module: WebAssembly.Module, memory: WebAssembly.MemoryDescriptor | undefined, builtins: object): LoadedPolicy;
};

/** What the current call lets built-ins use: the request's clock and a step budget. */
let callOptions = { nowNs: 0n, budget: 100_000 };

/** Every name resolves, so the SDK finds our implementation for whatever the module imports. */
const customBuiltins = new Proxy(
  {},
  {
    get(_target, name) {
      if (typeof name !== "string") return undefined;
      return (...args: unknown[]) => callBuiltinJSON(name, args, callOptions);
    },
  },
);

let loaded: { policy: LoadedPolicy; builtins: string[] } | { error: ChildError } | undefined;

function load(): { policy: LoadedPolicy; builtins: string[] } {
  if (loaded === undefined) {
    try {
      const policy = sdk.loadPolicySync(policyModule, undefined, customBuiltins);
      const builtins = moduleBuiltins(policy);
      policy.setData(data);
      loaded = { policy, builtins };
    } catch (err) {
      // Whatever the SDK threw while loading (an ABI it refuses, a trap at start) is a load failure.
      loaded = { error: { ...childError(err, "wasm_load_error", null), code: "wasm_load_error" } };
    }
  }
  if ("error" in loaded) throw new ChildFailure(loaded.error);
  return loaded;
}

/** The names in the module's own `builtins()` map, read through its memory like the SDK does. */
function moduleBuiltins(policy: LoadedPolicy): string[] {
  const exports = policy.wasmInstance.exports as Record<string, (...args: number[]) => number>;
  const addr = (exports.opa_json_dump as (v: number) => number)((exports.builtins as () => number)());
  const bytes = new Uint8Array(policy.mem.buffer);
  let end = addr;
  while (bytes[end] !== 0 && end < bytes.length) end++;
  const map = JSON.parse(new TextDecoder().decode(bytes.subarray(addr, end))) as Record<string, number>;
  return Object.keys(map).sort();
}

class ChildFailure extends Error {
  constructor(readonly error: ChildError) {
    super(error.message);
  }
}

/** The SDK throws strings (opa_abort, a conflict, a bad entrypoint), plain objects (a missing built-in) and Errors. */
function childError(err: unknown, fallback: string, entrypoint: string | null): ChildError {
  if (err instanceof ChildFailure) return err.error;
  const e = err as { code?: unknown; message?: unknown } | string | null;
  const message = typeof e === "string" ? e : typeof e?.message === "string" ? e.message : err instanceof Error ? err.message : String(err);
  let code = fallback;
  if (e !== null && typeof e === "object" && typeof e.code === "string" && /^eval_/.test(e.code)) code = e.code;
  else if (/conflict/i.test(message)) code = "eval_conflict_error";
  else if (/^not implemented: built-in/.test(message)) code = "eval_builtin_error";
  else if (typeof e === "string") code = "wasm_abort";
  return { code, message, entrypoint };
}

export default class OpaWasmChild extends WorkerEntrypoint {
  /** What creation checks: the module's ABI, entrypoints and the built-ins it imports. */
  describe(): ChildDescription {
    try {
      const { policy, builtins } = load();
      const exports = policy.wasmInstance.exports as Record<string, unknown>;
      const abi = (name: string) => {
        const g = exports[name];
        return g instanceof WebAssembly.Global ? Number(g.value) : null;
      };
      return {
        ok: true,
        abiVersion: abi("opa_wasm_abi_version"),
        abiMinorVersion: abi("opa_wasm_abi_minor_version"),
        entrypoints: Object.keys(policy.entrypoints).sort(),
        builtins,
        sdkBuiltins: builtins.filter((b) => SDK_BUILTINS.includes(b)),
      };
    } catch (err) {
      return { ok: false, error: childError(err, "wasm_load_error", null) };
    }
  }

  /** One call per policy per exchange: every decision rule the module defines, as JSON values. */
  decide(request: DecideRequest): ChildDecision {
    let current: string | null = null;
    try {
      const { policy } = load();
      callOptions = { nowNs: BigInt(request.nowNs), budget: request.budget };
      const input = new TextEncoder().encode(request.input).buffer;
      const values: Partial<Record<DecisionRule, unknown>> = {};
      for (const rule of DECISION_RULES) {
        const entrypoint = `${request.packagePath}/${rule}`;
        if (!Object.hasOwn(policy.entrypoints, entrypoint)) continue;
        current = entrypoint;
        const resultSet = policy.evaluate(input, entrypoint);
        // A result set of one row `{result}`; an empty set is an undefined rule.
        if (Array.isArray(resultSet) && resultSet.length > 0) values[rule] = (resultSet[0] as { result?: unknown }).result;
      }
      return { ok: true, values };
    } catch (err) {
      return { ok: false, error: childError(err, "wasm_error", current) };
    }
  }
}
