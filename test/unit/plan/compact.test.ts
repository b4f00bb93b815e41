/**
 * The compact stored plan form (workers/rego/plan/compact.ts): it must decode
 * to the plan the JSON decoder reads, evaluate to the same answers on OPA's
 * conformance cases (OPA's own plans and the plans our front end makes), and
 * refuse a malformed compact plan with a plan_error, never a crash.
 */
import { describe, expect, it } from "vitest";
import {
  RegoError,
  compile,
  decodePlan,
  encodeCompactPlan,
  fromJS,
  isCompactPlanText,
  prepare,
  toJSONText,
  type Plan,
  type Value,
} from "../../../workers/rego/index.js";
import { loadCases, type CaseRecord } from "../../conformance/cases.js";
import { rng } from "../../conformance/differential.js";
import { expectationOf } from "../../conformance/judge.js";
import { VENDORED_SUITES } from "../../conformance/suite-dir.js";

/** A decoded plan as plain data (the compact decoder's functions build their blocks on first read). */
function plain(p: Plan): unknown {
  return {
    static: p.static,
    plans: p.plans,
    funcs: {
      funcs: p.funcs.funcs.map((f) => ({
        name: f.name,
        params: f.params,
        return: f.return,
        blocks: f.blocks,
        ...(f.path ? { path: f.path } : {}),
      })),
    },
  };
}

