/**
 * Change safety on the `policy-set` group: `replay` (what would a candidate
 * version change on recorded traffic?) and `shadow-report` (what did the
 * shadow version disagree on?). The activation gate's flags live on
 * `policy-set activate` and reuse `sinceInstant`.
 */
import type { z } from "@hono/zod-openapi";
import { Option, type Command } from "commander";
import type { ReplayFlip, ReplayResult, ShadowReport } from "../../workers/admin/schemas/replay.js";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { usageError } from "../errors.js";
import { note, printFields, printJson, printTable } from "../output.js";

type ReplayJson = z.infer<typeof ReplayResult>;
type FlipJson = z.infer<typeof ReplayFlip>;
type ShadowReportJson = z.infer<typeof ShadowReport>;

/** The API replays at most this many decisions per call; the CLI follows the cursor up to --limit. */
const PAGE = 500;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `30m`, `7d`, `90s`, `2w` (that long ago) or an RFC 3339 time, as RFC 3339. */
export function sinceInstant(value: string, flag = "--since"): string {
  const relative = /^(\d+)([smhdw])$/.exec(value);
  if (relative) return new Date(Date.now() - Number(relative[1]) * (UNITS[relative[2] as string] as number)).toISOString();
  if (/^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw usageError(`${flag} takes a duration such as 24h, 30m or 7d, or an RFC 3339 time; got ${value}`);
}

function positiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw usageError(`${flag} must be a whole number from 1 to ${max}`);
  return Number(value);
}

export interface ActivateOptions {
  version: string;
  shadow?: string;
  requireReplay?: boolean;
  maxFlips?: string;
  since?: string;
}

/** The activate body's replay-gate fields (none without --require-replay). */
export function replayGate(opts: ActivateOptions): Record<string, unknown> {
  if (!opts.requireReplay) {
    if (opts.maxFlips !== undefined || opts.since !== undefined) throw usageError("--max-flips and --since need --require-replay");
    return {};
  }
  return {
    require_replay: true,
    ...(opts.maxFlips !== undefined ? { max_flips: nonNegativeInt(opts.maxFlips, "--max-flips") } : {}),
    ...(opts.since !== undefined ? { replay_since: sinceInstant(opts.since) } : {}),
  };
}

function nonNegativeInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw usageError(`${flag} must be a whole number >= 0`);
  return Number(value);
}

interface ReplayOptions {
  version: string;
  since: string;
  until?: string;
  limit: string;
  decision?: string;
  client?: string;
  cursor?: string;
}

interface ShadowOptions {
  since: string;
  until?: string;
  bucket: string;
}

