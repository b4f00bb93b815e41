/**
 * The console's engine side (console/engine.ts) in Node: what the playground and the bundle view
 * run in the browser — the upload's compile step and the STS's set evaluation, and the Worker's
 * archive reader.
 */
import { describe, expect, it } from "vitest";
import { evaluatePolicy, readBundleFiles } from "../../../console/engine.js";
import { writeTarGz } from "../../../workers/bundle/tar.js";

const POLICY = `package payments

import data.limits

default allow := false

allow if {
  input.subject.claims.role == "payer"
  input.amount <= limits.max
}

deny contains "blocked" if input.subject.claims.blocked

ttl := 300 if allow
`;
const FILES = [
  { path: "payments.rego", content: POLICY },
  { path: "limits/data.json", content: '{"max": 100}' },
];
const input = (claims: Record<string, unknown>, amount = 10) => JSON.stringify({ subject: { claims }, amount, request: { time_ns: 1 } });

describe("console engine", () => {
  it("reads a bundle's files from its tar.gz, in path order", async () => {
    const files = await readBundleFiles(await writeTarGz([...FILES].reverse()));
    expect(files).toEqual([...FILES].sort((a, b) => (a.path < b.path ? -1 : 1)));
  });

  it("allows with the deciding rule, its location and the obligations, using the bundle's data", async () => {
    const r = await evaluatePolicy(FILES, 1, undefined, input({ role: "payer" }));
    expect(r.kind).toBe("decision");
    if (r.kind !== "decision") return;
    expect(r.decision).toMatchObject({
      decision: "allow",
      status: "ok",
      determining: [{ rule: "data.payments.allow", location: { file: "payments.rego", row: 7 } }],
      obligations: { ttl: 300, scope: null, claims: {} },
    });
  });

  it("denies with the policy's reasons, and on the data (amount above the limit)", async () => {
    const blocked = await evaluatePolicy(FILES, 1, undefined, input({ role: "payer", blocked: true }));
    expect(blocked.kind === "decision" && blocked.decision).toMatchObject({
      decision: "deny",
      reasons: ["playground: blocked"],
      determining: [{ rule: "data.payments.deny" }],
    });
    const over = await evaluatePolicy(FILES, 1, undefined, input({ role: "payer" }, 1000));
    expect(over.kind === "decision" && over.decision).toMatchObject({ decision: "deny", reasons: ["playground: allow is not true"] });
  });

  it("reports compile errors with their locations, bad input, and refusals, never throwing", async () => {
    const broken = await evaluatePolicy([{ path: "p.rego", content: "package p\n\nallow if {\n  x > 1\n}\n" }], 1, undefined, "{}");
    expect(broken).toEqual({ kind: "compile_error", errors: ["p.rego:4:3: rego_unsafe_var_error: var x is unsafe"] });
    expect((await evaluatePolicy(FILES, 1, undefined, "{not json")).kind).toBe("input_error");
    const contract = await evaluatePolicy(
      [{ path: "p.rego", content: 'package p\n\nallow := true\n\nttl := "300"\n' }],
      1,
      undefined,
      "{}",
    );
    expect(contract.kind).toBe("refused");
    const noModule = await evaluatePolicy([{ path: "data.json", content: "{}" }], 1, undefined, "{}");
    expect(noModule).toMatchObject({ kind: "refused", message: expect.stringContaining("at least one .rego module") });
  });
});
