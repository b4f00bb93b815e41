/** Decision-contract checks at version creation (workers/policy/contract.ts), through the compile function the API calls. */
import { describe, expect, it } from "vitest";
import { compilePolicy } from "../../../workers/policy/compile.js";
import { ContractViolation, nearMiss } from "../../../workers/policy/contract.js";

function compile(source: string, regoVersion: 0 | 1 = 1) {
  return compilePolicy({ file: "policy.rego", source, regoVersion });
}

function violations(source: string, regoVersion: 0 | 1 = 1) {
  try {
    compile(source, regoVersion);
  } catch (err) {
    if (err instanceof ContractViolation) return err.items;
    throw err;
  }
  throw new Error("expected a contract violation");
}

function warnings(source: string) {
  const compiled = compile(source);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.warnings;
}

describe("decision package without allow or deny", () => {
  it("is refused, naming the near miss", () => {
    const items = violations('package payments\n\nalow if input.subject.claims.role == "payer"\n');
    expect(items).toEqual([
      {
        code: "no_decision_rule",
        message: expect.stringMatching(
          /^decision package payments defines neither allow nor deny.*alow at policy\.rego:3 looks like allow/,
        ),
      },
    ]);
  });

  it("is refused with only obligations", () => {
    expect(violations("package p\n\nttl := 60\n")[0]).toMatchObject({ code: "no_decision_rule" });
  });

  it("accepts deny alone and allow alone", () => {
    expect(compile('package p\n\ndeny contains "paused" if input.x\n').ok).toBe(true);
    expect(compile("package p\n\nallow if input.x\n").ok).toBe(true);
  });

  it("leaves a function named allow to the compiler, which refuses it", () => {
    expect(compile("package p\n\nallow(x) if x\n")).toMatchObject({ ok: false, errors: [{ code: "rego_type_error" }] });
  });
});

describe("near-miss rule names", () => {
  it.each([
    ["alow", "allow"],
    ["Allow", "allow"],
    ["allowed", "allow"],
    ["denies", "deny"],
    ["Deny", "deny"],
    ["claim", "claims"],
    ["scopes", "scope"],
    ["scpe", "scope"],
    ["TTL", "ttl"],
    ["ttls", "ttl"],
  ])("%s is a near miss of %s", (name, target) => {
    expect(nearMiss(name)).toBe(target);
  });

  it.each(["allow", "deny", "all", "any", "role", "roles", "user", "is_admin", "max_ttl", "url", "reasons", "granted_scopes"])(
    "%s is not",
    (name) => {
      expect(nearMiss(name)).toBeUndefined();
    },
  );

  it("warns with the rule's location and keeps the version", () => {
    const w = warnings('package p\n\nallow if input.x\n\ndenies contains "x" if input.y\n\nclaim := {"a": 1}\n');
    expect(w).toEqual([
      {
        code: "near_miss_rule",
        message: expect.stringContaining(
          "rule denies looks like deny, which the STS reads; denies is never part of the decision (and deny is not defined)",
        ),
        location: { file: "policy.rego", row: 5, col: 1 },
      },
      {
        code: "near_miss_rule",
        message: expect.stringContaining("rule claim looks like claims"),
        location: { file: "policy.rego", row: 7, col: 1 },
      },
    ]);
  });

  it("warns once per name and never for functions", () => {
    expect(warnings("package p\n\nallow if input.x\n\nAllow if input.y\nAllow if input.z\n\nallowed(x) if x\n")).toHaveLength(1);
  });

  it("looks only at the decision package", () => {
    expect(warnings("package p\n\nallow if input.x\n").length).toBe(0);
  });
});

describe("obligation types inferred from rule heads", () => {
  const cases: [string, string, RegExp][] = [
    ["ttl as a string", 'ttl := "300"', /^ttl must be a number of seconds, got a string$/],
    ["ttl below 1", "ttl := 0", /ttl must be a number of seconds >= 1, got 0/],
    ["ttl as an object", "ttl.x := 1", /ttl must be a number of seconds, got a object/],
    ["scope as a string", 'scope := "payments:read"', /scope must be a set or array of strings, got a string/],
    ["scope with a number", 'scope := ["a", 1]', /non-string member/],
    ["scope contains a number", "scope contains 1 if input.x", /non-string member/],
    ["claims as an array", 'claims := ["a"]', /claims must be an object, got a array/],
    ["claims as a set", 'claims contains "a" if input.x', /claims must be an object, got a set/],
    ["claims with a number key", 'claims := {1: "a"}', /string keys/],
    ["deny as a boolean", "deny if input.x", /deny must be a set of strings.*deny contains "reason"/],
    ["deny with a number", "deny contains 7 if input.x", /non-string member/],
  ];
  it.each(cases)("%s is refused with its location", (_, rule, message) => {
    const items = violations(`package p\n\nallow if input.ok\n\n${rule}\n`);
    expect(items).toEqual([
      { code: "decision_contract", message: expect.stringMatching(message), location: { file: "policy.rego", row: 5, col: 1 } },
    ]);
  });

  it("refuses allow that is not a boolean", () => {
    expect(violations('package p\n\nallow := "yes"\n')[0]).toMatchObject({
      message: "allow must be a boolean, got a string",
      location: { row: 3 },
    });
  });

  it("checks each definition of an else chain and a default", () => {
    const items = violations('package p\n\nallow := true\n\ndefault ttl := "60"\n\nttl := 300 if input.a\nelse := "x"\n');
    expect(items.map((i) => i.location?.row)).toEqual([5, 8]);
  });

  it("refuses in v0 syntax too", () => {
    expect(violations('package p\n\nallow { true }\n\nscope = "x" { true }\n', 0)[0]).toMatchObject({ code: "decision_contract" });
  });

  it("accepts every well-typed form, and values it cannot infer", () => {
    const source = `package p

import rego.v1

default allow := false

allow if input.ok

deny contains msg if {
  input.blocked
  msg := sprintf("blocked %s", [input.subject.claims.sub])
}

deny contains "paused" if input.paused

ttl := 300 if input.short
else := 3600

scope := {s | some s in input.scope; startswith(s, "payments:")}

claims.tier := "gold" if input.gold

claims[k] := v if {
  some k, v in input.subject.claims.extra
}

named_ttl := input.subject.claims.ttl
`;
    const compiled = compile(source);
    expect(compiled).toMatchObject({ ok: true, warnings: [] });
    expect(
      compile('package p\n\nallow := true\n\nttl := input.subject.claims.ttl\n\nscope := ["a", "b"]\n\nclaims := {"x": [1]}\n').ok,
    ).toBe(true);
  });
});
