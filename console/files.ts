/**
 * A policy version's files as text. A version of one module carries its source in the version
 * detail; a bundle's files come from its export (tar.gz), read with the same archive reader the
 * Worker uses (workers/bundle/tar.ts, through engine.ts), so the console needs no route of its own for them.
 */
import { bytes, enc, get } from "./api.js";
import type { TextFile } from "./engine-api.js";
import type { PolicyVersionDetail } from "./types.js";

export type { TextFile };

const cache = new Map<string, Promise<TextFile[]>>();

export function versionDetail(base: string, policyId: string, versionId: string): Promise<PolicyVersionDetail> {
  return get<PolicyVersionDetail>(`${base}/policies/${enc(policyId)}/versions/${enc(versionId)}`);
}

/** The version's files (versions are immutable, so each is read once per tab); none for a Wasm version. */
export function versionFiles(base: string, detail: PolicyVersionDetail): Promise<TextFile[]> {
  const known = cache.get(detail.id);
  if (known) return known;
  const load = async (): Promise<TextFile[]> => {
    if (detail.engine === "wasm") return [];
    const modules = detail.files.filter((f) => f.path.endsWith(".rego"));
    if (detail.source !== undefined && detail.files.length === 1 && modules[0]) return [{ path: modules[0].path, content: detail.source }];
    const { readBundleFiles } = await import("./engine-api.js");
    return readBundleFiles(await bytes(`${base}/policy-versions/${enc(detail.id)}/bundle`));
  };
  const p = load();
  cache.set(detail.id, p);
  p.catch(() => cache.delete(detail.id));
  return p;
}

/** The file a rule location names (locations use the bundle path, with or without a leading slash). */
export function fileAt(files: TextFile[], file: string): TextFile | undefined {
  const want = file.replace(/^\/+/, "");
  return files.find((f) => f.path === want) ?? files.find((f) => f.path.endsWith(`/${want}`) || want.endsWith(`/${f.path}`));
}
