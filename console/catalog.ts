/** The zone's policy versions by id, so set versions and explain can name them (policy name, version, engine). */
import { all, enc, get } from "./api.js";
import type { Policy, PolicyDetail, PolicyVersion } from "./types.js";

export interface VersionRef {
  policy: Policy;
  version: PolicyVersion;
}

export async function versionIndex(base: string): Promise<Map<string, VersionRef>> {
  const policies = await all<Policy>(`${base}/policies`);
  const details = await Promise.all(policies.map((p) => get<PolicyDetail>(`${base}/policies/${enc(p.id)}`)));
  const index = new Map<string, VersionRef>();
  for (const d of details) for (const v of d.versions) index.set(v.id, { policy: d, version: v });
  return index;
}
