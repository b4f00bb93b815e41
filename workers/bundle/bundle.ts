/**
 * A policy version's bundle, in OPA's layout: Rego modules (`*.rego`), data
 * documents (`data.json`/`data.yaml` in folder `a/b/` is `data.a.b`), an
 * optional `.manifest` (revision, roots, metadata) whose roots are enforced.
 * `assembleBundle` runs every check that does not need the Rego parser — paths,
 * kinds, duplicates, limits, encodings, data documents and their overlaps,
 * data outside the roots — and computes the bundle's digest, which identifies
 * the files however they were uploaded.
 */
import { parseJSON, RObject, toJSONText, type Value } from "../rego/index.js";
import { yamlToValue } from "../rego/index.js";
import { sha256Hex } from "../crypto.js";
import { BundleError } from "./errors.js";
import { BUNDLE_LIMITS } from "./limits.js";
import { baseName, folderOf, normalizePath, type PathOrigin } from "./paths.js";

export const MANIFEST_FILE = ".manifest";
export const SIGNATURES_FILE = ".signatures.json";
const DATA_FILES = new Set(["data.json", "data.yaml", "data.yml"]);

export interface RawFile {
  path: string;
  /** UTF-8 bytes, or text already decoded */
  content: Uint8Array | string;
}

export type FileKind = "rego" | "data" | "manifest" | "signatures";

export interface BundleFile {
  path: string;
  kind: FileKind;
  content: string;
  /** hex SHA-256 of the UTF-8 content */
  sha256: string;
  /** bytes of UTF-8 content */
  size: number;
}

export interface Manifest {
  revision: string | null;
  /** `""` is the whole of `data`; other roots are `/`-separated paths (`lib/roles`) */
  roots: string[];
  metadata: Record<string, unknown> | null;
  regoVersion: 0 | 1 | null;
}

export interface Bundle {
  /** in canonical order (by path) */
  files: BundleFile[];
  /** whether it carries `.signatures.json`: then it must be verified (workers/bundle/signatures.ts) before it is accepted */
  signed: boolean;
  manifest: Manifest | null;
  /** the merged data documents: what policies see as `data` (plus their rules) */
  data: RObject;
  /** canonical JSON text of `data` (sorted keys, exact numbers): what is stored and decoded per isolate */
  dataJSON: string;
  /** hex SHA-256 over the canonical list of (path, content SHA-256): the version's identity */
  digest: string;
}

/** UTF-8 that refuses malformed bytes and keeps a BOM (which then fails JSON and Rego parsing, as in OPA). */
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

export async function assembleBundle(raw: RawFile[], origin: PathOrigin): Promise<Bundle> {
  if (raw.length > BUNDLE_LIMITS.maxFiles)
    throw new BundleError("too_many_files", `bundles are limited to ${BUNDLE_LIMITS.maxFiles} files (got ${raw.length})`);
  const byPath = new Map<string, BundleFile>();
  let total = 0;
  for (const file of raw) {
    const path = normalizePath(file.path, origin);
    const bytes = typeof file.content === "string" ? encoder.encode(file.content) : file.content;
    total += bytes.length;
    if (total > BUNDLE_LIMITS.maxTotalBytes)
      throw new BundleError("bundle_too_large", `bundles are limited to ${BUNDLE_LIMITS.maxTotalBytes} bytes of files`);
    if (byPath.has(path)) throw new BundleError("duplicate_path", "the bundle has this path twice", path);
    const kind = fileKind(path);
    const content = typeof file.content === "string" ? file.content : decode(file.content, path);
    byPath.set(path, { path, kind, content, sha256: await sha256Hex(bytes), size: bytes.length });
  }
  const files = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (!files.some((f) => f.kind === "rego")) throw new BundleError("no_modules", "a policy version needs at least one .rego module");
  const manifestFile = byPath.get(MANIFEST_FILE);
  const manifest = manifestFile ? parseManifest(manifestFile.content) : null;
  const data = mergeData(files, manifest?.roots ?? [""]);
  const signed = byPath.has(SIGNATURES_FILE);
  return { files, signed, manifest, data, dataJSON: toJSONText(data), digest: await bundleDigest(files) };
}

function fileKind(path: string): FileKind {
  if (path === MANIFEST_FILE) return "manifest";
  if (path === SIGNATURES_FILE) return "signatures";
  if (path.endsWith(".rego")) return "rego";
  if (DATA_FILES.has(baseName(path))) return "data";
  throw new BundleError("unknown_file_kind", "not a bundle file: expected *.rego, data.json, data.yaml or (at the root) .manifest", path);
}

function decode(bytes: Uint8Array, path: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new BundleError("invalid_encoding", "bundle files must be UTF-8 text", path);
  }
}

/** The version's identity: SHA-256 of `sha256(content)  path` lines in path order, so upload order never matters. */
export async function bundleDigest(files: { path: string; sha256: string }[]): Promise<string> {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join("");
  return sha256Hex(encoder.encode(lines));
}

// ---------------------------------------------------------------- manifest

