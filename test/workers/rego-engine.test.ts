/**
 * The Rego engine inside workerd, where eval, new Function and compiling
 * WebAssembly from bytes are forbidden: OPA plan cases (including ones whose
 * built-ins go through WebCrypto) evaluate as OPA does, and a policy compiles
 * from source and evaluates.
 */
import { describe, expect, it } from "vitest";
import { type RObject, compile, fromJS, parseJSON, prepare, toJSONText } from "../../workers/rego/index.js";
import { runPlanCase } from "../conformance/plans.js";
import aggregates from "../conformance/opa/opa-plans/v1/aggregates/test-aggregates-0001.json?raw";
import jwtRsa from "../conformance/opa/opa-plans/v1/jwtverifyrsa/test-jwtverifyrsa-0404.json?raw";
import jwtEddsa from "../conformance/opa/opa-plans/v1/jwtverifyeddsa/test-jwtverifyeddsa.json?raw";
import timeCases from "../conformance/opa/opa-plans/v1/time/test-time-0950.json?raw";
import withCases from "../conformance/opa/opa-plans/v1/withkeyword/test-with-builtin-mock.json?raw";

function casesOf(topic: string, text: string) {
  const exact = parseJSON(text) as RObject;
  const raw = JSON.parse(text) as { cases: Record<string, unknown>[] };
  return raw.cases.map((c, i) => ({
    id: `${topic}#${i}`,
    topic,
    note: String(c.note),
    fields: (exact.getString("cases") as RObject[])[i] as RObject,
    raw: c,
  }));
}

describe("Rego engine in workerd", () => {
  it("evaluates OPA's plans as OPA does", async () => {
    const all = [
      ...casesOf("aggregates", aggregates),
      ...casesOf("jwtverifyrsa", jwtRsa),
      ...casesOf("jwtverifyeddsa", jwtEddsa),
      ...casesOf("time", timeCases),
      ...casesOf("withkeyword", withCases),
    ];
    const outcomes = await Promise.all(all.map((c) => runPlanCase(c)));
    const failed = outcomes.filter((o) => o.outcome === "failed").map((o) => `${o.id} ${o.note}: ${o.detail}`);
    expect(failed).toEqual([]);
    expect(outcomes.filter((o) => o.outcome === "passed").length).toBeGreaterThan(30);
  });

  it("compiles a policy from source and evaluates it", async () => {
    const { plan, errors } = compile({
      modules: [
        {
          name: "payments.rego",
          source: `package payments
default allow := false
allow if {
  some role in input.roles
  role == "payer"
  count(input.amounts) > 0
}
deny contains "too much" if sum(input.amounts) > 100
`,
        },
      ],
      entrypoints: ["data.payments.allow", "data.payments.deny"],
    });
    expect(errors).toEqual([]);
    const policy = prepare(plan);
    const input = fromJS({ roles: ["payer"], amounts: [60, 70] });
    const allow = await policy.evaluate("payments/allow", { input }, { trace: true });
    expect(toJSONText(allow.results)).toBe('[{"result":true}]');
    expect(allow.provenance?.find((p) => p.rule === "data.payments.allow")?.locations[0]).toMatchObject({ file: "payments.rego", row: 3 });
    const deny = await policy.evaluate("payments/deny", { input });
    expect(toJSONText(deny.results)).toBe('[{"result":["too much"]}]');
  });
});
