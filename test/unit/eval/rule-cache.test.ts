/**
 * Rule values kept across evaluations (eval/rule-cache.ts): a rule that never
 * reads its input is computed once per data document, and each later
 * evaluation must answer, charge, trace and fail exactly as a freshly
 * prepared policy does.
 */
import { describe, expect, it } from "vitest";
import {
  type RObject,
  RegoError,
  compile,
  fromJS,
  prepare,
  toJS,
  type EvalOptions,
  type PreparedPolicy,
  type Value,
} from "../../../workers/rego/index.js";
import type { Program } from "../../../workers/rego/eval/program.js";
import { MAX_KEPT_NODES } from "../../../workers/rego/eval/rule-cache.js";
import { deepSize } from "../../../workers/rego/builtins/costs.js";

function planOf(source: string, entrypoints: string[]): string {
  const r = compile({ modules: [{ name: "p.rego", source }], entrypoints: entrypoints.map((e) => `data.${e.replaceAll("/", ".")}`) });
  if (!r.plan) throw new Error(JSON.stringify(r.errors));
  return JSON.stringify(r.plan);
}

type Outcome = { results: unknown; provenance?: unknown; dataPaths?: unknown } | { error: string };

function run(p: PreparedPolicy, entrypoint: string, input: unknown, data: Value, options: EvalOptions = {}): Outcome {
  try {
    const r = p.evaluateSync(entrypoint, { input: fromJS(input), data }, options);
    return { results: r.results.map(toJS), provenance: r.provenance, dataPaths: r.dataPaths };
  } catch (e) {
    if (e instanceof RegoError) return { error: `${e.code}: ${e.message}` };
    throw e;
  }
}