function parseManifest(text: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BundleError("invalid_manifest", `not JSON: ${(err as Error).message}`, MANIFEST_FILE);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new BundleError("invalid_manifest", "must be a JSON object", MANIFEST_FILE);
  const m = doc as Record<string, unknown>;
  const revision = m.revision ?? null;
  if (revision !== null && typeof revision !== "string")
    throw new BundleError("invalid_manifest", "revision must be a string", MANIFEST_FILE);
  const roots = m.roots ?? [""];
  if (!Array.isArray(roots) || !roots.every((r): r is string => typeof r === "string"))
    throw new BundleError("invalid_manifest", "roots must be an array of strings", MANIFEST_FILE);
  const metadata = m.metadata ?? null;
  if (metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata)))
    throw new BundleError("invalid_manifest", "metadata must be an object", MANIFEST_FILE);
  const regoVersion = m.rego_version ?? null;
  if (regoVersion !== null && regoVersion !== 0 && regoVersion !== 1)
    throw new BundleError("invalid_manifest", "rego_version must be 0 or 1", MANIFEST_FILE);
  if (m.wasm !== undefined)
    throw new BundleError(
      "invalid_manifest",
      "the manifest names wasm entrypoints, but no /policy.wasm is here: a Wasm bundle (opa build -t wasm) is uploaded as a tar.gz holding /policy.wasm",
      MANIFEST_FILE,
    );
  return {
    revision,
    roots: roots.map((r) => r.replace(/^\/+|\/+$/g, "")),
    metadata: metadata as Record<string, unknown> | null,
    regoVersion,
  };
}

/** The decision package the manifest names (`metadata.package`, dotted like `--package`), if any. */
export function manifestPackage(manifest: Manifest | null): string | undefined {
  const value = manifest?.metadata?.package;
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "")
    throw new BundleError("invalid_manifest", 'metadata.package must be a package name such as "payments.v1"', MANIFEST_FILE);
  return value;
}

// -------------------------------------------------------------------- roots

/** Whether `segments` (a data path) lies inside one of the roots. */
export function insideRoots(segments: string[], roots: string[]): boolean {
  return roots.some((root) => {
    if (root === "") return true;
    const r = root.split("/");
    return r.length <= segments.length && r.every((s, i) => s === segments[i]);
  });
}

/** Whether some root lies strictly below `segments` (so only part of the value there may be inside). */
function rootBelow(segments: string[], roots: string[]): boolean {
  return roots.some((root) => {
    const r = root === "" ? [] : root.split("/");
    return r.length > segments.length && segments.every((s, i) => s === r[i]);
  });
}

function checkDataRoots(value: Value, at: string[], roots: string[], file: string): void {
  if (insideRoots(at, roots)) return;
  if (value instanceof RObject && rootBelow(at, roots)) {
    for (const [k, v] of value.entries()) checkDataRoots(v, [...at, typeof k === "string" ? k : toJSONText(k)], roots, file);
    return;
  }
  throw new BundleError(
    "outside_roots",
    `data.${at.join(".")} is outside the manifest's roots (${roots.map((r) => JSON.stringify(r)).join(", ")})`,
    file,
  );
}

// --------------------------------------------------------------------- data

function parseData(file: BundleFile): Value {
  try {
    return file.path.endsWith(".json") ? parseJSON(file.content) : yamlToValue(file.content);
  } catch (err) {
    const kind = file.path.endsWith(".json") ? "JSON" : "YAML";
    throw new BundleError("invalid_data", `invalid ${kind}: ${err instanceof Error ? err.message : String(err)}`, file.path);
  }
}

/** Every data document merged at its folder's path; a value set twice (by two files) is a conflict, as OPA refuses it. */
function mergeData(files: BundleFile[], roots: string[]): RObject {
  const root = new RObject();
  const placed: { path: string[]; file: string }[] = [];
  for (const file of files) {
    if (file.kind !== "data") continue;
    const at = folderOf(file.path);
    const value = parseData(file);
    if (at.length === 0 && !(value instanceof RObject))
      throw new BundleError("invalid_data", "data at the bundle's root must be an object", file.path);
    checkDataRoots(value, at, roots, file.path);
    const owner = (conflictAt: string[]) =>
      placed.find((p) => p.path.every((s, i) => i >= conflictAt.length || s === conflictAt[i]))?.file ?? "another data file";
    let target = root;
    for (const [i, segment] of at.entries()) {
      const next = target.get(segment);
      if (next === undefined) {
        const created = new RObject();
        target.set(segment, created);
        target = created;
      } else if (next instanceof RObject) target = next;
      else {
        const where = at.slice(0, i + 1);
        throw new BundleError("data_conflict", `data.${where.join(".")} is already set by ${owner(where)}`, file.path);
      }
    }
    if (at.length === 0) mergeInto(root, value as RObject, [], file.path, owner);
    else {
      const key = at[at.length - 1] as string;
      // `target` is the folder's object itself; merge the document into it.
      if (value instanceof RObject) mergeInto(target, value, at, file.path, owner);
      else if (target.size === 0) parentOf(root, at).set(key, value);
      else throw new BundleError("data_conflict", `data.${at.join(".")} is already set by ${owner(at)}`, file.path);
    }
    placed.push({ path: at, file: file.path });
  }
  return root;
}

function parentOf(root: RObject, at: string[]): RObject {
  let o = root;
  for (const s of at.slice(0, -1)) o = o.get(s) as RObject;
  return o;
}

function mergeInto(target: RObject, source: RObject, at: string[], file: string, owner: (at: string[]) => string): void {
  for (const [k, v] of source.entries()) {
    const key = typeof k === "string" ? k : toJSONText(k);
    const existing = target.get(k);
    if (existing === undefined) target.set(k, v);
    else if (existing instanceof RObject && v instanceof RObject) mergeInto(existing, v, [...at, key], file, owner);
    else throw new BundleError("data_conflict", `data.${[...at, key].join(".")} is already set by ${owner([...at, key])}`, file);
  }
}

/** The value at a data path, if the data documents define one. */
export function dataAt(data: RObject, segments: string[]): { found: true; value: Value; depth: number } | { found: false } {
  let v: Value = data;
  for (const [i, s] of segments.entries()) {
    if (!(v instanceof RObject)) return { found: true, value: v, depth: i };
    const next: Value | undefined = v.get(s);
    if (next === undefined) return { found: false };
    v = next;
  }
  return { found: true, value: v, depth: segments.length };
}
