/**
 * The engine's built-ins offered to another evaluator (OPA-compiled Wasm run
 * by @open-policy-agent/opa-wasm, whose `customBuiltins` calls back
 * synchronously with plain JSON arguments). Each call is one evaluation of
 * one built-in: a fixed clock, strict errors, its own step budget. Built-ins
 * that must wait on WebCrypto cannot be served this way, and neither can the
 * ones refused for every policy (network, host, randomness, sleeping).
 */
import { BuiltinError, FORBIDDEN_BUILTINS, getBuiltin, Suspend, type BuiltinContext } from "./builtins/index.js";
import { RegoError } from "./errors.js";
import { fromJS, toJSONText, type Value } from "./value/index.js";

/**
 * Built-ins whose implementations call WebCrypto through `awaitAsync` (asymmetric JWT
 * signatures, certificate chains and key pairs): a synchronous caller cannot wait for them.
 */
const ASYNC_ONLY = [
  /^io\.jwt\.verify_(rs|ps|es)\d+$/,
  /^io\.jwt\.verify_eddsa$/,
  /^io\.jwt\.decode_verify$/,
  /^io\.jwt\.encode_sign(_raw)?$/,
  /^crypto\.x509\.parse_and_verify_certificates(_with_options)?$/,
  /^crypto\.x509\.parse_keypair$/,
];

/** Why the engine cannot serve `name` synchronously, or null when it can. */
export function syncBuiltinUnavailable(name: string): string | null {
  const forbidden = FORBIDDEN_BUILTINS.get(name);
  if (forbidden) return forbidden;
  if (!getBuiltin(name)) return "the engine has no such built-in";
  if (ASYNC_ONLY.some((re) => re.test(name))) return "it needs asynchronous work (WebCrypto), which a synchronous caller cannot wait for";
  return null;
}

export interface SyncBuiltinOptions {
  /** time.now_ns() for the call */
  nowNs: bigint;
  /** steps the call may charge before it fails with eval_budget_exceeded */
  budget: number;
}

/**
 * Calls built-in `name` with JSON arguments and returns its JSON result (undefined when the
 * result is undefined). Errors are RegoErrors with OPA's codes, prefixed with the name.
 */
export function callBuiltinJSON(name: string, args: unknown[], options: SyncBuiltinOptions): unknown {
  const unavailable = syncBuiltinUnavailable(name);
  if (unavailable) throw new RegoError("eval_builtin_error", `${name}: not available: ${unavailable}`);
  const fn = getBuiltin(name) as NonNullable<ReturnType<typeof getBuiltin>>;
  let steps = 0;
  let cache: Map<string, unknown> | undefined;
  const ctx: BuiltinContext = {
    nowNs: options.nowNs,
    strict: true,
    get cache() {
      return (cache ??= new Map());
    },
    awaitAsync() {
      throw new BuiltinError("eval_builtin_error", "needs asynchronous work (WebCrypto), which a synchronous caller cannot wait for");
    },
    charge(n: number) {
      steps += n;
      if (steps > options.budget) throw new RegoError("eval_budget_exceeded", `${name}: exceeded its budget of ${options.budget} steps`);
    },
    // One call: every pattern it compiles is new to it.
    chargeCompile(_cache, _key, n) {
      ctx.charge(n);
    },
    callBuiltin(inner: string, innerArgs: Value[]) {
      const f = getBuiltin(inner);
      if (!f) throw new BuiltinError("eval_builtin_error", `unknown built-in ${inner}`);
      return f(innerArgs, ctx);
    },
  };
  let result: Value | undefined;
  try {
    result = fn(args.map(fromJS), ctx);
  } catch (e) {
    if (e instanceof RegoError) throw e;
    if (e instanceof BuiltinError) throw new RegoError(e.code, `${name}: ${e.message}`);
    if (e instanceof Suspend) throw new RegoError("eval_builtin_error", `${name}: needs asynchronous work`);
    throw new RegoError("eval_builtin_error", `${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return result === undefined ? undefined : JSON.parse(toJSONText(result));
}
