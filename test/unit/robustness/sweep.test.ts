/**
 * A sweep over the constructs whose size a policy or an input controls
 * (issue 11, item 3). Each is generated at several sizes and run through
 * compile → prepare → evaluate; every run must end in rows or in a structured
 * RegoError, never in a RangeError from the JavaScript stack (the harness
 * rethrows anything that is not a RegoError). Where a construct has a limit,
 * the sweep says at which size it starts and which error it is; compile
 * errors must point into the policy. The limits are documented in README.md
 * (the engine section).
 */
import { describe, expect, it } from "vitest";
import { type Outcome, deepArray, repeat, run, value } from "./harness.js";

interface Construct {
  name: string;
  sizes: number[];
  source: (n: number) => string;
  input?: (n: number) => unknown;
  /** evaluate in strict mode (built-in errors are raised instead of being undefined) */
  strict?: boolean;
  /** the value of `r` where the construct is within the engine's limits */
  expect?: (n: number) => unknown;
  /** the error beyond the limits (undefined: the construct has none at these sizes) */
  limit?: { from: number; code: string; message: RegExp; located: boolean };
}

const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join("\n");

const NESTING = { code: "rego_parse_error", message: /^nesting deeper than 1000$|^max parsing recursion depth exceeded$/, located: true };
const PLAN_DEPTH = { code: "rego_compile_error", message: /^plan nesting deeper than 256 /, located: true };
// Calls are weighed against the evaluation depth limit (eval/depth.ts, README engine limits).
const CALL_DEPTH = {
  code: "eval_budget_exceeded",
  message: /^evaluation nested too deeply: calling data\.p\.\w+ exceeds the evaluation depth limit of 1200$/,
  located: true,
};

/** `{"a": …, "b": [i]}` nested n deep, built without recursion. */
function deepValue(n: number): unknown {
  let x: unknown = "leaf";
  for (let i = 0; i < n; i++) x = { a: x, b: [i] };
  return x;
}

