/**
 * The STS side of OPA-Wasm policies: one Dynamic Worker (Worker Loader
 * binding) per Wasm bundle, keyed by the bundle's SHA-256, so the isolate's
 * loader cache is its per-zone bundle cache and a bundle shared by zones is
 * loaded once. The child gets no outbound network and a CPU limit; a child
 * that fails to load, throws, exceeds its limit or does not answer in time
 * fails the policy closed (the caller's decision is an error, never an allow)
 * and touches no other bundle's child. See docs/architecture.md §9.
 */
import childSource from "./child-bundle.gen.js";
import type { ChildDecision, ChildDescription, DecideRequest } from "./protocol.js";

/** What the loader needs to build a child: the module bytes and the bundle's data document. */
export interface WasmBundleCode {
  wasm: ArrayBuffer;
  /** the bundle's data document (data.json, merged at its roots) */
  data: unknown;
}

export interface WasmLimits {
  /** CPU milliseconds one call into the child may use */
  cpuMs: number;
  /** wall-clock milliseconds the STS waits for an answer before failing closed */
  timeoutMs: number;
}

export const DEFAULT_WASM_LIMITS: WasmLimits = { cpuMs: 50, timeoutMs: 1000 };
/** Creation loads the module cold and is no exchange's latency: it may wait longer. */
const DESCRIBE_TIMEOUT_MS = 30_000;

export function wasmLimits(cpuMs: string | undefined, timeoutMs: string | undefined): WasmLimits {
  const positive = (v: string | undefined, fallback: number) => {
    const n = Number(v);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return { cpuMs: positive(cpuMs, DEFAULT_WASM_LIMITS.cpuMs), timeoutMs: positive(timeoutMs, DEFAULT_WASM_LIMITS.timeoutMs) };
}

/** The compatibility date the child runs with (the Worker's own, wrangler.toml). */
const CHILD_COMPATIBILITY_DATE = "2026-04-20";

/** Thrown when a child cannot answer: it failed to load, crashed, exceeded its limits or timed out. */
export class WasmChildError extends Error {
  constructor(
    readonly code: "wasm_unavailable" | "wasm_child_failed" | "wasm_timeout",
    message: string,
  ) {
    super(message);
    this.name = "WasmChildError";
  }
}

interface ChildEntrypoint {
  describe(): Promise<ChildDescription>;
  decide(request: DecideRequest): Promise<ChildDecision>;
}

export function childCode(code: WasmBundleCode, limits: WasmLimits): WorkerLoaderWorkerCode {
  return {
    compatibilityDate: CHILD_COMPATIBILITY_DATE,
    mainModule: "child.js",
    modules: {
      "child.js": { js: childSource },
      "caracal-wasm-policy.wasm": { wasm: code.wasm },
      "caracal-wasm-data.json": { json: code.data ?? {} },
    },
    // No fetch() and no connect() from policy code.
    globalOutbound: null,
    limits: { cpuMs: limits.cpuMs },
  };
}

/** The child for bundle `sha256`; `code` runs only when this isolate has not loaded it yet. */
function child(loader: WorkerLoader, sha256: string, code: () => Promise<WasmBundleCode> | WasmBundleCode, limits: WasmLimits) {
  const stub = loader.get(`opa-wasm:${sha256}`, async () => childCode(await code(), limits));
  return stub.getEntrypoint() as unknown as ChildEntrypoint;
}

async function answer<T>(what: string, call: () => Promise<T>, limits: WasmLimits): Promise<T> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WasmChildError("wasm_timeout", `${what}: the Wasm policy did not answer within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
  });
  try {
    const result = await Promise.race([call(), deadline]);
    // A child that held the thread (workerd locally enforces no CPU limit) answers after the
    // timer was due: too late is a timeout all the same. The clock advances with the answer.
    if (Date.now() - started > limits.timeoutMs)
      throw new WasmChildError("wasm_timeout", `${what}: the Wasm policy did not answer within ${limits.timeoutMs} ms`);
    return result;
  } catch (err) {
    if (err instanceof WasmChildError) throw err;
    throw new WasmChildError("wasm_child_failed", `${what}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

export async function describeWasm(
  loader: WorkerLoader,
  sha256: string,
  code: WasmBundleCode,
  limits: WasmLimits = DEFAULT_WASM_LIMITS,
): Promise<ChildDescription> {
  const patient = { ...limits, timeoutMs: Math.max(limits.timeoutMs, DESCRIBE_TIMEOUT_MS) };
  return answer("loading the Wasm module", () => child(loader, sha256, () => code, limits).describe(), patient);
}

export async function decideWasm(
  loader: WorkerLoader,
  sha256: string,
  code: () => Promise<WasmBundleCode>,
  request: DecideRequest,
  limits: WasmLimits = DEFAULT_WASM_LIMITS,
): Promise<ChildDecision> {
  return answer("evaluating the Wasm policy", () => child(loader, sha256, code, limits).decide(request), limits);
}
