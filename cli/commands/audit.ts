/**
 * `caracal audit tail` and `caracal explain`: what the STS decided and why.
 * With --json, `audit tail` prints one compact JSON object per line (each
 * carrying `determining_policies` at top level), so it pipes into jq.
 */
import { Option, type Command } from "commander";
import type { AuditEventJson, ExplanationJson, PageJson } from "../api-types.js";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { usageError } from "../errors.js";
import { printFields, printJson } from "../output.js";

const FOLLOW_INTERVAL_MS = 1000;

interface TailOptions {
  limit: string;
  follow?: boolean;
  decision?: string;
  client?: string;
  status?: string;
}

type DeterminingPolicy = AuditEventJson["determining_policies"][number];

export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("The zone's audit events: one per STS decision and one per shadow evaluation");

  audit
    .command("tail")
    .description("Print the latest audit events, oldest first; --follow keeps printing new ones")
    .addOption(new Option("--limit <n>", "how many of the latest events (1-100)").default("10"))
    .option("--follow", "keep polling for new events (Ctrl-C to stop)")
    .addOption(new Option("--decision <decision>", "only allow or deny").choices(["allow", "deny"]))
    .addOption(new Option("--status <status>", "only this evaluation status").choices(["enforced", "shadow", "error"]))
    .option("--client <id>", "only this client's events")
    .action(async (opts: TailOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1 || Number(opts.limit) > 100) throw usageError("--limit must be 1-100");
      const api = apiClient(g);
      const base = `${zonePath(g)}/audit`;
      const filters = new URLSearchParams();
      for (const name of ["decision", "status", "client"] as const) if (opts[name]) filters.set(name, opts[name] as string);
      const print = (event: AuditEventJson) => process.stdout.write((g.json ? JSON.stringify(event) : eventLine(event)) + "\n");

      const latest = await api.get<PageJson<AuditEventJson>>(`${base}?${withParams(filters, { order: "desc", limit: opts.limit })}`);
      const shown = [...latest.body.items].reverse();
      shown.forEach(print);
      if (!opts.follow) return;

      // Follow from the newest event printed, in the API's (time, id) order; `since` is inclusive,
      // so events at that instant that sort at or before it are skipped.
      let last = shown.at(-1) ?? { time: new Date().toISOString(), id: "" };
      for (;;) {
        await new Promise((r) => setTimeout(r, FOLLOW_INTERVAL_MS));
        let cursor: string | null = null;
        do {
          const query = withParams(filters, { order: "asc", limit: "100", since: last.time, ...(cursor ? { cursor } : {}) });
          const page: PageJson<AuditEventJson> = (await api.get<PageJson<AuditEventJson>>(`${base}?${query}`)).body;
          for (const event of page.items) {
            if (event.time === last.time && event.id <= last.id) continue;
            print(event);
            last = event;
          }
          cursor = page.next_cursor;
        } while (cursor);
      }
    });

  program
    .command("explain <request_id>")
    .description(
      "Explain a token request's decision: the input, each policy in order, the policy version and rule (file:line) that decided",
    )
    .action(async (requestId: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<ExplanationJson>(`${zonePath(g)}/explain/${encodeURIComponent(requestId)}`);
      if (g.json) return printJson(body);
      printExplanation(body);
    });
}

function withParams(filters: URLSearchParams, extra: Record<string, string>): string {
  const params = new URLSearchParams(filters);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

/**
 * `payments-policy pv-… (revision r) data.payments.allow at payments-policy.rego:5`; when no rule body
 * produced a value (the rule is undefined for this input) there is no location, said plainly.
 */
export function decidedBy(d: Pick<DeterminingPolicy, "policy_name" | "policy_version_id" | "rule" | "location" | "revision">): string {
  const where = d.location ? `at ${d.location.file}:${d.location.row}` : "(no rule body produced a value, so there is no location to show)";
  return `${d.policy_name} ${d.policy_version_id}${d.revision ? ` (revision ${d.revision})` : ""} ${d.rule} ${where}`;
}

function eventLine(e: AuditEventJson): string {
  const decided = e.determining_policies.map(decidedBy).join("; ") || e.reasons.join("; ");
  return [e.time, e.request_id, e.decision.padEnd(5), e.evaluation_status.padEnd(8), e.client_id, e.subject.sub, decided].join("  ");
}

type SetOutcome = Pick<
  ExplanationJson,
  "policy_set_id" | "policy_set_version_id" | "decision" | "evaluation_status" | "determining_policies" | "reasons" | "error" | "policies"
>;

function printExplanation(x: ExplanationJson): void {
  printFields([
    ["Request ID", x.request_id],
    ["Time", x.time],
    ["Client", x.client_id],
    ["Subject", `${x.subject.sub} (${x.subject.iss})`],
    ["Actor", x.actor ? `${x.actor.sub} (${x.actor.iss})` : "none"],
    ["Scope", `requested [${x.scope_requested.join(" ")}], granted ${x.scope_granted ? `[${x.scope_granted.join(" ")}]` : "none"}`],
    ["Token", x.token_jti ? `issued, jti ${x.token_jti}` : "not issued"],
  ]);
  printOutcome("", x);
  if (x.shadow) {
    process.stdout.write(`\nShadow (${x.shadow.agrees ? "agrees" : "disagrees"}):\n`);
    printOutcome("  ", x.shadow);
  }
  process.stdout.write(`\nInput:\n${JSON.stringify(x.input, null, 2).replace(/^/gm, "  ")}\n`);
}

function printOutcome(indent: string, o: SetOutcome): void {
  const line = (text: string) => process.stdout.write(`${indent}${text}\n`);
  line(`Decision: ${o.decision} (${o.evaluation_status})`);
  line(`Policy set: ${o.policy_set_id ?? "none"} version ${o.policy_set_version_id ?? "none"}`);
  for (const d of o.determining_policies) line(`Decided by: ${decidedBy(d)}`);
  if (o.error)
    line(`Error: ${o.error.code}: ${o.error.message}${o.error.location ? ` at ${o.error.location.file}:${o.error.location.row}` : ""}`);
  if (o.reasons.length > 0) line(`Reasons: ${o.reasons.join("; ")}`);
  if (o.policies.length === 0) return;
  line("Policies, in evaluation order:");
  o.policies.forEach((p, i) => {
    const outcome = p.outcome === "not_evaluated" ? "not evaluated" : p.outcome;
    line(`  ${i + 1}. ${p.policy_name} ${p.policy_version_id}: ${outcome}${p.determining ? " (determining)" : ""}`);
    for (const reason of p.outcome === "deny" || p.outcome === "error" ? p.reasons : []) line(`       reason: ${reason}`);
    for (const r of p.rules) line(`       ${r.rule}: ${r.locations.map((l) => `${l.file}:${l.row}`).join(", ")}`);
    if (p.data_read) {
      const read = p.data_read;
      line(`       data read by ${read.rule}: ${read.paths.join(", ") || "none found"}${read.truncated ? " (truncated)" : ""}`);
      if (read.missing.length > 0) line(`       data looked up, not found: ${read.missing.join(", ")}`);
    }
  });
}