const constructs: Construct[] = [
  // ---- operator chains: flat, however long
  { name: "1 + 1 + … + 1", sizes: [10, 3000, 10_000], source: (n) => `r := ${repeat("1", n, " + ")}`, expect: (n) => n },
  {
    name: "input.x * … over input",
    sizes: [10, 3000, 10_000],
    source: (n) => `r := ${repeat("input.x", n, " * ")}`,
    input: () => ({ x: 1 }),
    expect: () => 1,
  },
  { name: "{1} | {1} | …", sizes: [10, 3000], source: (n) => `r := ${repeat("{1}", n, " | ")}`, expect: () => [1] },
  { name: "{1} & {1} & …", sizes: [10, 3000], source: (n) => `r := ${repeat("{1}", n, " & ")}`, expect: () => [1] },
  { name: "1 == 1 == …", sizes: [10, 3000], source: (n) => `r := 1 ${repeat("== 1", n - 1, " ")}`, expect: () => false },
  {
    name: "a - … < 0 as a condition",
    sizes: [10, 3000],
    source: (n) => `r if ${repeat("input.x", n, " - ")} < 0`,
    input: () => ({ x: 1 }),
    expect: () => true,
  },
  {
    name: "1 in [1] in [true] in …",
    sizes: [10, 3000],
    source: (n) => `r := 1 in [1] ${repeat("in [true]", n - 2, " ")}`,
    expect: () => true,
  },
  {
    name: "1 + 2 * 3 + 2 * 3 + …",
    sizes: [10, 3000],
    source: (n) => `r := 1 ${repeat("+ 2 * 3", n - 1, " ")}`,
    expect: (n) => 1 + 6 * (n - 1),
  },
  {
    name: "a chain in a function body",
    sizes: [10, 3000],
    source: (n) => `f(x) := ${repeat("x", n, " + ")}\nr := f(1)`,
    expect: (n) => n,
  },
  { name: "a chain in a comprehension", sizes: [10, 3000], source: (n) => `r := [y | y := ${repeat("1", n, " + ")}]`, expect: (n) => [n] },
  {
    name: "a chain as a with value",
    sizes: [10, 3000],
    source: (n) => `r if { input.x == ${n} with input.x as ${repeat("1", n, " + ")} }`,
    expect: () => true,
  },
  { name: "a chain as a set rule's key", sizes: [10, 3000], source: (n) => `r contains ${repeat("1", n, " + ")}`, expect: (n) => [n] },
  {
    name: "parenthesised: 1 + (1 + (…))",
    sizes: [10, 250, 300, 2000],
    source: (n) => `r := ${repeat("(1 + ", n)}1${repeat(")", n)}`,
    expect: (n) => n + 1,
    limit: { from: 300, ...NESTING },
  },

  // ---- rules and functions
  {
    name: "rules each using the last",
    sizes: [10, 398, 399, 10_000],
    source: (n) => `r0 := 0\n${lines(n, (i) => `r${i + 1} := r${i} + 1`)}\nr := r${n}`,
    expect: (n) => n,
    limit: { from: 399, ...CALL_DEPTH },
  },
  {
    name: "functions each calling the last",
    sizes: [10, 398, 399, 10_000],
    source: (n) => `f0(x) := x\n${lines(n, (i) => `f${i + 1}(x) := f${i}(x) + 1`)}\nr := f${n}(0)`,
    expect: (n) => n,
    limit: { from: 399, ...CALL_DEPTH },
  },
  {
    name: "rules each iterating the last in a comprehension",
    sizes: [10, 150, 300, 10_000],
    source: (n) => `r0 := [0]\n${lines(n, (i) => `r${i + 1} := [x | x := r${i}[_]]`)}\nr := r${n}`,
    expect: () => [0],
    // each call sits inside the comprehension's scan: it weighs more than a plain chain's
    limit: { from: 300, ...CALL_DEPTH },
  },
  {
    name: "functions called from inside 16 iterating expressions",
    sizes: [10, 20, 200],
    source: (n) =>
      `f0(x) := x\n${lines(n, (i) => `f${i + 1}(x) := y if { ${lines(16, (j) => `a${j} := input.xs[_]`).replaceAll("\n", "; ")}; y := f${i}(x) + 1 }`)}\nr := f${n}(0)`,
    input: () => ({ xs: [1] }),
    expect: (n) => n,
    limit: { from: 200, ...CALL_DEPTH },
  },
  {
    name: "many rules, one array of them",
    sizes: [10, 3000],
    source: (n) => `${lines(n, (i) => `q${i} := ${i}`)}\nr := count([${Array.from({ length: n }, (_, i) => `q${i}`).join(", ")}])`,
    expect: (n) => n,
  },
  {
    name: "a set rule defined n times",
    sizes: [10, 3000],
    source: (n) => lines(n, (i) => `r contains ${i}`),
    expect: (n) => Array.from({ length: n }, (_, i) => i),
  },
  {
    name: "else chains",
    sizes: [10, 500, 3000],
    source: (n) => `r := 0 if input.x == 0\n${lines(n, (i) => `else := ${i + 1} if input.x == ${i + 1}`)}\nelse := -1`,
    input: () => ({ x: 7 }),
    expect: () => 7,
    limit: { from: 3000, ...NESTING },
  },
  {
    name: "with chains",
    sizes: [10, 500, 3000],
    source: (n) => `q := input.x\nr if { q == ${n - 1} ${Array.from({ length: n }, (_, i) => `with input.x as ${i}`).join(" ")} }`,
    expect: () => true,
    limit: { from: 3000, ...NESTING },
  },

  // ---- bodies
  {
    name: "a body of conditions",
    sizes: [10, 5000],
    source: (n) => `r if {\n${lines(n, (i) => `  input.x != ${i + 1}`)}\n}`,
    input: () => ({ x: 0 }),
    expect: () => true,
  },
  {
    name: "a body of assignments each using the last",
    sizes: [10, 5000],
    source: (n) => `r := x${n} if {\n  x0 := 0\n${lines(n, (i) => `  x${i + 1} := x${i} + 1`)}\n}`,
    expect: (n) => n,
  },
  {
    name: "a body of iterating expressions",
    sizes: [10, 255, 256, 3000],
    source: (n) => `r if {\n${lines(n, (i) => `  x${i} := input.xs[_]`)}\n}`,
    input: () => ({ xs: [1] }),
    expect: () => true,
    limit: { from: 256, ...PLAN_DEPTH },
  },
  {
    name: "a ref iterating at every part",
    sizes: [10, 255, 300],
    source: (n) => `r if input.a${repeat("[_]", n)}`,
    input: (n) => ({ a: deepArray(n, true) }),
    expect: () => true,
    limit: { from: 300, ...PLAN_DEPTH },
  },
  {
    name: "nested comprehensions",
    sizes: [10, 100, 150, 3000],
    source: (n) => `r := count(${repeat("[x | x := ", n)}1${repeat("]", n)})`,
    expect: () => 1,
    limit: { from: 150, ...NESTING },
  },
  {
    name: "nested every",
    sizes: [10, 80, 90, 1000],
    source: (n) => `r if {\n${repeat("every x in [1] { ", n)}true${repeat(" }", n)}\n}`,
    expect: () => true,
    // each every nests three blocks of the plan; a thousand nest the source too deep
    limit: {
      from: 90,
      code: "rego_(compile|parse)_error",
      message: /^plan nesting deeper than 256 |^nesting deeper than 1000$|recursion depth/,
      located: true,
    },
  },

  // ---- literals and refs
  {
    name: "a set literal",
    sizes: [10, 10_000],
    source: (n) => `s := {${Array.from({ length: n }, (_, i) => `"u${i}"`).join(", ")}}\nr := s["u${"0"}"]`,
    expect: () => "u0",
  },
  {
    name: "an object literal",
    sizes: [10, 10_000],
    source: (n) => `o := {${Array.from({ length: n }, (_, i) => `"k${i}": ${i}`).join(", ")}}\nr := o.k${"3"}`,
    expect: () => 3,
  },
  {
    name: "a nested array literal",
    sizes: [10, 300, 3000],
    source: (n) => `r := count(${repeat("[", n)}1${repeat("]", n)})`,
    expect: () => 1,
    limit: { from: 3000, ...NESTING },
  },
  {
    name: "a nested set literal",
    sizes: [10, 250, 10_000],
    source: (n) => `r := count(${repeat("{", n)}1${repeat("}", n)})`,
    expect: () => 1,
    limit: { from: 10_000, ...NESTING },
  },
  {
    name: "a nested object literal",
    sizes: [10, 250, 10_000],
    source: (n) => `r := count(${repeat('{"a": ', n)}1${repeat("}", n)})`,
    expect: () => 1,
    limit: { from: 10_000, ...NESTING },
  },
  {
    name: "unary minus repeated (Rego negates number literals only)",
    sizes: [1, 2, 10_000],
    source: (n) => `r := ${repeat("-", n)}1`,
    expect: () => -1,
    limit: { from: 2, code: "rego_parse_error", message: /^unexpected minus token: expected number$/, located: true },
  },
  {
    name: "strings.render_template of variables nested n deep",
    sizes: [10, 150, 1000, 20_000],
    source: () => 'r := count(strings.render_template("{{.a}}", input)) > 0',
    input: (n) => deepValue(n),
    expect: () => true,
    limit: {
      from: 1000,
      code: "eval_builtin_error",
      message: /^strings\.render_template: template variables nested deeper than 200$/,
      located: true,
    },
  },
  {
    name: "a long ref into input",
    sizes: [10, 10_000],
    source: (n) => `r := input${repeat(".a", n)}`,
    input: (n) => {
      let x: unknown = "leaf";
      for (let i = 0; i < n; i++) x = { a: x };
      return x;
    },
    expect: () => "leaf",
  },

  // ---- built-ins over deep input values; a value this big may cost more than
  // the default budget (fail closed, located at the call)
  ...(
    [
      // every line is padded by twice its depth: 1,000 levels are about 3 MB of text
      ["yaml.marshal", "count(yaml.marshal(input)) > 0", 1000],
      ['sprintf("%v")', 'count(sprintf("%v", [input])) > 0', 9000],
      // indented: quadratic in the depth too (0.64 s at 20,000 levels before the indentation was charged)
      ["json.marshal_with_options", 'count(json.marshal_with_options(input, {"pretty": true})) > 0', 1000],
      ["object.union", 'object.union(input, {"a": {"a": {"c": 1}}}).a.a.c', undefined],
      ["object.union of itself", "object.union(input, input) == input", 9000],
      ["object.union_n", 'object.union_n([input, input, {"z": 1}]).z', 9000],
      ["json.marshal", "count(json.marshal(input)) > 0", undefined],
      ["json.marshal round trip", "json.unmarshal(json.marshal(input)) == input", 9000],
      ["a set of deep values", "count({input, input}) == 1", 9000],
      // walk yields every node's path: quadratic in the depth
      ["walk", "count([p | walk(input, [p, _])]) > 0", 1000],
      ["json.remove", 'json.remove(input, ["b"]).a == input.a', 9000],
      ["json.patch", 'json.patch(input, [{"op": "add", "path": "/c", "value": 1}]).c', undefined],
    ] as const
  ).map(
    ([name, expr, budgetFrom]): Construct => ({
      name: `${name} of a value nested n deep`,
      sizes: [10, 1000, 9000],
      source: () => `r := ${expr}`,
      input: (n) => deepValue(n),
      expect: () => ((name.startsWith("object.union") && !name.endsWith("itself")) || name === "json.patch" ? 1 : true),
      limit: budgetFrom === undefined ? undefined : { from: budgetFrom, code: "eval_budget_exceeded", message: /budget/, located: true },
    }),
  ),
];

