/**
 * A policy version is identified by the SHA-256 of its source (per policy and
 * Rego version) and accepted only if it compiles; its plan is stored with it.
 */
import { policyVersions } from "../../schema/index.js";
import { sha256Hex } from "../crypto.js";
import { payloadTooLarge, regoCompileFailed } from "../http/problem.js";
import { newId } from "../ids.js";
import { compilePolicy } from "../policy/compile.js";
import { nowIso } from "../db.js";
import { MAX_SOURCE_BYTES } from "./schemas/common.js";

export interface VersionContent {
  source: string;
  regoVersion: 0 | 1;
}

/** The source's SHA-256, after enforcing the source size cap (413 before any hashing or compiling). */
export async function sourceDigest(source: string): Promise<string> {
  const bytes = new TextEncoder().encode(source).length;
  if (bytes > MAX_SOURCE_BYTES) throw payloadTooLarge(`policy sources are limited to ${MAX_SOURCE_BYTES} bytes (got ${bytes})`);
  return sha256Hex(source);
}

/** The module's file name in error locations and provenance: the policy's name. */
export function policyFileName(policyName: string): string {
  return `${policyName}.rego`;
}

/** Version columns without the (large) source and plan: what lists and summaries read. */
export const versionSummaryColumns = {
  id: policyVersions.id,
  policyId: policyVersions.policyId,
  zoneId: policyVersions.zoneId,
  sourceSha256: policyVersions.sourceSha256,
  regoVersion: policyVersions.regoVersion,
  package: policyVersions.package,
  engine: policyVersions.engine,
  createdAt: policyVersions.createdAt,
};

/** Compiles the content into a new version row, or throws 422 with every Rego error. */
export function compileVersion(
  policy: { id: string; name: string; zoneId: string },
  content: VersionContent,
  digest: string,
): typeof policyVersions.$inferSelect {
  const compiled = compilePolicy({ file: policyFileName(policy.name), source: content.source, regoVersion: content.regoVersion });
  if (!compiled.ok) throw regoCompileFailed(compiled.errors);
  return {
    id: newId("pv"),
    policyId: policy.id,
    zoneId: policy.zoneId,
    source: content.source,
    sourceSha256: digest,
    regoVersion: content.regoVersion,
    package: compiled.package,
    plan: JSON.stringify(compiled.plan),
    engine: "rego",
    createdAt: nowIso(),
  };
}
