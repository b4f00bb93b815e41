import type { Command } from "commander";
import type { ActivationJson, PageJson, PolicySetDetailJson, PolicySetJson, PolicySetVersionJson } from "../api-types.js";
import { apiClient, globalOptions, zonePath } from "../context.js";
import { usageError } from "../errors.js";
import { note, printFields, printJson, printTable } from "../output.js";
import { replayGate, type ActivateOptions } from "./replay.js";
import { noteNextPage, pageQuery, withPageOptions, type PageOptions } from "./shared.js";

export function registerPolicySetCommands(program: Command): void {
  const set = program
    .command("policy-set")
    .description("Policy sets: versioned, ordered bundles of policy versions; one is active per zone");
  const setPath = (cmd: Command, id: string) => `${zonePath(globalOptions(cmd))}/policy-sets/${encodeURIComponent(id)}`;

  set
    .command("create")
    .description("Create a policy set")
    .requiredOption("--name <name>", "policy set name (unique in the zone)")
    .action(async (opts: { name: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<PolicySetJson>(`${zonePath(g)}/policy-sets`, { name: opts.name });
      if (g.json) return printJson(body);
      printFields([["ID", body.id]]);
    });

  set
    .command("version <policy-set>")
    .description("Add a version: policy versions evaluated in order, first non-deny wins (the same list returns the existing version)")
    .requiredOption("--policy-versions <ids>", "comma-separated policy version ids, e.g. pv-a,pv-b")
    .option("--run-tests", "first run the *_test.rego tests in each version's bundle (as opa test); refuse the version if any fails")
    .action(async (id: string, opts: { policyVersions: string; runTests?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const ids = opts.policyVersions
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (ids.length === 0) throw usageError("--policy-versions needs at least one policy version id");
      const duplicate = firstDuplicate(ids);
      if (duplicate) throw usageError(duplicate);
      const { status, body } = await apiClient(g).post<PolicySetVersionJson>(`${setPath(cmd, id)}/versions`, {
        policy_version_ids: ids,
        ...(opts.runTests ? { run_tests: true } : {}),
      });
      if (g.json) return printJson(body);
      printFields([
        ["ID", body.id],
        ...(body.tests
          ? [
              [
                "Tests",
                `${body.tests.passed} passed, ${body.tests.skipped} skipped (${body.tests.versions_tested} policy versions with tests)`,
              ] as [string, string],
            ]
          : []),
      ]);
      if (status === 200) note("unchanged: an existing version has this list");
    });

  set
    .command("activate <policy-set>")
    .description("Make a version of this set the zone's active one (rollback = activate an earlier version)")
    .requiredOption("--version <id>", "policy-set version of this set to enforce")
    .option("--shadow <id>", "policy-set version to evaluate alongside without enforcing (none if absent)")
    .option("--require-replay", "first replay recent decisions against the version; refuse if more than --max-flips flip")
    .option("--max-flips <n>", "flips --require-replay tolerates (default 0)")
    .option("--since <when>", "window --require-replay replays (24h, 30m, 7d or RFC 3339; default 24h)")
    .action(async (id: string, opts: ActivateOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).post<ActivationJson>(`${setPath(cmd, id)}/activate`, {
        version: opts.version,
        ...(opts.shadow ? { shadow: opts.shadow } : {}),
        ...replayGate(opts),
      });
      if (g.json) return printJson(body);
      printFields([
        ["Active version", body.active_version_id],
        ["Shadow version", body.shadow_version_id ?? "none"],
        ["Activation", `#${body.seq} by ${body.activated_by} at ${body.activated_at}`],
      ]);
    });

  set
    .command("get <policy-set>")
    .description("Show a policy set: versions, active and shadow version, activation history")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { body } = await apiClient(g).get<PolicySetDetailJson>(setPath(cmd, id));
      if (g.json) return printJson(body);
      printFields([
        ["ID", body.id],
        ["Name", body.name],
        ["Active version", body.activation?.active_version_id ?? "none (not the zone's active set)"],
        ["Shadow version", body.activation?.shadow_version_id ?? "none"],
        ...(body.isolates ? ([["Isolates", isolatesLine(body.isolates)]] as [string, string][]) : []),
      ]);
      process.stdout.write("Versions:\n");
      printTable(
        ["ID", "POLICY VERSIONS", "CREATED"],
        body.versions.map((v) => [v.id, v.policy_version_ids.join(","), v.created_at]),
        "  ",
      );
      process.stdout.write("History:\n");
      printTable(
        ["SEQ", "FROM", "TO", "SHADOW", "BY", "AT"],
        body.history.map((h) => [
          String(h.seq),
          h.from_version_id ?? "-",
          h.to_version_id,
          h.shadow_version_id ?? "-",
          h.actor,
          h.activated_at,
        ]),
        "  ",
      );
    });

  withPageOptions(set.command("list").description("List the zone's policy sets")).action(async (opts: PageOptions, cmd: Command) => {
    const g = globalOptions(cmd);
    const { body } = await apiClient(g).get<PageJson<PolicySetJson>>(`${zonePath(g)}/policy-sets${pageQuery(opts)}`);
    if (g.json) return printJson(body);
    printTable(
      ["ID", "NAME", "CREATED"],
      body.items.map((s) => [s.id, s.name, s.created_at]),
    );
    noteNextPage(body);
  });
}

/** `--policy-versions a,b,a`: which id repeats and where, in the flag's own terms (positions count from 1). */
export function firstDuplicate(ids: string[]): string | undefined {
  const seen = new Map<string, number>();
  for (const [i, id] of ids.entries()) {
    const first = seen.get(id);
    if (first !== undefined) {
      return `--policy-versions lists ${id} twice (positions ${first + 1} and ${i + 1}); a policy-set version lists each policy version once`;
    }
    seen.set(id, i);
  }
  return undefined;
}

/**
 * Isolates report what they enforce while they serve requests, and a report lapses after 30 s;
 * an idle stack has none, which is not a failure ("0 of 0" read as one).
 */
export function isolatesLine(isolates: { reporting: number; running_active: number }): string {
  if (isolates.reporting === 0) return "no isolate has reported in the last 30 s (isolates report while they serve requests)";
  return `${isolates.running_active} of ${isolates.reporting} reporting isolates run the active version`;
}