export function registerReplayCommands(program: Command): void {
  const set = program.commands.find((c) => c.name() === "policy-set");
  if (!set) throw new Error("register the policy-set commands first");
  const setPath = (cmd: Command, id: string) => `${zonePath(globalOptions(cmd))}/policy-sets/${encodeURIComponent(id)}`;

  set
    .command("replay <policy-set>")
    .description("Replay recorded decisions against a version of this set: counts, and each flip with the policy and rule before and after")
    .requiredOption("--version <id>", "the candidate policy-set version of this set")
    .addOption(new Option("--since <when>", "decisions since (24h, 30m, 7d or RFC 3339)").default("24h"))
    .option("--until <when>", "decisions before (a duration ago or RFC 3339; default now)")
    .addOption(new Option("--limit <n>", "replay at most this many decisions").default("500"))
    .addOption(new Option("--decision <decision>", "only decisions recorded as allow or deny").choices(["allow", "deny"]))
    .option("--client <id>", "only this client's decisions")
    .option("--cursor <cursor>", "continue a previous replay (its next_cursor)")
    .action(async (id: string, opts: ReplayOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const total = positiveInt(opts.limit, "--limit");
      const window = {
        version: opts.version,
        since: sinceInstant(opts.since),
        ...(opts.until ? { until: sinceInstant(opts.until, "--until") } : {}),
        ...(opts.decision ? { decision: opts.decision } : {}),
        ...(opts.client ? { client: opts.client } : {}),
      };
      const api = apiClient(g);
      const sum: ReplayJson = {
        policy_set_version_id: opts.version,
        replayed: 0,
        unchanged: 0,
        allow_to_deny: 0,
        deny_to_allow: 0,
        errors: 0,
        flips: [],
        next_cursor: opts.cursor ?? null,
      };
      do {
        const limit = Math.min(PAGE, total - sum.replayed);
        const cursor = sum.next_cursor ? { cursor: sum.next_cursor } : {};
        const { body } = await api.post<ReplayJson>(`${setPath(cmd, id)}/replay`, { ...window, limit, ...cursor });
        for (const k of ["replayed", "unchanged", "allow_to_deny", "deny_to_allow", "errors"] as const) sum[k] += body[k];
        sum.flips.push(...body.flips);
        sum.next_cursor = body.next_cursor;
      } while (sum.next_cursor && sum.replayed < total);
      if (g.json) return printJson(sum);
      printFields([
        ["Candidate", sum.policy_set_version_id],
        ["Replayed", sum.replayed],
        ["Unchanged", sum.unchanged],
        ["Allow to deny", sum.allow_to_deny],
        ["Deny to allow", sum.deny_to_allow],
        ["Errors", sum.errors],
      ]);
      if (sum.flips.length > 0) process.stdout.write("Flips:\n");
      for (const flip of sum.flips) printFlip(flip);
      if (sum.next_cursor) note(`more: pass --cursor ${sum.next_cursor}`);
    });

  set
    .command("shadow-report <policy-set>")
    .description("How this set's shadow version agreed with the enforced decisions: rate, directions, clients, time buckets, examples")
    .addOption(new Option("--since <when>", "shadow decisions since (24h, 30m, 7d or RFC 3339)").default("24h"))
    .option("--until <when>", "before (a duration ago or RFC 3339; default now)")
    .addOption(new Option("--bucket <width>", "time bucket width").choices(["minute", "hour", "day"]).default("hour"))
    .action(async (id: string, opts: ShadowOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const query = new URLSearchParams({ since: sinceInstant(opts.since), bucket: opts.bucket });
      if (opts.until) query.set("until", sinceInstant(opts.until, "--until"));
      const { body } = await apiClient(g).get<ShadowReportJson>(`${setPath(cmd, id)}/shadow-report?${query}`);
      if (g.json) return printJson(body);
      printFields([
        ["Window", `${body.since} to ${body.until}`],
        ["Shadow versions", body.shadow_versions.join(", ") || "none"],
        ["Evaluated", body.evaluated],
        ["Agreed", body.agreed],
        ["Agreement rate", body.agreement_rate === null ? "-" : `${(body.agreement_rate * 100).toFixed(1)}%`],
        ["Allow to deny", body.allow_to_deny],
        ["Deny to allow", body.deny_to_allow],
        ["Shadow errors", body.shadow_errors],
        ...(body.unpaired > 0 ? ([["Unpaired", body.unpaired]] as [string, number][]) : []),
      ]);
      if (body.examples.allow_to_deny.length > 0)
        process.stdout.write(`Examples allow to deny: ${body.examples.allow_to_deny.join(" ")}\n`);
      if (body.examples.deny_to_allow.length > 0)
        process.stdout.write(`Examples deny to allow: ${body.examples.deny_to_allow.join(" ")}\n`);
      process.stdout.write("By client:\n");
      printTable(
        ["CLIENT", "EVALUATED", "AGREED", "ALLOW>DENY", "DENY>ALLOW", "EXAMPLES"],
        body.by_client.map((c) => [c.client_id, ...counts(c), c.examples.join(" ")]),
        "  ",
      );
      process.stdout.write(`By ${opts.bucket}:\n`);
      printTable(
        ["START", "EVALUATED", "AGREED", "ALLOW>DENY", "DENY>ALLOW"],
        body.buckets.map((b) => [b.start, ...counts(b)]),
        "  ",
      );
      if (body.truncated) note("truncated: the window holds more shadow decisions than one report reads; narrow --since/--until");
    });
}

function counts(t: { evaluated: number; agreed: number; allow_to_deny: number; deny_to_allow: number }): string[] {
  return [t.evaluated, t.agreed, t.allow_to_deny, t.deny_to_allow].map(String);
}

type Determining = FlipJson["determining_policies_before"][number];

function decider(d: Determining): string {
  const at = d.location ? ` at ${d.location.file}:${d.location.row}:${d.location.col}` : "";
  return `${d.policy_name} (${d.policy_version_id}) ${d.rule}${at}`;
}

/** One flip as an explain diff: which policy and rule decided before and after, and why. */
function printFlip(f: FlipJson): void {
  process.stdout.write(`  ${f.request_id}  ${f.from} -> ${f.to}  client ${f.client_id}  ${f.time}\n`);
  for (const d of f.determining_policies_before) process.stdout.write(`    before: ${decider(d)}\n`);
  if (f.reasons_before.length > 0) process.stdout.write(`      reasons: ${f.reasons_before.join("; ")}\n`);
  for (const d of f.determining_policies_after) process.stdout.write(`    after:  ${decider(d)}\n`);
  if (f.reasons.length > 0) process.stdout.write(`      reasons: ${f.reasons.join("; ")}\n`);
  if (f.error) process.stdout.write(`    error: ${f.error.code}: ${f.error.message}\n`);
}
