/**
 * Calling built-ins directly in unit tests: a context with no async work (or
 * one that settles it, for the WebCrypto built-ins), and helpers for results
 * and failures.
 */
import { BuiltinError, Suspend, getBuiltin, type BuiltinContext } from "../../../workers/rego/builtins/index.js";
import { toJSONText, type Value } from "../../../workers/rego/value/index.js";

export function testContext(overrides: Partial<BuiltinContext> = {}): BuiltinContext {
  return {
    nowNs: 0n,
    strict: true,
    cache: new Map(),
    charge: () => {},
    chargeCompile: () => {},
    awaitAsync: () => {
      throw new Error("no asynchronous work expected");
    },
    callBuiltin: (name, args) => builtin(name)(args, testContext(overrides)),
    ...overrides,
  };
}

export function builtin(name: string) {
  const fn = getBuiltin(name);
  if (!fn) throw new Error(`no built-in ${name}`);
  return fn;
}

/** Calls a built-in synchronously with a fresh test context. */
export function call(name: string, ...args: Value[]): Value | undefined {
  return builtin(name)(args, testContext());
}

/** Calls a built-in that may await WebCrypto, re-running it until its async work has settled (as the evaluator does). */
export async function callAsync(name: string, args: Value[], overrides: Partial<BuiltinContext> = {}): Promise<Value | undefined> {
  const settled = new Map<string, { ok: boolean; value: unknown }>();
  for (;;) {
    const ctx = testContext({
      ...overrides,
      awaitAsync<T>(key: string, _steps: number, start: () => Promise<T>): T {
        const s = settled.get(key);
        if (s) {
          if (s.ok) return s.value as T;
          throw s.value;
        }
        throw new Suspend(
          start().then(
            (value) => void settled.set(key, { ok: true, value }),
            (value: unknown) => void settled.set(key, { ok: false, value }),
          ),
        );
      },
    });
    try {
      return builtin(name)(args, ctx);
    } catch (e) {
      if (!(e instanceof Suspend)) throw e;
      await e.pending;
    }
  }
}

/** The error a built-in reports for these arguments (the test fails if it succeeds). */
export function failure(name: string, ...args: Value[]): { code: string; message: string } {
  try {
    call(name, ...args);
  } catch (e) {
    if (e instanceof BuiltinError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`${name} did not fail`);
}

/** The error as "code: message" (the test fails if the call succeeds). */
export function failureText(name: string, ...args: Value[]): string {
  const f = failure(name, ...args);
  return `${f.code}: ${f.message}`;
}

/** What a call gives, as text: its result as JSON, "undefined", or "code: message". */
export function outcome(name: string, args: Value[], overrides: Partial<BuiltinContext> = {}): string {
  try {
    const r = builtin(name)(args, testContext(overrides));
    return r === undefined ? "undefined" : toJSONText(r);
  } catch (e) {
    if (e instanceof BuiltinError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

/** The error of an asynchronous call (the test fails if it succeeds). */
export async function failureAsync(
  name: string,
  args: Value[],
  overrides: Partial<BuiltinContext> = {},
): Promise<{ code: string; message: string }> {
  try {
    await callAsync(name, args, overrides);
  } catch (e) {
    if (e instanceof BuiltinError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`${name} did not fail`);
}