/** A seeded generator (mulberry32), so a failing mix can be rebuilt from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n wrappers around 1, each drawn from arrays, objects, sets, parentheses, comprehensions and calls. */
function mixedNesting(n: number, seed: number): string {
  const wrappers: [string, string][] = [
    ["[", "]"],
    ['{"k": ', "}"],
    ["{", "}"],
    ["(", ")"],
    ["[x | x := ", "]"],
    ["count([", "])"],
  ];
  const next = seeded(seed);
  let open = "";
  let close = "";
  for (let i = 0; i < n; i++) {
    const [o, c] = wrappers[Math.floor(next() * wrappers.length)] as [string, string];
    open += o;
    close = c + close;
  }
  return `${open}1${close}`;
}

constructs.push(
  ...[7, 11, 42].map(
    (seed): Construct => ({
      name: `mixed nesting, seed ${seed}`,
      sizes: [10, 40, 10_000],
      source: (n) => `r := is_number(${mixedNesting(n, seed)}) == false`,
      limit: { from: 10_000, ...NESTING },
    }),
  ),
  ...(
    [
      ["json.unmarshal", "count(json.unmarshal(input.s))", 10_000, 10_002, "eval_builtin_error"],
      // yaml text is charged per character before it is parsed: 100,000 levels stop at the budget first
      ["yaml.unmarshal", "count(yaml.unmarshal(input.s))", 200, 201, "eval_builtin_error|eval_budget_exceeded"],
    ] as const
  ).map(
    ([name, expr, ok, beyond, code]): Construct => ({
      name: `${name} of text nested n deep`,
      sizes: [10, ok, beyond, 100_000],
      source: () => `r := ${expr}`,
      input: (n) => ({ s: "[".repeat(n) + "]".repeat(n) }),
      strict: true,
      expect: () => 1,
      limit: { from: beyond, code, message: /nesting too deep|exceeded max depth|nested deeper than 200|budget/, located: true },
    }),
  ),
);

