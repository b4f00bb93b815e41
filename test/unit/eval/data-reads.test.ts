/**
 * With `trace`, evaluation reports the paths into data it read (explain shows them); without, nothing
 * is recorded.
 */
import { describe, expect, it } from "vitest";
import { compile, fromJS, MAX_DATA_PATHS, prepare, type PreparedPolicy } from "../../../workers/rego/index.js";

function prepared(source: string, entrypoints: string[]): PreparedPolicy {
  const r = compile({ modules: [{ name: "p.rego", source }], entrypoints });
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return prepare(r.plan);
}

const POLICY = `package p

import rego.v1

allow if {
  some role in data.roles[input.user]
  data.grants[role][_] == input.action
}

copied if {
  r := data.roles
  r[input.user]
}

lookups contains x if {
  some i in numbers.range(1, 60)
  x := data.many[sprintf("k%d", [i])]
}

odd_key if data.weird["a b"][0] == 1

repeated := count([x | some i in numbers.range(1, 3000); x := data.limits.max + i])
`;

const DATA = fromJS({
  roles: { alice: ["payer"], bob: ["viewer"] },
  grants: { payer: ["pay"], viewer: ["view"] },
  many: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i + 1}`, i])),
  weird: { "a b": [1] },
  limits: { max: 10 },
});

describe("data paths read", () => {
  const policy = prepared(POLICY, ["data.p.allow", "data.p.copied", "data.p.lookups", "data.p.odd_key", "data.p.repeated"]);
  const run = (entrypoint: string, input: unknown, trace = true) =>
    policy.evaluateSync(entrypoint, { input: fromJS(input), data: DATA }, { trace });

  it("lists the most specific paths the rule read, and the ones it found missing", () => {
    expect(run("p/allow", { user: "alice", action: "pay" }).dataPaths).toEqual({
      paths: ["data.roles.alice", "data.grants.payer"],
      missing: [],
      truncated: false,
    });
    expect(run("p/allow", { user: "mallory", action: "pay" }).dataPaths).toEqual({
      paths: [],
      missing: ["data.roles.mallory"],
      truncated: false,
    });
  });

  it("follows values copied out of data, and quotes keys that are not identifiers", () => {
    expect(run("p/copied", { user: "bob" }).dataPaths?.paths).toEqual(["data.roles.bob"]);
    expect(run("p/odd_key", {}).dataPaths?.paths).toEqual(['data.weird["a b"][0]']);
  });

  it("stops listing at the bound and says so", () => {
    const r = run("p/lookups", {}).dataPaths;
    expect(r?.paths).toHaveLength(MAX_DATA_PATHS);
    expect(r?.paths[0]).toBe("data.many.k1");
    expect(r?.truncated).toBe(true);
  });

  it("counts a scalar read again and again once, so a loop does not fill the list", () => {
    expect(run("p/repeated", {}).dataPaths).toEqual({ paths: ["data.limits.max"], missing: [], truncated: false });
  });

  it("records nothing without trace, or when asked not to", () => {
    expect(run("p/allow", { user: "alice", action: "pay" }, false).dataPaths).toBeUndefined();
    const provenanceOnly = policy.evaluateSync(
      "p/allow",
      { input: fromJS({ user: "alice", action: "pay" }), data: DATA },
      { trace: true, dataPaths: false },
    );
    expect(provenanceOnly.dataPaths).toBeUndefined();
    expect(provenanceOnly.provenance?.length).toBeGreaterThan(0);
  });
});
