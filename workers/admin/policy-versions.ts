/**
 * A policy version is a bundle (workers/bundle): its identity is the bundle's
 * digest (per policy and Rego version), it is accepted only if it compiles,
 * and its files, merged data and plan are stored as content-addressed blobs in
 * the same D1 batch as the version row, so nothing is half-written.
 *
 * Uploads come in three forms that give the same bundle for the same files:
 * `source` (one module, named after the policy as before bundles: the seed's
 * `--file ./policy.rego`), `files` (paths and contents), or `bundle` (a base64
 * tar or tar.gz, as `opa build` writes it).
 */
import { and, eq } from "drizzle-orm";
import { policyVersions } from "../../schema/index.js";
import { assembleBundle, type Bundle, bundleDigest, MANIFEST_FILE, SIGNATURES_FILE, strictUtf8 } from "../bundle/bundle.js";
import { normalizePath } from "../bundle/paths.js";
import { validateWasmBundle } from "../wasm/bundle.js";
import { wasmLimits } from "../wasm/loader.js";
import { type NewWasmVersion, newWasmVersion } from "../wasm/store.js";
import { blobWrites, prepareBlob, readBlobs } from "../bundle/blobs.js";
import { BundleError } from "../bundle/errors.js";
import { type BundleSignature, bundleSignature, type SignedFile, verifyBundleSignature } from "../bundle/signatures.js";
import { readArchive } from "../bundle/tar.js";
import { zoneSigning } from "./routes/bundle-signing.js";
import { writeTarGz } from "../bundle/tar.js";
import { Problem, conflict, payloadTooLarge, regoCompileFailed } from "../http/problem.js";
import { newId } from "../ids.js";
import { encodeCompactPlan } from "../rego/index.js";
import { compileBundle } from "../policy/compile.js";
import { ContractViolation, type ContractItem } from "../policy/contract.js";
import { base64Decode, sha256Hex } from "../crypto.js";
import { type Db, nowIso } from "../db.js";
import type { Env } from "../env.js";
import { MAX_SOURCE_BYTES } from "./schemas/common.js";

export interface VersionUpload {
  source?: string | undefined;
  files?: { path: string; content: string }[] | undefined;
  /** base64 of a tar or tar.gz */
  bundle?: string | undefined;
  package?: string | undefined;
  rego_version?: 0 | 1 | undefined;
}

type VersionRow = typeof policyVersions.$inferSelect;

/** The module's file name in error locations and provenance for a `source` upload: the policy's name. */
export function policyFileName(policyName: string): string {
  return `${policyName}.rego`;
}

/** A bundle problem as the API answers it: 413 for the size limits, 422 otherwise, naming the file. */
export function bundleProblem(err: BundleError): Problem {
  const item = { code: err.code, message: err.message, ...(err.path !== undefined ? { path: err.path } : {}) };
  return err.status === 413
    ? new Problem(413, "payload-too-large", "Payload Too Large", err.message, [item])
    : new Problem(422, "invalid-bundle", "Unprocessable Content", err.message, [item]);
}

async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BundleError) throw bundleProblem(err);
    if (err instanceof ContractViolation)
      throw new Problem(
        422,
        "decision-contract",
        "Unprocessable Content",
        "the policy breaks the decision contract (allow, deny, ttl, scope, claims)",
        err.items,
      );
    throw err;
  }
}

/** The upload as a bundle, with every check that needs no parser done (400 when it names no or several forms). */
export function uploadedBundle(policyName: string, upload: VersionUpload): Promise<Bundle> {
  return asProblem(async () => {
    if (upload.source !== undefined) {
      const bytes = new TextEncoder().encode(upload.source).length;
      if (bytes > MAX_SOURCE_BYTES) throw payloadTooLarge(`policy sources are limited to ${MAX_SOURCE_BYTES} bytes (got ${bytes})`);
      return assembleBundle([{ path: policyFileName(policyName), content: upload.source }], "files");
    }
    if (upload.files !== undefined) return assembleBundle(upload.files, "files");
    const entries = await readArchive(decodeBase64(upload.bundle ?? ""));
    return assembleBundle(
      entries.map((e) => ({ path: e.path, content: e.bytes })),
      "archive",
    );
  });
}

