/**
 * `and`, `or` and `not` groups and bodies (future.keywords.and / .or / .not) on random
 * formulas (seeded) against a reference evaluator of their documented meaning: an operand
 * fails when undefined or false, `and` binds tighter than `or`, `not` tighter still.
 */
import { describe, expect, it } from "vitest";
import { RObject, compile, formatError, fromJS, prepare } from "../../../workers/rego/index.js";
import { rng } from "../../conformance/differential.js";

type Input = Record<string, unknown>;
type Formula =
  | { k: "leaf"; text: string; holds: (input: Input) => boolean }
  | { k: "body"; leaves: Formula[] }
  | { k: "not"; x: Formula }
  | { k: "and" | "or"; a: Formula; b: Formula };

const FLAGS = ["f0", "f1", "f2", "f3"];
const NUMBERS = ["n0", "n1"];

function leaf(r: () => number): Formula {
  if (r() < 0.6) {
    const f = FLAGS[Math.floor(r() * FLAGS.length)] as string;
    // A flag holds when present and not false (0 and "s" are values like any other).
    return { k: "leaf", text: `input.${f}`, holds: (i) => f in i && i[f] !== false };
  }
  const n = NUMBERS[Math.floor(r() * NUMBERS.length)] as string;
  const bound = Math.floor(r() * 4);
  return { k: "leaf", text: `input.${n} > ${bound}`, holds: (i) => typeof i[n] === "number" && (i[n] as number) > bound };
}

function formula(r: () => number, depth: number): Formula {
  const p = r();
  if (depth === 0 || p < 0.25) return leaf(r);
  if (p < 0.35) return { k: "body", leaves: [leaf(r), leaf(r)] };
  if (p < 0.5) return { k: "not", x: formula(r, depth - 1) };
  return { k: p < 0.75 ? "and" : "or", a: formula(r, depth - 1), b: formula(r, depth - 1) };
}

function holds(f: Formula, i: Input): boolean {
  switch (f.k) {
    case "leaf":
      return f.holds(i);
    case "body":
      return f.leaves.every((l) => holds(l, i));
    case "not":
      return !holds(f.x, i);
    case "and":
      return holds(f.a, i) && holds(f.b, i);
    case "or":
      return holds(f.a, i) || holds(f.b, i);
  }
}

const PREC = { or: 1, and: 2, not: 3, leaf: 4, body: 4 };

/** Rego text for `f` where an operand of precedence at least `min` is needed (parentheses otherwise, and sometimes anyway). */
function text(f: Formula, min: number, r: () => number): string {
  let s: string;
  switch (f.k) {
    case "leaf":
      s = f.text;
      break;
    case "body":
      s = `{ ${f.leaves.map((l) => text(l, 4, r)).join("; ")} }`;
      break;
    case "not":
      // `not` takes one expression, a body or a group: a nested not or a chain goes in parentheses.
      s = f.x.k === "leaf" || f.x.k === "body" ? `not ${text(f.x, 4, r)}` : `not (${text(f.x, 0, r)})`;
      break;
    case "and":
    case "or":
      // Left-associative: the right operand of the same operator is parenthesized.
      s = `${text(f.a, PREC[f.k], r)} ${f.k} ${text(f.b, PREC[f.k] + 1, r)}`;
      break;
  }
  const braces = f.k === "body";
  if (!braces && (PREC[f.k] < min || (f.k !== "leaf" && r() < 0.15))) return `(${s})`;
  return s;
}

function randomInput(r: () => number): Input {
  const values = [true, false, 0, "s"];
  const input: Input = {};
  for (const f of FLAGS) if (r() < 0.8) input[f] = values[Math.floor(r() * values.length)];
  for (const n of NUMBERS) if (r() < 0.8) input[n] = Math.floor(r() * 5);
  return input;
}

describe("logical keywords on generated formulas", () => {
  it("hold exactly when the reference evaluator says so", () => {
    const r = rng(1720);
    const failures: string[] = [];
    for (let n = 0; n < 120; n++) {
      const f = formula(r, 4);
      // A body alone is not an expression: wrap it as an operand.
      const body = f.k === "body" ? `${text(f, 0, r)} and true` : text(f, 0, r);
      const source = `package t\nimport future.keywords.and\nimport future.keywords.or\nimport future.keywords.not\n\np if {\n\t${body}\n}\n`;
      const compiled = compile({ modules: [{ name: "t.rego", source }], entrypoints: ["data.t.p"] });
      if (!compiled.plan) {
        failures.push(`${source}  does not compile: ${compiled.errors.map(formatError).join("; ")}`);
        continue;
      }
      const prepared = prepare(compiled.plan);
      for (let k = 0; k < 8; k++) {
        const input = randomInput(r);
        const rows = prepared.evaluateSync("t/p", { input: fromJS(input) }).results;
        const got = rows[0] instanceof RObject && rows[0].getString("result") === true;
        if (got !== holds(f, input)) failures.push(`${source}  input ${JSON.stringify(input)}: got ${got}, want ${!got}`);
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
  });
});