/** Every entrypoint's rows, or the error, as text: what two preparations of one plan must agree on. */
async function outcome(planText: string, entrypoints: string[], input: Value | undefined, data: Value, strict: boolean): Promise<string> {
  try {
    const prepared = prepare(planText);
    const out: string[] = [];
    for (const e of entrypoints) out.push(toJSONText((await prepared.evaluate(e, { input, data }, { strict })).results));
    return out.join("\n");
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    return `${e.code}: ${e.message}`;
  }
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectPlanError(text: string, message?: RegExp): void {
  const e = errorOf(() => prepare(text));
  expect(e).toBeInstanceOf(RegoError);
  expect((e as RegoError).code).toBe("plan_error");
  if (message) expect((e as RegoError).message).toMatch(message);
}

function expectationOrNull(c: CaseRecord, field: "want_result" | "want_plan_result") {
  try {
    return expectationOf(c, field);
  } catch {
    return null;
  }
}

describe("compact plan form", () => {
  it("round-trips OPA's conformance plans: same decoded plan, same answers as the plan JSON", async () => {
    const cases = loadCases(`${VENDORED_SUITES}opa-plans/v1`);
    expect(cases.length).toBeGreaterThan(2000);
    let compared = 0;
    for (const c of cases) {
      const want = expectationOrNull(c, "want_plan_result");
      if (!want || c.raw.plan === undefined) continue;
      const json = JSON.stringify(c.raw.plan);
      let decoded: Plan;
      try {
        decoded = decodePlan(json);
      } catch {
        continue; // a plan the JSON decoder refuses has no compact form
      }
      const compact = encodeCompactPlan(decoded);
      expect(isCompactPlanText(compact)).toBe(true);
      expect(plain(decodePlan(compact)), c.id).toEqual(plain(decoded));
      const entrypoints = (c.raw.entrypoints as string[] | undefined) ?? ["eval"];
      const a = await outcome(json, entrypoints, want.input, want.data, want.strict);
      const b = await outcome(compact, entrypoints, want.input, want.data, want.strict);
      expect(b, c.id).toBe(a);
      compared++;
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it("round-trips the plans our front end makes for OPA's YAML cases", async () => {
    const cases = loadCases(`${VENDORED_SUITES}opa-cases/v1`);
    let compared = 0;
    for (const c of cases) {
      const query = c.fields.getString("query");
      const want = expectationOrNull(c, "want_result");
      if (typeof query !== "string" || !want) continue;
      const modules = ((c.fields.getString("modules") as Value[] | undefined) ?? []).map((m, i) => ({
        name: `test-${i}.rego`,
        source: String(m),
      }));
      const compiled = compile({ modules, query });
      if (!compiled.plan) continue;
      const json = JSON.stringify(compiled.plan);
      const compact = encodeCompactPlan(compiled.plan);
      expect(compact.length).toBeLessThan(json.length);
      const a = await outcome(json, ["eval"], want.input, want.data, want.strict);
      const b = await outcome(compact, ["eval"], want.input, want.data, want.strict);
      expect(b, c.id).toBe(a);
      compared++;
    }
    expect(compared).toBeGreaterThan(1500);
  });

  const POLICY = `package p
f(x) := y if y := x * 2
allow if f(input.n) > 2
names := [upper(n) | some n in input.names]
any_a if { some n in input.names; is_a(n) }
is_a(n) if n == "a"
`;
  const compiled = compile({
    modules: [{ name: "p.rego", source: POLICY }],
    entrypoints: ["data.p.allow", "data.p.names", "data.p.any_a"],
  });
  if (!compiled.plan) throw new Error(JSON.stringify(compiled.errors));
  const plan = compiled.plan;
  const text = encodeCompactPlan(plan);
  const raw = () => JSON.parse(text) as Record<string, unknown> & { code: unknown[]; funcs: unknown[][]; plans: unknown[][] };
  const edit = (f: (r: ReturnType<typeof raw>) => void) => {
    const r = raw();
    f(r);
    return JSON.stringify(r);
  };

  it("evaluates as the plan JSON does", () => {
    const input = fromJS({ n: 2, names: ["a", "b"] });
    for (const e of ["p/allow", "p/names", "p/any_a"]) {
      const got = prepare(text).evaluateSync(e, { input }).results;
      expect(toJSONText(got)).toBe(toJSONText(prepare(JSON.stringify(plan)).evaluateSync(e, { input }).results));
    }
    expect(toJSONText(prepare(text).evaluateSync("p/names", { input }).results)).toBe('[{"result":["A","B"]}]');
  });

  it("refuses corrupted compact plans with a plan_error", () => {
    const r = raw();
    const codeLength = r.code.length;
    expectPlanError(text.slice(0, text.length - 20), /invalid JSON/);
    expectPlanError(
      edit((x) => (x.caracal_compact_plan = 2)),
      /unsupported compact plan version/,
    );
    expectPlanError(
      edit((x) => delete (x as Record<string, unknown>).code),
      /plan\.code/,
    );
    expectPlanError(
      edit((x) => (x.strings = [1])),
      /plan\.strings\[0\]/,
    );
    expectPlanError(
      edit((x) => (x.names = "f")),
      /plan\.names/,
    );
    expectPlanError(
      edit((x) => (x.builtin_funcs = [{}])),
      /plan\.builtin_funcs\[0\]/,
    );
    // truncated code: every range that reached the end now runs past it
    expectPlanError(edit((x) => (x.code = x.code.slice(0, codeLength - 3))));
    // ranges out of bounds or overlapping wrongly
    expectPlanError(
      edit((x) => ((x.funcs[0] as unknown[])[4] = codeLength + 10)),
      /code range/,
    );
    expectPlanError(edit((x) => ((x.funcs[0] as unknown[])[4] = ((x.funcs[0] as unknown[])[4] as number) + 1)));
    expectPlanError(
      edit((x) => ((x.plans[0] as unknown[])[1] = -1)),
      /code range/,
    );
    expectPlanError(
      edit((x) => (x.funcs[0] = ["f"])),
      /plan\.funcs\[0\]/,
    );
    expectPlanError(
      edit((x) => ((x.funcs[0] as unknown[])[0] = 9999)),
      /name index/,
    );
    expectPlanError(
      edit((x) => ((x.funcs[0] as unknown[])[2] = -1)),
      /local index/,
    );
    expectPlanError(
      edit((x) => ((x.funcs[0] as unknown[])[5] = [9999])),
      /name index/,
    );
    // duplicate names, as the JSON decoder refuses them
    expectPlanError(
      edit((x) => x.funcs.push(x.funcs[0] as unknown[])),
      /duplicate function/,
    );
    // a statement type that does not exist, a non-integer, a negative index
    const start = (r.funcs[0] as number[])[3] as number;
    // blocks count, statements count, then the first statement's type
    expectPlanError(
      edit((x) => (x.code[start + 2] = 99)),
      /unknown statement type 99/,
    );
    expectPlanError(
      edit((x) => (x.code[start + 2] = 1.5)),
      /non-negative integer/,
    );
    expectPlanError(
      edit((x) => (x.code[start + 2] = "1")),
      /non-negative integer/,
    );
    expectPlanError(
      edit((x) => (x.code[start] = -1)),
      /non-negative integer/,
    );
    expectPlanError(
      edit((x) => ((x as Record<string, unknown>).code = {})),
      /plan\.code/,
    );
  });

  it("refuses a string index, break depth or call target out of range", () => {
    const base = decodePlan(JSON.stringify(plan));
    const withStmt = (stmt: unknown) => {
      const p = JSON.parse(JSON.stringify(plain(base))) as { funcs: { funcs: { blocks: { stmts: unknown[] }[] }[] } };
      p.funcs.funcs[0]?.blocks[0]?.stmts.push(stmt);
      return p as unknown as Plan;
    };
    // The encoder writes what it is given; the decoder checks it.
    expectPlanError(encodeCompactPlan(withStmt({ type: "BreakStmt", stmt: { index: 3 } })), /break leaves 4 blocks but only 1/);
    expectPlanError(
      encodeCompactPlan(withStmt({ type: "IsSetStmt", stmt: { source: { type: "string_index", value: 99999 } } })),
      /invalid operand/,
    );
    expectPlanError(
      encodeCompactPlan(
        withStmt({ type: "WithStmt", stmt: { local: 0, path: [99999], value: { type: "bool", value: true }, block: { stmts: [] } } }),
      ),
      /string index 99999/,
    );
    expectPlanError(encodeCompactPlan(withStmt({ type: "MakeNullStmt", stmt: { target: 1 << 21 } })), /local index/);
    expectPlanError(encodeCompactPlan(withStmt({ type: "MakeNullStmt", stmt: { target: 1, file: 999 } })), /file index 999/);
    // an unknown function is refused at prepare, as with plan JSON
    const unknown = encodeCompactPlan(withStmt({ type: "CallStmt", stmt: { func: "no.such_builtin", args: [], result: 3 } }));
    expectPlanError(unknown, /unknown function no\.such_builtin/);
  });

  it("never crashes on randomly corrupted code (seeded)", () => {
    const rand = rng(12345);
    const input = fromJS({ n: 3, names: ["a", "z"] });
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const corrupted = edit((x) => {
        for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
          const at = Math.floor(rand() * x.code.length);
          const choices = [0, 1, 2, 3, 7, 8, 33, 34, -1, 1 << 22, Math.floor(rand() * 64)];
          x.code[at] = choices[Math.floor(rand() * choices.length)];
        }
      });
      try {
        const p = prepare(corrupted);
        for (const e of p.entrypoints) {
          try {
            p.evaluateSync(e, { input }, { budget: 10_000 });
          } catch (err) {
            if (!(err instanceof RegoError)) throw err;
          }
        }
      } catch (err) {
        if (!(err instanceof RegoError)) throw new Error(`corruption ${i} crashed: ${(err as Error).stack}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(200);
  });
});
