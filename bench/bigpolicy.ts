/**
 * Big-policy benchmark (issue 11, item 5): the generated inventory policy of
 * bigpolicy-gen.ts (≈ 340 KB of Rego in 24 modules over ≈ 1.5 MB of data).
 * Reports compile (to the compact plan a version stores), prepare (of that
 * text, as an isolate receives it, and of the plan JSON that older versions
 * store) and evaluation, median and p99, and the plan's size in both forms; then evaluates the
 * same policy side by side with the engine of this starting commit,
 * alternating runs in one process, and prints the ratio.
 *
 * The base engine is loaded by base-engine.ts; without it the comparison is
 * skipped.
 */
import * as current from "../workers/rego/index.js";
import { type Engine, loadBase } from "./base-engine.js";
import { bigPolicy } from "./bigpolicy-gen.js";
import { fmtNs, line, summarize, timeNs } from "./stats.js";

/** What a policy version stores (workers/admin/policy-versions.ts): the compact form. */
function compactPlanOf(bp: ReturnType<typeof bigPolicy>): string {
  const r = current.compile({ modules: bp.modules, entrypoints: bp.entrypoints });
  if (!r.plan) throw new Error(`big policy does not compile: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return current.encodeCompactPlan(r.plan);
}

/** CPU nanoseconds (user + system) of one call: steadier than wall time on a shared, loaded machine. */
function cpuNs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) * 1000;
}

/** The generated policy's evaluation does far more than the default budget allows; the bench measures speed, not the bound. */
const BUDGET = 1e12;

function planOf(engine: Engine, bp: ReturnType<typeof bigPolicy>): string {
  const r = engine.compile({ modules: bp.modules, entrypoints: bp.entrypoints });
  if (!r.plan) throw new Error(`big policy does not compile: ${JSON.stringify(r.errors.slice(0, 3))}`);
  return JSON.stringify(r.plan);
}

/**
 * The evaluations compared side by side. The edge keeps each version's data decoded, so
 * requests share one data document and this engine keeps the values of rules that read only
 * data (eval/rule-cache.ts); `uncached` alternates two decoded copies of the data, so no kept
 * value applies and every rule is computed, as on the first request for a version.
 */
const WORKLOADS = [
  ["uncached", "evaluate data.inventory.main.report, data alternating between two decoded copies (every rule computed)"],
  ["decision", "evaluate data.inventory.main.decision, 3 rotating inputs, one data document (per-request decisions)"],
  ["report", "evaluate data.inventory.main.report, one data document"],
  ["traced", "evaluate data.inventory.main.decision as the STS does (provenance and data paths traced), 3 rotating inputs"],
] as const;

type Workload = (typeof WORKLOADS)[number][0];

function workloads(engine: Engine, policy: current.PreparedPolicy, bp: ReturnType<typeof bigPolicy>): Record<Workload, () => void> {
  const copies = [engine.fromJS(bp.data), engine.fromJS(bp.data)];
  const inputs = bp.inputs.map((x) => engine.fromJS(x));
  const data = copies[0];
  // Counted per call, not per run index: each run is timed twice (wall, then CPU).
  let calls = 0;
  const run = (entrypoint: string, input: current.Value | undefined, d: current.Value | undefined, trace = false) =>
    void policy.evaluateSync(entrypoint, { input, data: d }, { budget: BUDGET, trace });
  return {
    uncached: () => run("inventory/main/report", inputs[0], copies[calls++ % 2]),
    decision: () => run("inventory/main/decision", inputs[calls++ % inputs.length], data),
    report: () => run("inventory/main/report", inputs[0], data),
    traced: () => run("inventory/main/decision", inputs[calls++ % inputs.length], data, true),
  };
}

export async function benchBigPolicy(): Promise<string[]> {
  const bp = bigPolicy();
  const out: string[] = [
    `policy: ${bp.modules.length} modules, ${(bp.regoBytes / 1024).toFixed(0)} KB of Rego; data ${(bp.dataBytes / 1e6).toFixed(2)} MB JSON`,
  ];
  const compileRuns = Number(process.env.BIGPOLICY_COMPILE_RUNS ?? 8);
  const evalRuns = Number(process.env.BIGPOLICY_EVAL_RUNS ?? 12);

  let compact = "";
  const compileSamples = Array.from({ length: compileRuns }, () => timeNs(() => void (compact = compactPlanOf(bp))));
  out.push(line("compile (parse + check + plan + compact encoding)", summarize(compileSamples)));
  out.push(line("  CPU time", summarize(Array.from({ length: compileRuns }, () => cpuNs(() => void compactPlanOf(bp))))));
  const text = planOf(current, bp);
  out.push(
    line("  CPU time to plan JSON instead", summarize(Array.from({ length: compileRuns }, () => cpuNs(() => void planOf(current, bp))))),
  );
  out.push(`plan size: ${(compact.length / 1e6).toFixed(2)} MB compact (stored), ${(text.length / 1e6).toFixed(2)} MB of JSON`);

  let policy: current.PreparedPolicy | undefined;
  const prepareSamples = Array.from({ length: 20 }, () => timeNs(() => void (policy = current.prepare(compact))));
  out.push(line("prepare (compact plan text → program)", summarize(prepareSamples)));
  out.push(line("  CPU time", summarize(Array.from({ length: 20 }, () => cpuNs(() => void current.prepare(compact))))));
  out.push(line("  of which JSON.parse alone (CPU)", summarize(Array.from({ length: 20 }, () => cpuNs(() => void JSON.parse(compact))))));
  out.push(
    line("prepare (plan JSON text → program), CPU", summarize(Array.from({ length: 20 }, () => cpuNs(() => void current.prepare(text))))),
  );
  out.push(line("  of which JSON.parse alone (CPU)", summarize(Array.from({ length: 20 }, () => cpuNs(() => void JSON.parse(text))))));
  // A freshly prepared policy's first evaluation: what the first request after activation pays
  // (functions are lowered as it reaches them). CPU time, median of 3 fresh preparations each.
  const data = current.fromJS(bp.data);
  const doc = { input: current.fromJS(bp.inputs[0]), data };
  const firstEval = (planText: string) => {
    const fresh = current.prepare(planText);
    return cpuNs(() => void fresh.evaluateSync("inventory/main/report", doc, { budget: BUDGET }));
  };
  // One untimed round each so neither form pays the interpreter's warm-up, then alternating rounds.
  firstEval(compact);
  firstEval(text);
  const firstCompact: number[] = [];
  const firstJSON: number[] = [];
  for (let i = 0; i < 3; i++) {
    firstCompact.push(firstEval(compact));
    firstJSON.push(firstEval(text));
  }
  out.push(
    `first evaluation after prepare (CPU p50 of 3, alternating): ${fmtNs(summarize(firstCompact).p50)} (of the plan JSON: ${fmtNs(summarize(firstJSON).p50)})`,
  );
  const prepared = policy as current.PreparedPolicy;
  const expected = JSON.stringify(prepared.evaluateSync("inventory/main/report", doc, { budget: BUDGET }).results.map(current.toJS));

  const base = await loadBase();
  if (typeof base === "string") {
    const samples = Array.from({ length: evalRuns }, () =>
      timeNs(() => void prepared.evaluateSync("inventory/main/report", doc, { budget: BUDGET })),
    );
    out.push(line("evaluate data.inventory.main.report", summarize(samples)));
    out.push(`side by side: skipped — ${base}`);
    return out;
  }
  const baseText = planOf(base, bp);
  const basePolicy = base.prepare(baseText);
  const baseDoc = { input: base.fromJS(bp.inputs[0]), data: base.fromJS(bp.data) };
  const baseGot = JSON.stringify(basePolicy.evaluateSync("inventory/main/report", baseDoc, { budget: BUDGET }).results.map(base.toJS));
  if (baseGot !== expected) throw new Error("the base engine and this one disagree on the big policy's report");
  const oursOn = workloads(current, prepared, bp);
  const theirsOn = workloads(base, basePolicy, bp);
  for (const [name, describe] of WORKLOADS) {
    const ours = oursOn[name];
    const theirs = theirsOn[name];
    const wall: [number[], number[]] = [[], []];
    const cpu: [number[], number[]] = [[], []];
    for (let i = 0; i < evalRuns; i++) {
      wall[0].push(timeNs(ours));
      wall[1].push(timeNs(theirs));
      cpu[0].push(cpuNs(ours));
      cpu[1].push(cpuNs(theirs));
    }
    const [o, t, oc, tc] = [summarize(wall[0]), summarize(wall[1]), summarize(cpu[0]), summarize(cpu[1])];
    out.push(describe);
    out.push(line("  this engine", o));
    out.push(line("  engine of 3b255a0 (alternating runs)", t));
    out.push(line("  CPU time, this engine", oc));
    out.push(line("  CPU time, engine of 3b255a0", tc));
    out.push(`  speed-up over 3b255a0: ${(t.p50 / o.p50).toFixed(2)}× (wall p50), ${(tc.p50 / oc.p50).toFixed(2)}× (CPU p50)`);
  }
  const baseCompile = Array.from({ length: compileRuns }, () => cpuNs(() => void planOf(base, bp)));
  out.push(line("  compile CPU time, engine of 3b255a0", summarize(baseCompile)));
  const basePrepare = Array.from({ length: 20 }, () => cpuNs(() => void base.prepare(baseText)));
  out.push(line("  prepare CPU time, engine of 3b255a0", summarize(basePrepare)));
  out.push(`  plan size, engine of 3b255a0: ${(baseText.length / 1e6).toFixed(2)} MB`);
  return out;
}