/** The smallest budget with which `entrypoint` evaluates, found by bisection on fresh or shared preparations. */
function minimalBudget(evaluate: (budget: number) => Outcome): number {
  let lo = 1;
  let hi = 1_000_000;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ("error" in evaluate(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const TABLES = `package t
admins := {u | some team in data.teams; some u in team.admins}
team_of[u] := name if {
	some name, team in data.teams
	some u in team.members
}
report := {"admins": count(admins), "members": count(team_of)}
default allow := false
allow if input.user in admins
team := team_of[input.user]
`;

const TEAMS = fromJS({
  teams: {
    red: { admins: ["ann"], members: ["ann", "bob"] },
    blue: { admins: ["cid"], members: ["cid", "dee", "eve"] },
  },
});

describe("rules kept across evaluations", () => {
  const plan = planOf(TABLES, ["t/allow", "t/team", "t/report"]);

  it("answer every input as a fresh preparation does, in any order, traced or not", () => {
    const shared = prepare(plan);
    const users = ["ann", "bob", "cid", "zed", "eve", "ann"];
    for (const trace of [false, true, false, true])
      for (const user of users)
        for (const ep of ["t/allow", "t/team", "t/report"]) {
          const want = run(prepare(plan), ep, { user }, TEAMS, { trace });
          expect(run(shared, ep, { user }, TEAMS, { trace })).toEqual(want);
        }
  });

  it("are computed once per data document (seen by changing one in place, which callers must not do)", () => {
    // Each case: a rule over data, one whose function calls repeat (memoized inside it), and a traced one.
    const source = `package t
names := {n | some n in data.names}
upper_of(x) := upper(x)
shout := [upper_of(n) | some n in data.names]
hit if input.name in names
`;
    const plan2 = planOf(source, ["t/hit", "t/shout"]);
    for (const trace of [false, true]) {
      const p = prepare(plan2);
      const data = fromJS({ names: ["ann", "bob", "ann"] });
      expect(run(p, "t/shout", {}, data, { trace })).toMatchObject({ results: [{ result: ["ANN", "BOB", "ANN"] }] });
      expect(run(p, "t/hit", { name: "bob" }, data, { trace })).toMatchObject({ results: [{ result: true }] });
      ((data as RObject).getString("names") as Value[]).push("cid");
      // The kept values still answer; a fresh preparation sees the change.
      expect(run(p, "t/shout", {}, data, { trace })).toMatchObject({ results: [{ result: ["ANN", "BOB", "ANN"] }] });
      expect(run(p, "t/hit", { name: "cid" }, data, { trace })).toMatchObject({ results: [] });
      expect(run(prepare(plan2), "t/hit", { name: "cid" }, data, { trace })).toMatchObject({ results: [{ result: true }] });
    }
  });

  it("hold at most MAX_KEPT_READS data reads per prepared policy, traced", () => {
    // 70 rules of 4,000 reads each: the first 65 fit in 2^18 reads and are kept, the rest are computed each time.
    const rules = Array.from({ length: 70 }, (_, k) => `c${k} := count([r.x | some r in data.rows]) + ${k} - ${k}`).join("\n");
    const p = prepare(planOf(`package t\n${rules}\nall := [${Array.from({ length: 70 }, (_, k) => `c${k}`).join(", ")}]\n`, ["t/all"]));
    const data = fromJS({ rows: Array.from({ length: 4000 }, () => ({ x: 1, k: -1 })) });
    expect(run(p, "t/all", {}, data, { trace: true, budget: 1e8 })).toMatchObject({ results: [{ result: Array(70).fill(4000) }] });
    ((data as RObject).getString("rows") as Value[]).push(fromJS({ x: 1, k: -1 }));
    const counts = (run(p, "t/all", {}, data, { trace: true, budget: 1e8 }) as { results: { result: number[] }[] }).results[0]?.result;
    expect(counts?.slice(0, 65)).toEqual(Array(65).fill(4000));
    expect(counts?.slice(65)).toEqual(Array(5).fill(4001));
  });

  it("charge the budget what computing them charged", () => {
    const shared = prepare(plan);
    run(shared, "t/allow", { user: "ann" }, TEAMS);
    for (const user of ["ann", "zed"]) {
      const fresh = minimalBudget((budget) => run(prepare(plan), "t/allow", { user }, TEAMS, { budget }));
      const reused = minimalBudget((budget) => run(shared, "t/allow", { user }, TEAMS, { budget }));
      expect(reused).toBe(fresh);
    }
  });

  it("charge a rule that several others used once per evaluation, as computing them does", () => {
    const source = `package t
names := {n | some n, _ in data.teams}
sizes := {n: count(t.members) | some n, t in data.teams}
a := count(names) + count(sizes)
b := count(names) * 2
both := [a, b, count(sizes)]
`;
    const plan2 = planOf(source, ["t/both", "t/a", "t/b"]);
    const shared = prepare(plan2);
    for (const ep of ["t/a", "t/b", "t/both", "t/b", "t/a", "t/both"]) {
      const fresh = minimalBudget((budget) => run(prepare(plan2), ep, {}, TEAMS, { budget }));
      expect(minimalBudget((budget) => run(shared, ep, {}, TEAMS, { budget }))).toBe(fresh);
      run(shared, ep, {}, TEAMS);
    }
  });

  it("charge a pattern's compile only if their evaluation has not compiled it, as computing them does", () => {
    const source = `package t
red := {n | some n, _ in data.teams; regex.match("^r[a-z]+$", n)}
blue := {n | some n, _ in data.teams; regex.match("^b[a-z]+$", n)}
either := {n | some n, _ in data.teams; regex.match("^r[a-z]+$", n)} | blue
hit if regex.match("^r[a-z]+$", input.name)
all := [count(red), count(blue), count(either), hit]
`;
    const plan2 = planOf(source, ["t/red", "t/either", "t/hit", "t/all"]);
    const shared = prepare(plan2);
    for (const ep of ["t/red", "t/either", "t/hit", "t/all", "t/either", "t/red", "t/all"]) {
      const fresh = minimalBudget((budget) => run(prepare(plan2), ep, { name: "rex" }, TEAMS, { budget }));
      expect(minimalBudget((budget) => run(shared, ep, { name: "rex" }, TEAMS, { budget }))).toBe(fresh);
      run(shared, ep, { name: "rex" }, TEAMS);
    }
  });

  it("are not kept, traced, when they reused a function result another rule computed", () => {
    // \`both\` computes name_of(data.teams.red) for r (which reads input) first, and a finds it memoized:
    // a's own events lack the read of red.name, so a traced evaluation of a alone must compute it.
    const source = `package t
name_of(t) := upper(t.name)
r if {
	input.go
	name_of(data.teams.red)
}
a := name_of(data.teams.red)
both := [r, a]
`;
    const plan2 = planOf(source, ["t/both", "t/a"]);
    const data = fromJS({ teams: { red: { name: "r" } } });
    const shared = prepare(plan2);
    run(shared, "t/both", { go: true }, data, { trace: true });
    const want = run(prepare(plan2), "t/a", {}, data, { trace: true });
    expect(want).toMatchObject({ dataPaths: { paths: ["data.teams.red.name"] } });
    expect(run(shared, "t/a", {}, data, { trace: true })).toEqual(want);
  });

  it("are recomputed for another data document", () => {
    const shared = prepare(plan);
    expect(run(shared, "t/allow", { user: "ann" }, TEAMS)).toMatchObject({ results: [{ result: true }] });
    const other = fromJS({ teams: { green: { admins: ["zed"], members: ["zed"] } } });
    expect(run(shared, "t/allow", { user: "ann" }, other)).toMatchObject({ results: [{ result: false }] });
    expect(run(shared, "t/allow", { user: "zed" }, other)).toMatchObject({ results: [{ result: true }] });
    expect(run(shared, "t/report", {}, other)).toMatchObject({ results: [{ result: { admins: 1, members: 1 } }] });
    expect(run(shared, "t/report", {}, TEAMS)).toMatchObject({ results: [{ result: { admins: 2, members: 5 } }] });
  });

  it("are not kept when they read the clock or the per-query cache", () => {
    const p = prepare(planOf(`package t\nnow := time.now_ns()\nid := uuid.rfc4122("k")\nboth := [now, id]\n`, ["t/both"]));
    const a = run(p, "t/both", {}, TEAMS, { nowNs: 1000n }) as { results: { result: [number, string] }[] };
    const b = run(p, "t/both", {}, TEAMS, { nowNs: 2000n }) as { results: { result: [number, string] }[] };
    expect(a.results[0]?.result[0]).toBe(1000);
    expect(b.results[0]?.result[0]).toBe(2000);
    expect(a.results[0]?.result[1]).not.toBe(b.results[0]?.result[1]);
  });

  it("are not kept when they use a rule that read the clock earlier in the evaluation", () => {
    // \`both\` computes now first; stamp then finds it memoized, without a record to carry its impurity.
    const p = prepare(planOf(`package t\nnow := time.now_ns()\nstamp := now\nboth := [now, stamp]\n`, ["t/both", "t/stamp"]));
    expect(run(p, "t/both", {}, TEAMS, { nowNs: 1000n })).toMatchObject({ results: [{ result: [1000, 1000] }] });
    expect(run(p, "t/stamp", {}, TEAMS, { nowNs: 2000n })).toMatchObject({ results: [{ result: 2000 }] });
  });

  it("are not kept when they use a function result that read the clock for another rule", () => {
    // r (which reads input) computes at(1) first; a finds it memoized, made outside any recording.
    const source = `package t
at(x) := time.now_ns() + x
r if {
	input.go
	at(1) > 0
}
a := at(1)
both := [r, a]
`;
    const p = prepare(planOf(source, ["t/both", "t/a"]));
    expect(run(p, "t/both", { go: true }, TEAMS, { nowNs: 1000n })).toMatchObject({ results: [{ result: [true, 1001] }] });
    expect(run(p, "t/a", {}, TEAMS, { nowNs: 2000n })).toMatchObject({ results: [{ result: 2001 }] });
  });

  it("replay the function calls they made, traced, and memoize them for the rest of the evaluation", () => {
    const source = `package t
domain(email) := d if {
	parts := split(email, "@")
	d := data.domains[parts[1]]
}
owners := {u: domain(u.email) | some u in data.users}
mine := domain(input.email)
both := [owners, mine]
`;
    // a@x.org twice: owners finds its second call memoized, and so must a replay.
    const data = fromJS({
      users: [{ email: "a@x.org" }, { email: "b@y.org" }, { email: "a@x.org" }],
      domains: { "x.org": "X", "y.org": "Y" },
    });
    const plan2 = planOf(source, ["t/both", "t/owners"]);
    const shared = prepare(plan2);
    for (const email of ["a@x.org", "c@y.org", "a@x.org", "d@z.org"])
      for (const ep of ["t/owners", "t/both"]) {
        const want = run(prepare(plan2), ep, { email }, data, { trace: true });
        expect(run(shared, ep, { email }, data, { trace: true })).toEqual(want);
        const fresh = minimalBudget((budget) => run(prepare(plan2), ep, { email }, data, { budget }));
        expect(minimalBudget((budget) => run(shared, ep, { email }, data, { budget }))).toBe(fresh);
      }
  });

  it("are kept apart for strict and lenient evaluations", () => {
    const p = prepare(planOf(`package t\nn := to_number(data.text)\n`, ["t/n"]));
    const data = fromJS({ text: "not a number" });
    for (let i = 0; i < 2; i++) {
      expect(run(p, "t/n", {}, data)).toMatchObject({ results: [] });
      expect(run(p, "t/n", {}, data, { strict: true })).toMatchObject({ error: expect.stringContaining("eval_builtin_error") });
    }
  });

  it("give `with` replacements their own values", () => {
    const source = `package t
names := {n | some n, _ in data.teams}
replaced := r if r := names with data.teams as {"x": {}}
both := [names, replaced, names]
`;
    const p = prepare(planOf(source, ["t/both", "t/names"]));
    for (let i = 0; i < 3; i++) {
      expect(run(p, "t/names", {}, TEAMS)).toMatchObject({ results: [{ result: ["blue", "red"] }] });
      expect(run(p, "t/both", {}, TEAMS)).toMatchObject({ results: [{ result: [["blue", "red"], ["x"], ["blue", "red"]] }] });
    }
  });

  it("still print each evaluation's lines", () => {
    const p = prepare(planOf(`package t\nx := 1 if print("computing x")\n`, ["t/x"]));
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) run(p, "t/x", {}, TEAMS, { print: (l) => lines.push(l) });
    expect(lines).toHaveLength(3);
  });

  it("do not let a policy that exhausts the budget get further by being asked again", () => {
    // Four tables of 4,000 steps or more each: the budget runs out in the third, whatever the first two kept.
    const tables = [0, 1, 2, 3].map((k) => `t${k} := {x | some x in numbers.range(${k * 1000}, ${k * 1000 + 999})}`).join("\n");
    const p = prepare(planOf(`package t\n${tables}\nall := count(t0) + count(t1) + count(t2) + count(t3)\n`, ["t/all"]));
    const budget =
      minimalBudget((b) =>
        run(
          prepare(planOf(`package t\n${tables}\nall := count(t0) + count(t1) + count(t2) + count(t3)\n`, ["t/all"])),
          "t/all",
          {},
          TEAMS,
          { budget: b },
        ),
      ) - 1;
    for (let i = 0; i < 4; i++)
      expect(run(p, "t/all", {}, TEAMS, { budget })).toMatchObject({ error: expect.stringContaining("eval_budget_exceeded") });
    expect(run(p, "t/all", {}, TEAMS)).toMatchObject({ results: [{ result: 4000 }] });
    expect(run(p, "t/all", {}, TEAMS, { budget })).toMatchObject({ error: expect.stringContaining("eval_budget_exceeded") });
  });

  it("trace, when reused, the provenance and data paths of the rules they used, once per evaluation", () => {
    const source = `package t
members := {u | some team in data.teams; some u in team.members}
admins := {u | some team in data.teams; some u in team.admins}
staff := members | admins
known if input.user in members
summary := {"staff": count(staff), "known": known}
`;
    const plan2 = planOf(source, ["t/summary", "t/known"]);
    const shared = prepare(plan2);
    // First `known` (members, computed), then `summary` (members memoized, admins and staff computed) ...
    const order: [string, unknown][] = [
      ["t/known", { user: "bob" }],
      ["t/summary", { user: "bob" }],
      ["t/summary", { user: "zed" }],
      ["t/known", { user: "zed" }],
      ["t/summary", { user: "ann" }],
    ];
    for (const [ep, input] of [...order, ...order.reverse()]) {
      const want = run(prepare(plan2), ep, input, TEAMS, { trace: true });
      expect(run(shared, ep, input, TEAMS, { trace: true })).toEqual(want);
    }
  });

  it("replay a read they repeated once it names a path, when a read in between took its source out of data", () => {
    // A record logs a repeated read once, unless a read in between (its own or a rule's it used) may have taken the source out of data.
    const source = `package t
g := data.items[0].g
direct if {
	some v in data.items
	v.f == 1
	data.items[0].g == 2
	v.f == 1
}
nested if {
	some v in data.items
	v.f == 1
	g == 2
	v.f == 1
}
`;
    const plan2 = planOf(source, ["t/direct", "t/nested"]);
    const data = fromJS({
      items: [
        { f: 1, g: 2 },
        { f: 1, g: 3 },
      ],
    });
    for (const ep of ["t/direct", "t/nested"]) {
      const shared = prepare(plan2);
      const want = run(prepare(plan2), ep, {}, data, { trace: true });
      expect(want).toMatchObject({ dataPaths: { paths: ["data.items[0].g", "data.items[0].f"] } });
      for (let i = 0; i < 3; i++) expect(run(shared, ep, {}, data, { trace: true })).toEqual(want);
    }
  });

  it("answer rules with functions of data and of input alike", () => {
    const source = `package t
lower_names(xs) := {lower(x) | some x in xs}
known := lower_names(data.names)
hit if lower(input.name) in known
mine := lower_names(input.names)
`;
    const plan3 = planOf(source, ["t/hit", "t/mine"]);
    const shared = prepare(plan3);
    const data = fromJS({ names: ["Ann", "BOB"] });
    for (const input of [
      { name: "ann", names: ["X"] },
      { name: "Zed", names: ["Ann", "Q"] },
      { name: "bob", names: [] },
    ])
      for (const ep of ["t/hit", "t/mine"])
        for (const trace of [false, true])
          expect(run(shared, ep, input, data, { trace })).toEqual(run(prepare(plan3), ep, input, data, { trace }));
  });
});

describe("what a prepared policy holds between evaluations", () => {
  /** The prepared policy's program (white box: the release and the bound are about its state). */
  const programOf = (p: PreparedPolicy) => (p as unknown as { program: Program }).program;
  /** n rules `bigK`, each an array of `size` two-key objects, and `r`, which reads the one input names. */
  const bigRules = (n: number, size: number, fromInput: boolean) =>
    planOf(
      `package p
${Array.from({ length: n }, (_, k) => `big${k} := [{"a": i, "k": ${k}} | some i in numbers.range(1, ${fromInput ? "input.size" : size})]`).join("\n")}
${Array.from({ length: n }, (_, k) => `r := count(big${k}) if input.i == ${k}`).join("\n")}
`,
      ["p/r"],
    );

  it("no function keeps an evaluation's values once it ends, finished or stopped by the budget", () => {
    const p = prepare(bigRules(6, 0, true));
    const data = fromJS({});
    for (let i = 0; i < 6; i++) {
      expect(run(p, "p/r", { i, size: 2000 }, data)).toMatchObject({ results: [{ result: 2000 }] });
      expect(run(p, "p/r", { i, size: 90_000 }, data)).toMatchObject({ error: expect.stringMatching(/^eval_budget_exceeded/) });
    }
    for (const f of programOf(p).funcs) {
      expect(f.frame?.every((v) => v === undefined) ?? true).toBe(true);
      expect([f.memoValue, f.memoInput, f.memoData, f.memoRecord]).toEqual([undefined, undefined, undefined, null]);
    }
  });

  // 105,001 value nodes (deepSize counts a one-letter key as two): four such records fit the bound.
  const bigNodes = () => deepSize(fromJS(Array.from({ length: 15_000 }, (_, i) => ({ a: i + 1, k: 0 }))));

  it(`keeps at most ${MAX_KEPT_NODES} value nodes in records; rules past them are computed again, with the same answers`, () => {
    const p = prepare(bigRules(12, 15_000, false));
    const data = fromJS({});
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 12; i++) expect(run(p, "p/r", { i }, data)).toMatchObject({ results: [{ result: 15_000 }] });
    const program = programOf(p);
    expect(program.keptNodes).toBeLessThanOrEqual(MAX_KEPT_NODES);
    const kept = program.funcs.filter((f) => /big\d+$/.test(f.name) && f.shared !== null).length;
    expect(kept).toBe(Math.floor(MAX_KEPT_NODES / bigNodes()));
  });

  // Found by the big-policy bench: its traced decisions went from 1.5 ms to 149 ms once untraced
  // runs over two data documents had replaced the same records often enough to fill the count.
  it("still keeps records after records replaced by newer ones have filled the count", () => {
    const p = prepare(bigRules(1, 15_000, false));
    const documents = [fromJS({}), fromJS({})];
    // Each run replaces big0's record with one for the other document.
    for (let i = 0; i < 3 * Math.ceil(MAX_KEPT_NODES / bigNodes()); i++)
      expect(run(p, "p/r", { i: 0 }, documents[i % 2] as Value)).toMatchObject({ results: [{ result: 15_000 }] });
    const big0 = programOf(p).funcs.find((f) => /big0$/.test(f.name));
    for (const data of documents) {
      run(p, "p/r", { i: 0 }, data);
      expect(big0?.shared?.data).toBe(data);
    }
    expect(programOf(p).keptNodes).toBeLessThanOrEqual(MAX_KEPT_NODES);
  });
});
