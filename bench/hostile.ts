/**
 * `npm run bench -- hostile`: each hostile construct (bench/hostile-cases.ts)
 * evaluated with the default step budget; prints how long it ran until the
 * budget (or a documented limit) stopped it: median and max CPU of the
 * process, max CPU of its main thread (where evaluation runs; the process
 * figure adds V8's background compiler and GC threads, busy in a cold first
 * run), median wall clock, of a few runs, and the steps it was charged. The
 * goal is that none runs longer than about 50 ms of CPU (medians ≤ 25 ms).
 */
import { DEFAULT_STEP_BUDGET, RegoError, compile, fromJS, prepare, type PreparedPolicy, type Value } from "../workers/rego/index.js";
import { HOSTILE_CASES } from "./hostile-cases.js";
import { fmtNs, mainThreadCpuNs } from "./stats.js";

type Doc = { input?: Value; data?: Value };
type Run = { budget: number; print?: (line: string) => void; trace?: boolean };

const discard = (): void => {};

/** How an evaluation ended: "ok", "eval_budget_exceeded", or another error's code and message. */
async function outcome(policy: PreparedPolicy, doc: Doc, options: Run): Promise<string> {
  try {
    await policy.evaluate("p/r", doc, options);
    return "ok";
  } catch (e) {
    if (!(e instanceof RegoError)) return `CRASH ${(e as Error).message}`;
    return e.code === "eval_budget_exceeded" ? e.code : `${e.code}: ${e.message}`;
  }
}

/**
 * Steps an evaluation is charged: the smallest budget under which it ends as
 * it ends with the default one (finished, or the same limit error), found by
 * bisection — the charges are deterministic. Used for the legitimate policies
 * too (bench/rego.ts, bench/bigpolicy.ts).
 */
export async function stepsCharged(policy: PreparedPolicy, doc: Doc, options: Run = { budget: DEFAULT_STEP_BUDGET }): Promise<number> {
  const budget = options.budget;
  const end = await outcome(policy, doc, options);
  if (end === "eval_budget_exceeded") return budget;
  let lo = 0;
  let hi = budget;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await outcome(policy, doc, { ...options, budget: mid })) === end) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * `only`: run the cases whose name contains it (for a quick look at a few).
 * `trace`: evaluate as the STS does, recording provenance and data paths
 * (which also turns off the shortcuts that would skip what explain lists).
 */
export async function benchHostile(runs = 5, only?: string, trace = false): Promise<string[]> {
  const lines = [
    `default budget ${DEFAULT_STEP_BUDGET} steps; ${runs} runs each: median and max CPU of the process, max CPU of the main thread, median wall; steps charged; outcome`,
  ];
  let worstMedian = 0;
  let worstMax = 0;
  let worstMainMax = 0;
  for (const c of HOSTILE_CASES) {
    if (only !== undefined && !c.name.includes(only)) continue;
    const compiled = compile({ modules: [{ name: "p.rego", source: c.source }], entrypoints: ["data.p.r"] });
    if (!compiled.plan) {
      lines.push(`${c.name.padEnd(60)} compile error: ${compiled.errors[0]?.message}`);
      continue;
    }
    const policy = prepare(compiled.plan);
    const doc: Doc = {};
    if (c.input !== undefined) doc.input = fromJS(c.input);
    if (c.data !== undefined) doc.data = fromJS(c.data);
    const options: Run = c.print ? { budget: DEFAULT_STEP_BUDGET, print: discard, trace } : { budget: DEFAULT_STEP_BUDGET, trace };
    const wall: number[] = [];
    const cpu: number[] = [];
    const main: number[] = [];
    let end = "";
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const m0 = mainThreadCpuNs();
      const t0 = process.hrtime.bigint();
      end = await outcome(policy, doc, options);
      wall.push(Number(process.hrtime.bigint() - t0));
      const m1 = mainThreadCpuNs();
      if (m0 !== undefined && m1 !== undefined) main.push(m1 - m0);
      const dc = process.cpuUsage(c0);
      cpu.push((dc.user + dc.system) * 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const med = cpu[Math.floor(runs / 2)] as number;
    const max = cpu[runs - 1] as number;
    worstMedian = Math.max(worstMedian, med);
    worstMax = Math.max(worstMax, max);
    const mainMax = main.length > 0 ? Math.max(...main) : undefined;
    if (mainMax !== undefined) worstMainMax = Math.max(worstMainMax, mainMax);
    const steps = await stepsCharged(policy, doc, options);
    const shown = end === "ok" ? "finished" : end === "eval_budget_exceeded" ? "budget" : end.slice(0, 90);
    lines.push(
      `${c.name.padEnd(60)} cpu ${fmtNs(med).padStart(9)}  max ${fmtNs(max).padStart(9)}  main max ${mainMax === undefined ? "n/a".padStart(9) : fmtNs(mainMax).padStart(9)}  wall ${fmtNs(wall[Math.floor(runs / 2)] as number).padStart(9)}  ${steps.toLocaleString("en").padStart(9)} steps  ${shown}`,
    );
  }
  lines.push(
    `worst median CPU: ${fmtNs(worstMedian)}; worst single run: ${fmtNs(worstMax)} (process), ${worstMainMax > 0 ? fmtNs(worstMainMax) : "n/a"} (main thread)`,
  );
  return lines;
}