function check(c: Construct, n: number, o: Outcome): void {
  const where = `${c.name}, n = ${n}`;
  const beyond = c.limit && n >= c.limit.from;
  if (o.ok) {
    if (beyond && !c.limit?.code.includes("ok"))
      expect.fail(`${where}: expected ${c.limit?.code}, got ${JSON.stringify(value(o)).slice(0, 80)}`);
    if (c.expect) expect(value(o), where).toEqual(c.expect(n));
    return;
  }
  const err = o.error;
  expect(err.message, where).not.toMatch(/call stack|stack was exhausted/i);
  if (!beyond || !c.limit) return expect.fail(`${where}: ${o.stage} error ${err.code}: ${err.message.slice(0, 200)}`);
  expect(err.code, where).toMatch(new RegExp(`^(${c.limit.code})$`));
  expect(err.message, where).toMatch(c.limit.message);
  if (c.limit.located) expect(err.location, where).toMatchObject({ file: "p.rego", row: expect.any(Number), col: expect.any(Number) });
}

describe("every construct at every size ends in a result or a structured error", () => {
  for (const c of constructs) {
    it(c.name, async () => {
      for (const n of c.sizes) {
        const o = await run(`package p\n${c.source(n)}`, { ...(c.input ? { input: c.input(n) } : {}), strict: c.strict ?? false });
        check(c, n, o);
      }
    });
  }
});
