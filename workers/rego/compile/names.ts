/**
 * Names of refs and operators: the dotted form of a ref made of a var and
 * strings (`data.a.b`, `array.concat`), and building terms for generated code.
 */
import type { Loc, Module, RefTerm, StringTerm, Term, VarTerm } from "../syntax/ast.js";

/** `a.b.c` for a ref `[var a, string b, string c]`; undefined if any part is not a plain name. */
export function refName(t: Term): string | undefined {
  if (t.type === "var") return t.value;
  if (t.type !== "ref") return undefined;
  const head = t.value[0];
  if (head?.type !== "var") return undefined;
  let name = head.value;
  for (let i = 1; i < t.value.length; i++) {
    const p = t.value[i] as Term;
    if (p.type !== "string") return undefined;
    name += "." + p.value;
  }
  return name;
}

/** The parts of a ref made of a var and strings (`["data", "a", "b"]`). */
export function refPath(t: Term): string[] | undefined {
  if (refName(t) === undefined) return undefined;
  if (t.type === "var") return [t.value];
  const parts = (t as RefTerm).value;
  return [(parts[0] as VarTerm).value, ...parts.slice(1).map((p) => (p as StringTerm).value)];
}

export function varTerm(name: string, loc: Loc): VarTerm {
  return { type: "var", value: name, loc };
}

export function stringTerm(value: string, loc: Loc): StringTerm {
  return { type: "string", value, loc };
}

export function dataRef(path: string[], loc: Loc): RefTerm {
  return { type: "ref", value: [varTerm("data", loc), ...path.map((p) => stringTerm(p, loc))], loc };
}

/** A ref term for an operator name (`plus`, `array.concat`). */
export function operatorRef(name: string, loc: Loc): RefTerm {
  const [head, ...rest] = name.split(".");
  return { type: "ref", value: [varTerm(head as string, loc), ...rest.map((p) => stringTerm(p, loc))], loc };
}

export const ROOTS = new Set(["data", "input"]);

/** OPA's Rego v1 checks apply: a v1 module, or a v0 module that imports `rego.v1`. */
export function v1Checks(m: Module): boolean {
  return m.regoVersion === 1 || m.imports.some((i) => refName(i.path) === "rego.v1");
}

/**
 * `import future.keywords.not` (in v1 also the catch-all `future.keywords`, whose v1 keywords are
 * `and`, `not` and `or`): a negated expression keeps the calls nested in it inside the negation.
 */
export function improvedNegation(m: Module): boolean {
  return m.imports.some((i) => {
    const name = refName(i.path);
    return name === "future.keywords.not" || (name === "future.keywords" && m.regoVersion === 1);
  });
}
