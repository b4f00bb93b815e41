/**
 * A generator of small random Rego programs over a fixed input shape, each
 * paired with a reference evaluator written directly in TypeScript (not via
 * the engine), so the engine's answer can be checked on programs nobody wrote
 * by hand. The templates aim at what has gone wrong before: composite values
 * built from iterating terms, comprehensions, object iteration, negation,
 * every, defaults.
 */
import { RObject, RSet, fromJS, type Value } from "../../../workers/rego/index.js";

export interface GenInput {
  xs: number[];
  m: Record<string, number>;
}

export interface GenProgram {
  source: string;
  /** data.g's value for an input, as the reference evaluator computes it */
  expected(input: GenInput): Value;
}

type R = () => number;

function int(r: R, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function pick<T>(r: R, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

interface Cond {
  rego(v: string): string;
  holds(x: number): boolean;
}

function cond(r: R): Cond {
  const c = int(r, -2, 5);
  return pick<Cond>(r, [
    { rego: (v) => `${v} > ${c}`, holds: (x) => x > c },
    { rego: (v) => `${v} < ${c}`, holds: (x) => x < c },
    { rego: (v) => `${v} >= ${c}`, holds: (x) => x >= c },
    { rego: (v) => `${v} == ${c}`, holds: (x) => x === c },
    { rego: (v) => `${v} != ${c}`, holds: (x) => x !== c },
    // Rego's % truncates toward zero, as JavaScript's does.
    { rego: (v) => `${v} % 2 == 0`, holds: (x) => x % 2 === 0 },
  ]);
}

interface Head {
  rego(v: string): string;
  value(x: number): Value;
}

function head(r: R): Head {
  const c = int(r, -3, 4);
  return pick<Head>(r, [
    { rego: (v) => v, value: (x) => x },
    { rego: (v) => `${v} + ${c}`, value: (x) => x + c },
    { rego: (v) => `${v} * ${c}`, value: (x) => x * c },
    { rego: (v) => `[${v}, ${c}]`, value: (x) => [x, c] },
    { rego: (v) => `{"v": ${v}}`, value: (x) => RObject.from([["v", x]]) },
    { rego: (v) => `[${v}, [${v}]]`, value: (x) => [x, [x]] },
    { rego: (v) => `{${v}}`, value: (x) => RSet.from([x]) },
    { rego: (v) => `{"a": {"b": ${v}}}`, value: (x) => RObject.from([["a", RObject.from([["b", x]])]]) },
  ]);
}

interface Rule {
  source: string;
  /** the rule's value, or undefined */
  value(input: GenInput): Value | undefined;
}

const entries = (m: Record<string, number>) => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function rule(r: R, name: string): Rule {
  const c = cond(r);
  const h = head(r);
  switch (int(r, 0, 10)) {
    case 0:
      return {
        source: `${name} contains ${h.rego("x")} if {\n\tsome x in input.xs\n\t${c.rego("x")}\n}`,
        value: (inp) => RSet.from(inp.xs.filter(c.holds).map(h.value)),
      };
    case 1:
      // The class of issue 11: a composite built around an iterating ref.
      return {
        source: `${name} contains y if {\n\tsome i\n\ty := [input.xs[i]]\n\t${c.rego("input.xs[i]")}\n}`,
        value: (inp) => RSet.from(inp.xs.filter(c.holds).map((x) => [x])),
      };
    case 2:
      return {
        // A comprehension head is a plain term (OPA reads `[x + 1 | …]` as an `or` call): values go through a var.
        source: `${name} := [y | some x in input.xs; ${c.rego("x")}; y := ${h.rego("x")}]`,
        value: (inp) => inp.xs.filter(c.holds).map(h.value),
      };
    case 3:
      return {
        source: `${name} := {y | some x in input.xs; ${c.rego("x")}; y := ${h.rego("x")}}`,
        value: (inp) => RSet.from(inp.xs.filter(c.holds).map(h.value)),
      };
    case 4:
      return {
        source: `${name} := {k: y | some k, v in input.m; ${c.rego("v")}; y := ${h.rego("v")}}`,
        value: (inp) =>
          RObject.from(
            entries(inp.m)
              .filter(([, v]) => c.holds(v))
              .map(([k, v]) => [k, h.value(v)] as [Value, Value]),
          ),
      };
    case 5:
      return {
        source: `${name} contains [k, ${h.rego("v")}] if {\n\tsome k, v in input.m\n\t${c.rego("v")}\n}`,
        value: (inp) =>
          RSet.from(
            entries(inp.m)
              .filter(([, v]) => c.holds(v))
              .map(([k, v]) => [k, h.value(v)]),
          ),
      };
    case 6:
      return {
        source: `${name} := count({x | some x in input.xs; ${c.rego("x")}})`,
        value: (inp) => new Set(inp.xs.filter(c.holds)).size,
      };
    case 7:
      return {
        source: `${name} := sum([x | some x in input.xs; ${c.rego("x")}])`,
        value: (inp) => inp.xs.filter(c.holds).reduce((a, b) => a + b, 0),
      };
    case 8:
      return {
        source: `default ${name} := false\n\n${name} if {\n\tevery x in input.xs {\n\t\t${c.rego("x")}\n\t}\n}`,
        value: (inp) => inp.xs.every(c.holds),
      };
    case 9:
      return {
        source: `${name} contains x if {\n\tsome x in input.xs\n\tnot ${c.rego("x")}\n}`,
        value: (inp) => RSet.from(inp.xs.filter((x) => !c.holds(x))),
      };
    default: {
      // An object value with an iterating element: one object per element.
      const n = int(r, 0, 3);
      return {
        source: `${name} contains o if {\n\to := {"k": input.xs[_], "n": ${n}}\n}`,
        value: (inp) =>
          RSet.from(
            inp.xs.map((x) =>
              RObject.from([
                ["k", x],
                ["n", n],
              ]),
            ),
          ),
      };
    }
  }
}

export function generate(r: R): GenProgram {
  const rules: Rule[] = [];
  const n = int(r, 1, 4);
  for (let i = 0; i < n; i++) {
    const made = rule(r, `r${i}`);
    rules.push(made);
  }
  const source = `package g\n\n${rules.map((x) => x.source).join("\n\n")}\n`;
  return {
    source,
    expected: (inp) => {
      const o = new RObject();
      rules.forEach((x, i) => {
        const v = x.value(inp);
        if (v !== undefined) o.set(`r${i}`, v);
      });
      return o;
    },
  };
}

export function randomInput(r: R): GenInput {
  const xs = Array.from({ length: int(r, 0, 5) }, () => int(r, -3, 6));
  const m: Record<string, number> = {};
  for (const k of ["a", "b", "c", "d"]) if (r() < 0.6) m[k] = int(r, -3, 6);
  return { xs, m };
}

export function inputValue(inp: GenInput): Value {
  return fromJS(inp);
}
