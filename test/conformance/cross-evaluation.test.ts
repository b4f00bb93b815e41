/**
 * The cross-evaluation oracle in `npm test`: one prepared policy per case,
 * evaluated again and again against the SAME data objects (as the edge does,
 * so rules over data are kept from one evaluation to the next:
 * eval/rule-cache.ts), must answer each evaluation — results, provenance,
 * data paths, errors, and whether a random small budget suffices — exactly
 * as a freshly prepared policy does. Inputs and data are the case's own and
 * mutations of them (differential.ts); a seeded slice of the cases.
 */
import { describe, expect, it } from "vitest";
import { RObject, RegoError, compile, prepare, toJSONText, type PreparedPolicy, type Value } from "../../workers/rego/index.js";
import { comparableCases, mutate, namedPaths, populate, rng } from "./differential.js";
import { expectationOf } from "./judge.js";

const NOW = 1_700_000_000_000_000_000n;

interface Run {
  input: Value | undefined;
  data: Value;
  strict: boolean;
  trace: boolean;
  budget: number | undefined;
}

async function outcome(policy: PreparedPolicy, run: Run): Promise<string> {
  const { input, data, strict, trace, budget } = run;
  try {
    const r = await policy.evaluate("eval", input === undefined ? { data } : { input, data }, { strict, nowNs: NOW, trace, budget });
    const rows = r.results.map(toJSONText).join(",");
    return trace ? `${rows} provenance ${JSON.stringify(r.provenance)} data ${JSON.stringify(r.dataPaths)}` : rows;
  } catch (e) {
    if (e instanceof RegoError) return `error ${e.code} ${e.message}`;
    throw e;
  }
}

describe("cross-evaluation oracle: a policy evaluated many times against the same data", () => {
  it("answers, traces and charges every evaluation as a fresh preparation does", async () => {
    const r = rng(29);
    const mismatches: string[] = [];
    let cases = 0;
    let runs = 0;
    for (const c of comparableCases()) {
      if (r() >= 0.25) continue;
      const want = expectationOf(c, "want_plan_result");
      const modules = (c.raw.modules as string[] | undefined) ?? [];
      const compiled = compile({ modules: modules.map((source, i) => ({ name: `t${i}.rego`, source })), query: c.raw.query as string });
      if (!compiled.plan) continue;
      cases++;
      const named = namedPaths([...modules, c.raw.query as string]);
      // Each data document is one object throughout, as a version's decoded data is at the edge.
      const datas: Value[] = [want.data];
      const other = r() < 0.5 ? populate(r, want.data, named.data) : mutate(r, want.data);
      if (other instanceof RObject) datas.push(other);
      const inputs: (Value | undefined)[] = [want.input];
      for (let m = 0; m < 4; m++) inputs.push(r() < 0.5 ? populate(r, want.input, named.input) : mutate(r, want.input));
      const plan = JSON.stringify(compiled.plan);
      const shared = prepare(plan);
      for (let k = 0; k < 8; k++) {
        const run: Run = {
          input: inputs[Math.floor(r() * inputs.length)],
          data: datas[Math.floor(r() * datas.length)] as Value,
          strict: want.strict,
          trace: r() < 0.4,
          budget: r() < 0.4 ? 1 + Math.floor(r() * 400) : undefined,
        };
        runs++;
        const fresh = await outcome(prepare(plan), run);
        const got = await outcome(shared, run);
        if (got !== fresh) mismatches.push(`${c.id} run ${k}: fresh ${fresh.slice(0, 300)}\n  kept ${got.slice(0, 300)}`);
      }
    }
    expect(cases).toBeGreaterThan(400);
    expect(runs).toBeGreaterThan(3200);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