/** A `bundle` upload from `opa build -t wasm`: its parts, before validation (workers/wasm/bundle.ts). */
export interface WasmUpload {
  wasm: Uint8Array;
  data: unknown;
  manifest?: unknown;
  /** the bundle digest (workers/bundle/bundle.ts `bundleDigest`) over the files kept: the version's identity */
  digest: string;
  revision: string | null;
  fileCount: number;
  /** `.signatures.json` and every other file of the archive, the ignored `.rego` files included: OPA signs them all */
  signature?: BundleSignature;
}

export type UploadedVersion = { kind: "rego"; bundle: Bundle } | { kind: "wasm"; wasm: WasmUpload };

const WASM_MODULE = "policy.wasm";

/**
 * The upload as a Rego bundle, or — a `bundle` archive holding `/policy.wasm` — as a Wasm
 * bundle. In a Wasm bundle only `/policy.wasm`, `/data.json` and `/.manifest` count: the
 * `.rego` files `opa build -t wasm` adds are ignored (their entrypoint rules were removed, so
 * they are not what runs) and are not part of the version's digest.
 */
export function uploadedVersion(policyName: string, upload: VersionUpload): Promise<UploadedVersion> {
  return asProblem(async () => {
    if (upload.bundle === undefined || upload.source !== undefined || upload.files !== undefined)
      return { kind: "rego", bundle: await uploadedBundle(policyName, upload) };
    const entries = (await readArchive(decodeBase64(upload.bundle))).map((e) => ({
      path: normalizePath(e.path, "archive"),
      bytes: e.bytes,
    }));
    if (!entries.some((e) => e.path === WASM_MODULE))
      return {
        kind: "rego",
        bundle: await assembleBundle(
          entries.map((e) => ({ path: e.path, content: e.bytes })),
          "archive",
        ),
      };
    return { kind: "wasm", wasm: await wasmParts(entries) };
  });
}

async function wasmParts(entries: { path: string; bytes: Uint8Array }[]): Promise<WasmUpload> {
  const kept = new Map<string, Uint8Array>();
  let signatures: string | undefined;
  const signed: SignedFile[] = [];
  for (const e of entries) {
    if (e.path === SIGNATURES_FILE) {
      if (signatures !== undefined) throw new BundleError("duplicate_path", "the bundle has this path twice", e.path);
      signatures = new TextDecoder().decode(e.bytes);
      continue;
    }
    signed.push(e);
    if (e.path.endsWith(".rego")) continue;
    if (e.path !== WASM_MODULE && e.path !== "data.json" && e.path !== MANIFEST_FILE)
      throw new BundleError(
        "unknown_file_kind",
        "a Wasm bundle (opa build -t wasm) holds /policy.wasm, /data.json, /.manifest and .rego files only",
        e.path,
      );
    if (kept.has(e.path)) throw new BundleError("duplicate_path", "the bundle has this path twice", e.path);
    kept.set(e.path, e.bytes);
  }
  const json = (path: string): unknown => {
    const bytes = kept.get(path);
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(strictUtf8.decode(bytes));
    } catch (err) {
      throw new BundleError(path === MANIFEST_FILE ? "invalid_manifest" : "invalid_data", `not JSON: ${(err as Error).message}`, path);
    }
  };
  const manifest = json(MANIFEST_FILE);
  const revision = (manifest as { revision?: unknown } | undefined)?.revision;
  const files = await Promise.all([...kept].map(async ([path, bytes]) => ({ path, sha256: await sha256Hex(bytes) })));
  return {
    wasm: kept.get(WASM_MODULE) as Uint8Array,
    data: json("data.json") ?? {},
    ...(manifest !== undefined ? { manifest } : {}),
    digest: await bundleDigest(files),
    revision: typeof revision === "string" ? revision : null,
    fileCount: kept.size,
    ...(signatures !== undefined ? { signature: { signatures, files: signed } } : {}),
  };
}

/**
 * A Wasm bundle sent as its parts (the JSON route: the module as base64, data and manifest as
 * JSON): the same upload, digest included, as the archive holding those files would give.
 */
