/**
 * Validation of an OPA-compiled Wasm bundle (`opa build -t wasm`) given as its
 * parts: `/policy.wasm`'s bytes, the data document and the `.manifest`. A
 * version is accepted only if the module is OPA Wasm ABI 1.x (read from its
 * binary), the decision package's entrypoints are there (`pkg/allow`, and
 * every decision rule the manifest names), and every built-in the module
 * imports is served by the SDK or, synchronously, by the engine. The module's
 * entrypoints and built-ins are only known by running it, so creation loads
 * it in its child Worker (which also proves that it loads) and asks. Refusals
 * are 422 problems naming each reason. See docs/architecture.md §9.
 */
import { Problem, type ProblemItem } from "../http/problem.js";
import { syncBuiltinUnavailable } from "../rego/index.js";
import { checkOpaAbi, type OpaAbi } from "./abi.js";
import { describeWasm, WasmChildError, type WasmLimits } from "./loader.js";
import { DECISION_RULES } from "../policy/decision-rules.js";
import { SDK_BUILTINS } from "./protocol.js";

/** D1 keeps a row under 2 MB; the module is stored base64 (issue 12's blob storage lifts this). */
export const MAX_WASM_BYTES = 1_400_000;
export const MAX_WASM_DATA_BYTES = 256 * 1024;

export interface WasmBundleParts {
  /** /policy.wasm */
  wasm: Uint8Array;
  /** the data document (/data.json), `{}` when the bundle has none */
  data: unknown;
  /** the parsed /.manifest, when the bundle has one */
  manifest?: unknown;
  /** the decision package when given explicitly (`authz`, `payments.v1`) */
  decisionPackage?: string;
  /** the version's identity: the bundle digest over its files (workers/bundle/bundle.ts), as for Rego bundles */
  digest: string;
}

export interface ValidatedWasmBundle {
  sha256: string;
  /** dotted, as Rego writes it: `payments.v1` */
  package: string;
  abi: OpaAbi;
  /** the module's entrypoints */
  entrypoints: string[];
  /** the built-ins it imports from the host */
  builtins: string[];
  /** the canonical JSON texts stored with the version */
  dataJSON: string;
  manifestJSON: string;
}

const POINTER_WASM = "/policy.wasm";
const POINTER_MANIFEST = "/.manifest";

export function wasmBundleInvalid(detail: string, errors: ProblemItem[]): Problem {
  return new Problem(422, "wasm-bundle-invalid", "Unprocessable Content", detail, errors);
}

export function wasmUnsupported(): Problem {
  return new Problem(
    422,
    "wasm-unsupported",
    "Unprocessable Content",
    'this deployment has no Worker Loader binding (LOADER, Dynamic Workers), which OPA-Wasm policy versions need; add [[worker_loaders]] binding = "LOADER" to wrangler.toml on an account with Dynamic Workers. Rego versions are unaffected.',
  );
}

/** The manifest's `wasm` entrypoints (`[{entrypoint, module}]`), checked for shape. */
function manifestEntrypoints(manifest: unknown, errors: ProblemItem[]): string[] {
  if (manifest === undefined) return [];
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    errors.push({ code: "invalid_manifest", message: ".manifest must be a JSON object", pointer: POINTER_MANIFEST });
    return [];
  }
  const wasm = (manifest as { wasm?: unknown }).wasm;
  if (wasm === undefined) return [];
  if (!Array.isArray(wasm)) {
    errors.push({
      code: "invalid_manifest",
      message: ".manifest's wasm must be an array of {entrypoint, module}",
      pointer: `${POINTER_MANIFEST}/wasm`,
    });
    return [];
  }
  const out: string[] = [];
  wasm.forEach((w, i) => {
    const e = w as { entrypoint?: unknown; module?: unknown };
    if (typeof e?.entrypoint !== "string" || (e.module !== undefined && typeof e.module !== "string")) {
      errors.push({
        code: "invalid_manifest",
        message: "each wasm entry needs a string entrypoint",
        pointer: `${POINTER_MANIFEST}/wasm/${i}`,
      });
    } else if (e.module !== undefined && e.module !== POINTER_WASM) {
      errors.push({
        code: "invalid_manifest",
        message: `only one module, ${POINTER_WASM}, is supported (got ${e.module})`,
        pointer: `${POINTER_MANIFEST}/wasm/${i}/module`,
      });
    } else out.push(e.entrypoint);
  });
  return out;
}

/** `authz/allow` → [`authz`, `allow`] when the last segment is a decision rule. */
function splitDecision(entrypoint: string): [string, string] | null {
  const cut = entrypoint.lastIndexOf("/");
  if (cut <= 0) return null;
  const rule = entrypoint.slice(cut + 1);
  return (DECISION_RULES as readonly string[]).includes(rule) ? [entrypoint.slice(0, cut), rule] : null;
}

