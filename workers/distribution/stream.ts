/**
 * The invalidation stream's contract (docs/architecture.md §6): `XADD caracal.policy.invalidate
 * MAXLEN ~ 10000 * zone <id> policy_set_version <psv> shadow <psv|""> seq <n>`.
 */

export const INVALIDATION_STREAM = "caracal.policy.invalidate";
export const STREAM_MAXLEN = 10_000;

export interface Invalidation {
  zone: string;
  policySetVersion: string;
  /** "" when the activation set no shadow */
  shadow: string;
  seq: number;
}

export function invalidationFields(m: Invalidation): Record<string, string> {
  return { zone: m.zone, policy_set_version: m.policySetVersion, shadow: m.shadow, seq: String(m.seq) };
}

/**
 * Reads a stream entry's fields (as @upstash/redis returns them: a flat
 * [field, value, …] list, values possibly deserialized from JSON) and checks
 * them; a malformed entry gives undefined.
 */
export function parseInvalidation(fields: unknown): Invalidation | undefined {
  if (!Array.isArray(fields) || fields.length % 2 !== 0) return undefined;
  const f = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) f.set(String(fields[i]), String(fields[i + 1] ?? ""));
  const zone = f.get("zone");
  const psv = f.get("policy_set_version");
  const seq = Number(f.get("seq"));
  if (!zone || !/^zn-[a-z0-9]+$/.test(zone) || !psv || !/^psv-[a-z0-9]+$/.test(psv) || !Number.isSafeInteger(seq)) return undefined;
  const shadow = f.get("shadow") ?? "";
  if (shadow !== "" && !/^psv-[a-z0-9]+$/.test(shadow)) return undefined;
  return { zone, policySetVersion: psv, shadow, seq };
}