export function wasmUploadFromParts(parts: { wasm: Uint8Array; data: unknown; manifest?: unknown }): Promise<WasmUpload> {
  return asProblem(() => {
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const entries = [
      { path: WASM_MODULE, bytes: parts.wasm },
      { path: "data.json", bytes: json(parts.data) },
      ...(parts.manifest !== undefined ? [{ path: MANIFEST_FILE, bytes: json(parts.manifest) }] : []),
    ];
    return wasmParts(entries);
  });
}

/**
 * A Wasm upload as a version of `policy`: the existing version with the same bundle digest
 * (`created` false), else a new one. A concurrent upload of the same bundle that stores first
 * is answered with its version.
 */
export async function storeWasmVersion(
  db: Db,
  env: Pick<Env, "LOADER" | "WASM_CPU_MS" | "WASM_TIMEOUT_MS">,
  policy: { id: string; zoneId: string },
  upload: WasmUpload,
  decisionPackage: string | undefined,
) {
  const stored = async () => (await sameContent(db, policy.id, policy.zoneId, upload.digest, 1))[0];
  const existing = await stored();
  if (existing) {
    checkSamePackage(existing, decisionPackage);
    return { version: existing, created: false };
  }
  const { row, store } = await wasmVersion(db, env, policy, upload, decisionPackage);
  try {
    await store();
  } catch (err) {
    const raced = await stored();
    if (raced) return { version: raced, created: false };
    throw err;
  }
  return { version: row, created: true };
}

/** Validates a Wasm upload (422/413 as `validateWasmBundle` answers) into a new version and its writes; its signature is checked before (`checkSignature`). */
export async function wasmVersion(
  db: Db,
  env: Pick<Env, "LOADER" | "WASM_CPU_MS" | "WASM_TIMEOUT_MS">,
  policy: { id: string; zoneId: string },
  upload: WasmUpload,
  decisionPackage: string | undefined,
): Promise<NewWasmVersion> {
  const validated = await validateWasmBundle(
    {
      wasm: upload.wasm,
      data: upload.data,
      ...(upload.manifest !== undefined ? { manifest: upload.manifest } : {}),
      ...(decisionPackage !== undefined ? { decisionPackage } : {}),
      digest: upload.digest,
    },
    env.LOADER,
    wasmLimits(env.WASM_CPU_MS, env.WASM_TIMEOUT_MS),
  );
  return newWasmVersion(db, policy, validated, upload.wasm, { revision: upload.revision, fileCount: upload.fileCount });
}

function decodeBase64(text: string): Uint8Array {
  try {
    return base64Decode(text);
  } catch {
    throw new BundleError("invalid_archive", "bundle must be the base64 of a tar or tar.gz archive");
  }
}

/** The signature an upload carries, Rego or Wasm bundle: undefined when it has no `.signatures.json`. */
export function uploadSignature(uploaded: UploadedVersion): BundleSignature | undefined {
  return uploaded.kind === "rego" ? bundleSignature(uploaded.bundle) : uploaded.wasm.signature;
}

/**
 * A signed bundle is verified against the zone's keys, and an unsigned one refused when the zone
 * requires signatures. Decided by the presence of `.signatures.json`, never by a key id.
 */
export async function checkSignature(db: Db, zoneId: string, signature: BundleSignature | undefined): Promise<void> {
  const { required, keys } = await zoneSigning(db, zoneId);
  if (!signature) {
    if (required) throw bundleProblem(new BundleError("invalid_signature", "this zone requires signed bundles (.signatures.json)"));
    return;
  }
  await asProblem(() => verifyBundleSignature(signature, keys));
}

/** The Rego version: the upload's, else the manifest's, else 1; the two must agree when both are given. */
export function effectiveRegoVersion(bundle: Bundle, requested: 0 | 1 | undefined): 0 | 1 {
  const declared = bundle.manifest?.regoVersion ?? null;
  if (requested !== undefined && declared !== null && requested !== declared)
    throw bundleProblem(
      new BundleError("invalid_manifest", `the manifest says rego_version ${declared}, the request ${requested}`, ".manifest"),
    );
  return requested ?? declared ?? 1;
}

