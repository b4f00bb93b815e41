/**
 * Type checks of built-in calls against OPA's declarations (the catalogue):
 * an argument whose type is known at compile time — a literal, or the result
 * of another built-in — must be one the built-in accepts. Unknown types
 * (variables, refs into input and data) pass, as they do in OPA when no
 * schema is given.
 */
import type { Term } from "../syntax/ast.js";
import { BUILTIN_DECLS, type TypeDecl } from "../builtins/index.js";
import { refName } from "./names.js";

/** A type as the checker sees it: a base type, with element types for collections. */
export type KnownType =
  | { type: "any" }
  | { type: "null" | "boolean" | "number" | "string" }
  | { type: "array"; items: KnownType[] }
  | { type: "object"; values: KnownType[] }
  | { type: "set"; items: KnownType[] };

const ANY: KnownType = { type: "any" };

export function typeOfTerm(t: Term): KnownType {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return { type: t.type };
    case "templatestring":
      return { type: "string" };
    case "array":
      return { type: "array", items: t.value.map(typeOfTerm) };
    case "set":
      return { type: "set", items: t.value.map(typeOfTerm) };
    case "object":
      return { type: "object", values: t.value.map(([, v]) => typeOfTerm(v)) };
    case "arraycomprehension":
      return { type: "array", items: [] };
    case "setcomprehension":
      return { type: "set", items: [] };
    case "objectcomprehension":
      return { type: "object", values: [] };
    case "call": {
      const decl = BUILTIN_DECLS.get(refName(t.value[0] as Term) ?? "");
      return decl?.result ? fromDecl(decl.result) : ANY;
    }
    default:
      return ANY;
  }
}

/** A declared result type as a known type (only its base type matters for callers). */
function fromDecl(d: TypeDecl): KnownType {
  switch (d.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return { type: d.type };
    case "array":
      return { type: "array", items: [] };
    case "set":
      return { type: "set", items: [] };
    case "object":
      return { type: "object", values: [] };
    default:
      return ANY;
  }
}

export function accepts(want: TypeDecl | undefined, have: KnownType): boolean {
  if (!want || have.type === "any") return true;
  if (want.type === "any") {
    const of = want.of;
    if (!of) return true;
    return (Array.isArray(of) ? of : [of]).some((w) => accepts(w, have));
  }
  if (want.type !== have.type) return false;
  switch (have.type) {
    case "array": {
      const elem = want.dynamic as TypeDecl | undefined;
      const fixed = want.static;
      return have.items.every((h, i) => accepts(fixed?.[i] ?? elem, h));
    }
    case "set":
      return have.items.every((h) => accepts(want.of as TypeDecl | undefined, h));
    case "object": {
      const dyn = want.dynamic as { value?: TypeDecl } | undefined;
      return have.values.every((h) => accepts(dyn?.value, h));
    }
    default:
      return true;
  }
}

export function describeType(t: KnownType): string {
  switch (t.type) {
    case "array":
    case "set":
      return `${t.type}[${[...new Set(t.items.map(describeType))].join(", ") || "any"}]`;
    case "object":
      return `object[${[...new Set(t.values.map(describeType))].join(", ") || "any"}]`;
    default:
      return t.type;
  }
}

export function describeDecl(d: TypeDecl | undefined): string {
  if (!d) return "any";
  if (d.type === "any") {
    const of = d.of;
    if (!of) return "any";
    return `any<${(Array.isArray(of) ? of : [of]).map(describeDecl).join(", ")}>`;
  }
  if (d.type === "array") return `array[${describeDecl((d.dynamic as TypeDecl | undefined) ?? (d.static?.[0] as TypeDecl | undefined))}]`;
  if (d.type === "set") return `set[${describeDecl(d.of as TypeDecl | undefined)}]`;
  if (d.type === "object") return `object[${describeDecl((d.dynamic as { value?: TypeDecl } | undefined)?.value)}]`;
  return d.type;
}

/** The first argument the built-in cannot take, with a message in OPA's terms. */
export function argumentTypeError(op: string, args: Term[]): { index: number; message: string } | undefined {
  const decl = BUILTIN_DECLS.get(op);
  if (!decl?.args) return undefined;
  for (let i = 0; i < Math.min(args.length, decl.args.length); i++) {
    const have = typeOfTerm(args[i] as Term);
    const want = decl.args[i];
    if (!accepts(want, have))
      return { index: i, message: `${op}: invalid argument(s): operand ${i + 1} is ${describeType(have)}, want ${describeDecl(want)}` };
  }
  return undefined;
}
