/** The admin API's JSON shapes the console reads (workers/admin/schemas is the source of truth; /v1/openapi.json documents them). */

export interface Location {
  file: string;
  row: number;
  col: number;
}

export interface Zone {
  id: string;
  name: string;
  default_token_lifetime: number;
  max_token_lifetime: number;
  created_at: string;
}

export interface Activation {
  zone_id: string;
  policy_set_id: string;
  active_version_id: string;
  shadow_version_id: string | null;
  seq: number;
  activated_at: string;
  activated_by: string;
}

export interface ZoneDetail extends Zone {
  activation: Activation | null;
}

export interface Policy {
  id: string;
  name: string;
  created_at: string;
}

export interface PolicyVersion {
  id: string;
  policy_id: string;
  sha256: string;
  rego_version: 0 | 1;
  package: string;
  revision: string | null;
  file_count: number;
  engine: "rego" | "wasm";
  created_at: string;
}

export interface PolicyDetail extends Policy {
  versions: PolicyVersion[];
}

export interface PolicyVersionDetail extends PolicyVersion {
  files: { path: string; sha256: string; size: number }[];
  source?: string;
}

export interface PolicySet {
  id: string;
  name: string;
  created_at: string;
}

export interface PolicySetVersion {
  id: string;
  policy_set_id: string;
  policy_version_ids: string[];
  sha256: string;
  created_at: string;
}

export interface HistoryEntry {
  seq: number;
  policy_set_id: string;
  from_version_id: string | null;
  to_version_id: string;
  shadow_version_id: string | null;
  actor: string;
  activated_at: string;
}

export interface PolicySetDetail extends PolicySet {
  versions: PolicySetVersion[];
  activation: Activation | null;
  history: HistoryEntry[];
  isolates: { reporting: number; running_active: number } | null;
}

export interface DeterminingPolicy {
  policy_id: string;
  policy_version_id: string;
  policy_name: string;
  rule: string;
  location: Location | null;
}

export interface AuditEvent {
  id: string;
  request_id: string;
  time: string;
  client_id: string;
  subject: { iss: string; sub: string };
  scope_requested: string[];
  scope_granted: string[] | null;
  decision: "allow" | "deny";
  evaluation_status: "enforced" | "shadow" | "error";
  policy_set_version_id: string | null;
  determining_policies: DeterminingPolicy[];
  reasons: string[];
  input: Record<string, unknown>;
  duration_us: number;
}

export interface PolicyEvaluation {
  policy_id: string;
  policy_version_id: string;
  policy_name: string;
  package: string;
  outcome: "allow" | "deny" | "error" | "not_evaluated";
  reasons: string[];
  rules: { rule: string; locations: Location[] }[];
  engine?: "wasm";
  entrypoints?: { entrypoint: string; value: unknown }[];
  note?: string;
  /** the paths into the version's data its deciding rule read (absent when it read none) */
  data_read?: { rule: string; paths: string[]; missing: string[]; truncated: boolean };
  determining: boolean;
}

export interface SetOutcome {
  policy_set_id: string | null;
  policy_set_version_id: string | null;
  decision: "allow" | "deny";
  evaluation_status: string;
  determining_policies: DeterminingPolicy[];
  reasons: string[];
  error: { code: string; message: string } | null;
  policies: PolicyEvaluation[];
}

/** An explained request: its set outcome, the audit event's request facts, and the shadow outcome. */
export interface Explanation
  extends SetOutcome,
    Pick<AuditEvent, "request_id" | "time" | "client_id" | "subject" | "scope_requested" | "scope_granted" | "input"> {
  shadow: (SetOutcome & { agrees: boolean }) | null;
}

export interface ReplayFlip {
  request_id: string;
  client_id: string;
  time: string;
  from: "allow" | "deny";
  to: "allow" | "deny";
  reasons: string[];
  error: { code: string; message: string } | null;
}

export interface ReplayResult {
  policy_set_version_id: string;
  replayed: number;
  unchanged: number;
  allow_to_deny: number;
  deny_to_allow: number;
  errors: number;
  flips: ReplayFlip[];
  next_cursor: string | null;
}

export interface Disagreements {
  evaluated: number;
  agreed: number;
  allow_to_deny: number;
  deny_to_allow: number;
}

export interface ShadowReport extends Disagreements {
  policy_set_id: string;
  since: string;
  until: string;
  agreement_rate: number | null;
  shadow_errors: number;
  unpaired: number;
  truncated: boolean;
  shadow_versions: string[];
  by_client: (Disagreements & { client_id: string })[];
  buckets: (Disagreements & { start: string })[];
}

export interface Client {
  id: string;
  name: string;
}