/** Version columns without the (large) inline source and plan: what lists and summaries read. */
export const versionSummaryColumns = {
  id: policyVersions.id,
  policyId: policyVersions.policyId,
  zoneId: policyVersions.zoneId,
  sourceSha256: policyVersions.sourceSha256,
  regoVersion: policyVersions.regoVersion,
  package: policyVersions.package,
  revision: policyVersions.revision,
  fileCount: policyVersions.fileCount,
  engine: policyVersions.engine,
  createdAt: policyVersions.createdAt,
};

/** The existing version with these files, if any (a different explicit package for the same files is a 409). */
export function sameContent(db: Db, policyId: string, zoneId: string, digest: string, regoVersion: 0 | 1) {
  return db
    .select(versionSummaryColumns)
    .from(policyVersions)
    .where(
      and(
        eq(policyVersions.policyId, policyId),
        eq(policyVersions.zoneId, zoneId),
        eq(policyVersions.sourceSha256, digest),
        eq(policyVersions.regoVersion, regoVersion),
      ),
    );
}

export function checkSamePackage(existing: { id: string; package: string }, requested: string | undefined): void {
  if (requested !== undefined && requested.replace(/^data\./, "") !== existing.package)
    throw conflict(`these files are already version ${existing.id} with decision package ${existing.package}`);
}

export interface NewVersion {
  row: VersionRow;
  /** blob statements for the caller's batch, before the row's insert */
  writes: ReturnType<typeof blobWrites>;
  /** decision-contract warnings (near-miss rule names), answered in the create response */
  warnings: ContractItem[];
}

/** Compiles the bundle into a new version row and its blob writes, or throws 422 with every Rego error. */
export async function compileVersion(
  db: Db,
  policy: { id: string; zoneId: string },
  bundle: Bundle,
  options: { regoVersion: 0 | 1; package?: string | undefined },
): Promise<NewVersion> {
  const compiled = await asProblem(async () =>
    compileBundle(bundle, { regoVersion: options.regoVersion, ...(options.package !== undefined ? { package: options.package } : {}) }),
  );
  if (!compiled.ok) throw regoCompileFailed(compiled.errors);
  const filesJSON = JSON.stringify(bundle.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, content: f.content })));
  const [files, data, plan] = await Promise.all([
    prepareBlob(filesJSON),
    prepareBlob(bundle.dataJSON),
    // The compact form (workers/rego/plan/compact.ts): prepare reads it, and plan JSON of older versions, alike.
    prepareBlob(encodeCompactPlan(compiled.plan)),
  ]);
  const createdAt = nowIso();
  return {
    row: {
      id: newId("pv"),
      policyId: policy.id,
      zoneId: policy.zoneId,
      source: null,
      sourceSha256: bundle.digest,
      regoVersion: options.regoVersion,
      package: compiled.package,
      plan: null,
      filesBlob: files.sha256,
      dataBlob: data.sha256,
      planBlob: plan.sha256,
      revision: bundle.manifest?.revision ?? null,
      fileCount: bundle.files.length,
      engine: "rego",
      createdAt,
    },
    writes: blobWrites(db, policy.zoneId, [files, data, plan], createdAt),
    warnings: compiled.warnings,
  };
}

export interface StoredFile {
  path: string;
  sha256: string;
  size: number;
  content: string;
}

/** A version's files: from its files blob, or its inline source (versions made before bundles). */
export async function versionFiles(
  db: Db,
  row: { zoneId: string; filesBlob: string | null; source: string | null; sourceSha256: string; engine?: "rego" | "wasm" },
  policyName: string,
): Promise<StoredFile[]> {
  // A Wasm version has no Rego files: its module and data are in policy_wasm_modules (workers/wasm/store.ts).
  if (row.engine === "wasm") return [];
  if (row.filesBlob === null) {
    const source = row.source ?? "";
    return [{ path: policyFileName(policyName), sha256: row.sourceSha256, size: new TextEncoder().encode(source).length, content: source }];
  }
  const text = (await readBlobs(db, row.zoneId, [row.filesBlob])).get(row.filesBlob) as string;
  return JSON.parse(text) as StoredFile[];
}

/** The version's bundle as a tar.gz that `opa eval -b` loads and that, uploaded again, is the same version. */
export function exportArchive(files: StoredFile[]): Promise<Uint8Array> {
  return writeTarGz(files.map((f) => ({ path: f.path, content: f.content })));
}
