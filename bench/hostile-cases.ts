/**
 * Hostile policies (issue 11, item 4): the most expensive constructs we could
 * think of, each written to run far beyond the default step budget. Used by
 * `npm run bench -- hostile` (time until the budget stops them) and by
 * test/unit/robustness/budget.test.ts (each must end in eval_budget_exceeded
 * or a documented limit error). Every policy defines `r`.
 */

export interface HostileCase {
  name: string;
  source: string;
  input?: unknown;
  /** the construct completes within the budget (listed for its time, not as a limit test) */
  finishes?: boolean;
}

const big = (lines: string[]) => `package p\n${lines.join("\n")}\n`;

/** s0 … s<n>: a string doubled n times, starting from `seed`. */
function doublings(n: number, seed: string, step: (prev: string) => string): string[] {
  const out = [`s0 := ${JSON.stringify(seed)}`];
  for (let i = 1; i <= n; i++) out.push(`s${i} := ${step(`s${i - 1}`)}`);
  return out;
}

export const HOSTILE_CASES: HostileCase[] = [
  { name: "numbers.range × 1,500", source: big(["r := [n | some i in numbers.range(1, 1500); n := count(numbers.range(1, 999999))]"]) },
  {
    name: "numbers.range nested",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)])"]),
  },
  {
    name: "24 chained squarings",
    source: big([
      "x0 := 123456789012345678901234567890",
      ...Array.from({ length: 24 }, (_, i) => `x${i + 1} := x${i} * x${i}`),
      "r := x24 > 0",
    ]),
  },
  {
    name: "2,048-bit multiplications in a loop",
    source: big(["b := bits.lsh(1, 2047) + 12345", "r := count([y | some i in numbers.range(1, 200000); y := b * (b + i)])"]),
  },
  { name: "bits.lsh to 2^20 bits", source: big(["r := bits.lsh(1, 1048000) > 0"]) },
  {
    name: "big-integer division in a loop",
    source: big(["b := bits.lsh(1, 4000)", "r := count([y | some i in numbers.range(1, 200000); y := b / (i + 3)])"]),
  },
  {
    name: "format_int of big integers",
    source: big(["b := bits.lsh(1, 4000)", "r := count([y | some i in numbers.range(1, 200000); y := format_int(b + i, 2)])"]),
  },
  { name: "string doubling by concat", source: big([...doublings(40, "abcdefgh", (p) => `concat("", [${p}, ${p}])`), "r := count(s40)"]) },
  {
    name: "string doubling by sprintf",
    source: big([...doublings(40, "abcdefgh", (p) => `sprintf("%s%s", [${p}, ${p}])`), "r := count(s40)"]),
  },
  {
    name: "sprintf with a huge width",
    source: big(['r := count([s | some i in numbers.range(1, 100000); s := sprintf("%0999999d", [i])])']),
  },
  { name: "replace that multiplies a string", source: big([...doublings(30, "aa", (p) => `replace(${p}, "a", "aa")`), "r := count(s30)"]) },
  {
    name: "concat of a big array, repeated",
    source: big([
      "xs := [x | some i in numbers.range(1, 50000); x := format_int(i, 10)]",
      'r := count([s | some i in numbers.range(1, 100000); s := concat(",", xs)])',
    ]),
  },
  {
    name: "json.marshal of a 100,000-element array, repeated",
    source: big(["xs := numbers.range(1, 100000)", "r := count([s | some i in numbers.range(1, 1000); s := json.marshal(xs)])"]),
  },
  {
    name: "json.unmarshal of a big text, repeated",
    source: big([
      "t := json.marshal(numbers.range(1, 100000))",
      "r := count([s | some i in numbers.range(1, 1000); s := json.unmarshal(t)])",
    ]),
  },
  {
    name: "yaml.marshal and unmarshal, repeated",
    source: big([
      "xs := numbers.range(1, 20000)",
      "r := count([s | some i in numbers.range(1, 1000); s := yaml.unmarshal(yaml.marshal(xs))])",
    ]),
  },
  {
    name: "regex over a long text, repeated",
    source: big([
      ...doublings(16, "ab", (p) => `concat("", [${p}, ${p}])`),
      'r := count([1 | some i in numbers.range(1, 100000); regex.match("(a|b)*c(a|b)*(a|b)*(a|b)*$", s16)])',
    ]),
  },
  {
    name: "regex.find_n over a long text",
    source: big([
      ...doublings(16, "ab", (p) => `concat("", [${p}, ${p}])`),
      'r := count([x | some i in numbers.range(1, 100000); x := regex.find_n("[ab]", s16, -1)])',
    ]),
  },
  {
    name: "glob.match with many wildcards",
    source: big([
      ...doublings(14, "aa", (p) => `concat("", [${p}, ${p}])`),
      'r := count([1 | some i in numbers.range(1, 100000); glob.match("*a*a*a*a*a*a*a*a*b", [], s14)])',
    ]),
  },
  {
    name: "sort of a big array, repeated",
    source: big([
      "xs := [x | some i in numbers.range(1, 100000); x := 100000 - i]",
      "r := count([s | some i in numbers.range(1, 1000); s := sort(xs)])",
    ]),
  },
  {
    name: "walk of a big value, repeated",
    source: big([
      'o := {k: [1, 2, {"a": k}] | some k in numbers.range(1, 20000)}',
      "r := count([n | some i in numbers.range(1, 1000); n := count([p | walk(o, [p, _])])])",
    ]),
  },
  {
    name: "object.union of big objects, repeated",
    source: big([
      "a := {k: k | some k in numbers.range(1, 50000)}",
      "b := {k: 0 | some k in numbers.range(25000, 75000)}",
      "r := count([u | some i in numbers.range(1, 1000); u := object.union(a, b)])",
    ]),
  },
  {
    name: "set union and intersection, repeated",
    source: big([
      "a := {k | some k in numbers.range(1, 50000)}",
      "b := {k | some k in numbers.range(25000, 75000)}",
      "r := count([u | some i in numbers.range(1, 1000); u := (a | b) & a])",
    ]),
  },
  {
    name: "comprehension over a cross product",
    source: big(["xs := numbers.range(1, 10000)", "r := count([[x, y] | some x in xs; some y in xs])"]),
  },
  {
    name: "functions called in a loop",
    source: big([
      "f(n) := count([x | some x in numbers.range(1, n)])",
      "g(n) := f(n) + f(n + 1)",
      "r := sum([y | some i in numbers.range(1, 100000); y := g(i)])",
    ]),
  },
  {
    name: "graph.reachable over a big graph, repeated",
    source: big([
      "g := {k: [k + 1, k + 2] | some k in numbers.range(1, 50000)}",
      "r := count([n | some i in numbers.range(1, 1000); n := count(graph.reachable(g, [1]))])",
    ]),
  },
  {
    name: "graph.reachable_paths over a dense graph",
    source: big([
      "g := {k: [j | some j in numbers.range(1, 40); j != k] | some k in numbers.range(1, 12)}",
      "r := count(graph.reachable_paths(g, [1]))",
    ]),
    finishes: true,
  },
  {
    name: "units.parse with a huge exponent",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := units.parse("1e99999K")])']),
  },
  {
    name: "time built-ins in a loop",
    source: big([
      'r := count([x | some i in numbers.range(1, 200000); x := time.format([i * 1000000000, "America/New_York", "Mon Jan _2 15:04:05.000000000 MST 2006"])])',
    ]),
  },
  {
    name: "with replacing a key of a big input, repeated",
    source: big(["q := input.k", "r := count([x | some i in numbers.range(1, 200000); x := q with input.k as i])"]),
    input: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, i]).concat([["k", 0]])),
  },
  {
    name: "equality of big arrays, repeated",
    source: big([
      "xs := numbers.range(1, 100000)",
      "ys := numbers.range(1, 100000)",
      "r := count([1 | some i in numbers.range(1, 100000); xs == ys])",
    ]),
  },
  {
    name: "big arrays as set members, repeated",
    source: big(["xs := numbers.range(1, 100000)", "r := count({[i, xs] | some i in numbers.range(1, 100000)})"]),
  },
  {
    name: "upper and count of a long string, repeated",
    source: big([
      ...doublings(20, "ab", (p) => `concat("", [${p}, ${p}])`),
      "r := count([n | some i in numbers.range(1, 100000); n := count(upper(s20))])",
    ]),
  },
  {
    name: "split into characters, repeated",
    source: big([
      ...doublings(20, "ab", (p) => `concat("", [${p}, ${p}])`),
      'r := count([n | some i in numbers.range(1, 100000); n := count(split(s20, ""))])',
    ]),
  },
  {
    name: "net.cidr_expand of a /16, repeated",
    source: big(['r := count([n | some i in numbers.range(1, 10000); n := count(net.cidr_expand("10.0.0.0/16"))])']),
  },
];
