/**
 * prepare(text) checks the plan in place and lowers functions on their first
 * call; it must refuse the same plans, with the same errors, as prepare(object)
 * (the copying decoder with eager lowering), and give the same answers.
 */
import { describe, expect, it } from "vitest";
import { compile, fromJS, prepare, toJS } from "../../../workers/rego/index.js";

function planOf(source: string, entrypoints: string[]): Record<string, unknown> {
  const r = compile({ modules: [{ name: "p.rego", source }], entrypoints });
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return JSON.parse(JSON.stringify(r.plan)) as Record<string, unknown>;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return "no error";
}

const POLICY = `package p
f(x) := y if y := x * 2
g(s) := upper(s)
allow if f(input.n) > 2
names := [g(n) | some n in input.names]
`;

describe("prepare from plan text", () => {
  it("answers as prepare of the plan object", () => {
    const plan = planOf(POLICY, ["data.p.allow", "data.p.names"]);
    const input = { n: 2, names: ["a", "b"] };
    for (const e of ["p/allow", "p/names"]) {
      const fromText = prepare(JSON.stringify(plan)).evaluateSync(e, { input: fromJS(input) });
      const fromObject = prepare(plan).evaluateSync(e, { input: fromJS(input) });
      expect(fromText.results.map(toJS)).toEqual(fromObject.results.map(toJS));
    }
    expect(
      prepare(JSON.stringify(plan))
        .evaluateSync("p/names", { input: fromJS(input) })
        .results.map(toJS),
    ).toEqual([{ result: ["A", "B"] }]);
  });

  it("refuses a malformed plan with the copying decoder's error and path", () => {
    const plan = planOf(POLICY, ["data.p.allow"]);
    const funcs = (plan.funcs as { funcs: { blocks: { stmts: { type: string; stmt: Record<string, unknown> }[] }[] }[] }).funcs;
    const stmt = funcs[0]?.blocks[0]?.stmts[0];
    if (!stmt) throw new Error("no statement");
    stmt.type = "NoSuchStmt";
    const text = JSON.stringify(plan);
    const err = errorOf(() => prepare(text));
    expect(err).toMatch(/^plan_error: plan\.funcs\.funcs\[0\]\.blocks\[0\]\.stmts\[0\]\.type: unknown statement type/);
    expect(err).toBe(errorOf(() => prepare(JSON.parse(text))));
  });

  it("refuses an unknown built-in at prepare, not at the first call", () => {
    const plan = planOf(POLICY, ["data.p.names"]);
    const text = JSON.stringify(plan).replaceAll('"upper"', '"no.such_builtin"');
    const err = errorOf(() => prepare(text));
    expect(err).toMatch(/plan_error: .*unknown function no\.such_builtin/);
    expect(err).toBe(errorOf(() => prepare(JSON.parse(text))));
  });

  it("refuses a forbidden built-in and a wrong arity at prepare", () => {
    const plan = planOf(POLICY, ["data.p.names"]);
    const forbidden = JSON.stringify(plan).replaceAll('"upper"', '"http.send"');
    expect(errorOf(() => prepare(forbidden))).toBe(errorOf(() => prepare(JSON.parse(forbidden))));
    expect(errorOf(() => prepare(forbidden))).toMatch(/^rego_type_error: http\.send/);
  });

  it("refuses invalid JSON and a non-object plan", () => {
    expect(errorOf(() => prepare("{"))).toMatch(/^plan_error: plan: invalid JSON/);
    expect(errorOf(() => prepare("[]"))).toBe("plan_error: plan: expected an object");
  });
});
