/**
 * The console's engine side (see engine-api.d.ts): the Worker's own code, bundled for the browser.
 * No DOM here, and no copy of any rule: compile is the upload's compile step, evaluation is the
 * STS's evaluateSet over a set of one policy.
 */
import { assembleBundle } from "../workers/bundle/bundle.js";
import { readArchive } from "../workers/bundle/tar.js";
import { compileBundle } from "../workers/policy/compile.js";
import { formatError, parseJSON, prepare, RObject, type Value } from "../workers/rego/index.js";
import { evaluateSet } from "../workers/sts/decision.js";
import type * as Api from "./engine-api.js";

const utf8 = new TextDecoder();

export const readBundleFiles: typeof Api.readBundleFiles = async (archive) =>
  (await readArchive(archive))
    .map((e) => ({ path: e.path.replace(/^\/+/, ""), content: utf8.decode(e.bytes) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

export const evaluatePolicy: typeof Api.evaluatePolicy = async (files, regoVersion, pkg, inputText) => {
  let input: Value;
  try {
    input = parseJSON(inputText);
  } catch (err) {
    return { kind: "input_error", message: err instanceof Error ? err.message : String(err) };
  }
  try {
    const bundle = await assembleBundle(files, "files");
    const compiled = compileBundle(bundle, { regoVersion, ...(pkg ? { package: pkg } : {}) });
    if (!compiled.ok) return { kind: "compile_error", errors: compiled.errors.map(formatError) };
    const policy = {
      policyId: "playground",
      policyVersionId: "playground",
      policyName: "playground",
      package: compiled.package,
      prepared: prepare(compiled.plan),
      data: bundle.data,
      revision: null,
    };
    const started = performance.now();
    const decision = await evaluateSet({ policySetId: "playground", policySetVersionId: "playground", policies: [policy] }, input, {
      nowNs: requestTimeNs(input),
    });
    return { kind: "decision", decision, ms: performance.now() - started };
  } catch (err) {
    // Bundle layout errors (BundleError) and decision-contract violations (ContractViolation) are refusals, as on upload.
    return { kind: "refused", message: err instanceof Error ? err.message : String(err) };
  }
};

/** time.now_ns() as the STS gives it: the input's request.time_ns (the recorded instant), else now. */
function requestTimeNs(input: Value): bigint {
  const request = input instanceof RObject ? input.getString("request") : undefined;
  const ns = request instanceof RObject ? request.getString("time_ns") : undefined;
  if (typeof ns === "bigint") return ns;
  if (typeof ns === "number" && Number.isSafeInteger(ns)) return BigInt(ns);
  return BigInt(Date.now()) * 1_000_000n;
}
