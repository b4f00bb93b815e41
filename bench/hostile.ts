/**
 * `npm run bench -- hostile`: each hostile construct (bench/hostile-cases.ts)
 * evaluated with the default step budget; prints how long it ran until the
 * budget (or a documented limit) stopped it, median and max of a few runs,
 * wall clock and CPU. The goal is that none runs longer than about 50 ms.
 */
import { DEFAULT_STEP_BUDGET, RegoError, compile, fromJS, prepare } from "../workers/rego/index.js";
import { HOSTILE_CASES } from "./hostile-cases.js";
import { fmtNs } from "./stats.js";

export function benchHostile(runs = 5): string[] {
  const lines = [`default budget ${DEFAULT_STEP_BUDGET} steps; ${runs} runs each (median / max wall, median CPU)`];
  let worst = 0;
  for (const c of HOSTILE_CASES) {
    const compiled = compile({ modules: [{ name: "p.rego", source: c.source }], entrypoints: ["data.p.r"] });
    if (!compiled.plan) {
      lines.push(`${c.name.padEnd(52)} compile error: ${compiled.errors[0]?.message}`);
      continue;
    }
    const policy = prepare(compiled.plan);
    const input = c.input === undefined ? undefined : fromJS(c.input);
    const wall: number[] = [];
    const cpu: number[] = [];
    let outcome = "";
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      try {
        policy.evaluateSync("p/r", input === undefined ? {} : { input });
        outcome = "FINISHED (no limit hit)";
      } catch (e) {
        outcome =
          e instanceof RegoError
            ? `${e.code}${e.code === "eval_budget_exceeded" ? "" : `: ${e.message}`}`
            : `CRASH ${(e as Error).message}`;
      }
      wall.push(Number(process.hrtime.bigint() - t0));
      const dc = process.cpuUsage(c0);
      cpu.push((dc.user + dc.system) * 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const med = wall[Math.floor(runs / 2)] as number;
    const max = wall[runs - 1] as number;
    worst = Math.max(worst, med);
    lines.push(
      `${c.name.padEnd(52)} median ${fmtNs(med).padStart(9)}  max ${fmtNs(max).padStart(9)}  cpu ${fmtNs(cpu[Math.floor(runs / 2)] as number).padStart(9)}  ${outcome}`,
    );
  }
  lines.push(`worst median: ${fmtNs(worst)}`);
  return lines;
}