/** The decision package: given, in the manifest's metadata, or the one package with allow or deny. */
function decisionPackagePath(parts: WasmBundleParts, entrypoints: string[], errors: ProblemItem[]): string | null {
  const metadata = (parts.manifest as { metadata?: { decision_package?: unknown } } | undefined)?.metadata;
  const named = parts.decisionPackage ?? (typeof metadata?.decision_package === "string" ? metadata.decision_package : undefined);
  if (named !== undefined) return named.replace(/^data\./, "").replaceAll(".", "/");
  const candidates = [
    ...new Set(entrypoints.map(splitDecision).flatMap((d) => (d && (d[1] === "allow" || d[1] === "deny") ? [d[0]] : []))),
  ];
  if (candidates.length === 1) return candidates[0] as string;
  errors.push({
    code: "no_decision_package",
    message:
      candidates.length === 0
        ? "no entrypoint is a decision rule (<package>/allow or <package>/deny); build with -e <package>/allow"
        : `several packages define allow or deny (${candidates.join(", ")}); name the decision package`,
    pointer: POINTER_WASM,
  });
  return null;
}

export async function validateWasmBundle(
  parts: WasmBundleParts,
  loader: WorkerLoader | undefined,
  limits: WasmLimits,
): Promise<ValidatedWasmBundle> {
  if (!loader) throw wasmUnsupported();
  if (parts.wasm.byteLength > MAX_WASM_BYTES) {
    throw new Problem(
      413,
      "payload-too-large",
      "Payload Too Large",
      `policy.wasm is limited to ${MAX_WASM_BYTES} bytes (got ${parts.wasm.byteLength})`,
    );
  }
  const errors: ProblemItem[] = [];
  const abi = checkOpaAbi(parts.wasm);
  if (!abi.ok) {
    throw wasmBundleInvalid(
      "policy.wasm is not an OPA Wasm ABI 1.x module",
      abi.problems.map((message) => ({ code: "wasm_abi", message: `policy.wasm ${message}`, pointer: POINTER_WASM })),
    );
  }
  if (parts.data === null || typeof parts.data !== "object" || Array.isArray(parts.data)) {
    errors.push({ code: "invalid_data", message: "data.json must be a JSON object", pointer: "/data.json" });
  }
  const dataJSON = JSON.stringify(parts.data ?? {});
  if (new TextEncoder().encode(dataJSON).length > MAX_WASM_DATA_BYTES)
    errors.push({ code: "invalid_data", message: `data.json is limited to ${MAX_WASM_DATA_BYTES} bytes`, pointer: "/data.json" });
  const fromManifest = manifestEntrypoints(parts.manifest, errors);
  const manifestJSON = JSON.stringify(parts.manifest ?? {});
  if (errors.length > 0) throw wasmBundleInvalid("the Wasm bundle is not valid", errors);

  const sha256 = parts.digest;

  let described: Awaited<ReturnType<typeof describeWasm>>;
  try {
    described = await describeWasm(loader, sha256, { wasm: parts.wasm.slice().buffer, data: parts.data }, limits);
  } catch (err) {
    const message = err instanceof WasmChildError ? err.message : String(err);
    throw wasmBundleInvalid("policy.wasm could not be loaded", [{ code: "wasm_load_error", message, pointer: POINTER_WASM }]);
  }
  if (!described.ok) {
    throw wasmBundleInvalid("policy.wasm could not be loaded", [
      { code: described.error.code, message: `the OPA SDK could not load policy.wasm: ${described.error.message}`, pointer: POINTER_WASM },
    ]);
  }

  const entrypoints = described.entrypoints;
  for (const e of fromManifest) {
    if (!entrypoints.includes(e))
      errors.push({
        code: "missing_entrypoint",
        message: `the manifest names entrypoint ${e}, which policy.wasm does not define`,
        pointer: POINTER_MANIFEST,
      });
  }
  const pkgPath = decisionPackagePath(parts, [...entrypoints, ...fromManifest], errors);
  if (pkgPath !== null) {
    if (!entrypoints.includes(`${pkgPath}/allow`))
      errors.push({
        code: "missing_entrypoint",
        message: `policy.wasm has no entrypoint ${pkgPath}/allow; build it with -e ${pkgPath}/allow (and -e ${pkgPath}/deny, ${pkgPath}/ttl, … for the rules the package defines)`,
        pointer: POINTER_WASM,
      });
    for (const e of fromManifest) {
      const d = splitDecision(e);
      if (d && d[0] !== pkgPath)
        errors.push({
          code: "missing_entrypoint",
          message: `entrypoint ${e} is outside the decision package ${pkgPath}`,
          pointer: POINTER_MANIFEST,
        });
    }
  }
  for (const name of described.builtins) {
    if (SDK_BUILTINS.includes(name)) continue;
    const unavailable = syncBuiltinUnavailable(name);
    if (unavailable)
      errors.push({
        code: "unserved_builtin",
        message: `policy.wasm imports built-in ${name}, which neither the OPA SDK nor the engine can serve: ${unavailable}`,
        pointer: POINTER_WASM,
      });
  }
  if (errors.length > 0 || pkgPath === null) throw wasmBundleInvalid("the Wasm bundle cannot run as a decision policy", errors);
  return {
    sha256,
    package: pkgPath.replaceAll("/", "."),
    abi: abi.abi,
    entrypoints,
    builtins: described.builtins,
    dataJSON,
    manifestJSON,
  };
}
