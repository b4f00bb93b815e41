/**
 * Type checks of calls against OPA's declarations of built-ins (the
 * catalogue) and the types inferred for the policy's functions, following
 * OPA's checker (ast/check.go): an argument — or the output a call is unified
 * with — must unify with the declared type. What is known of a
 * term: literals and their elements, results of built-ins (with their element
 * types), comprehensions (their head's type), variables whose type was
 * inferred from what bound them and rules whose values' types were
 * (infer-types.ts), and refs into those. Refs into input and other data stay
 * `any`, as in OPA when no schema is given.
 *
 * Types are the catalogue's own shape (`TypeDecl`): `any` without `of` is
 * anything, `any` with `of` is one of those types (OPA's types.Any).
 */
import type { Term } from "../syntax/ast.js";
import { BUILTIN_DECLS, type BuiltinDecl, type TypeDecl } from "../builtins/index.js";
import { refName, refPath } from "./names.js";

/**
 * What is known of names: a unique variable name, or a rule's key
 * (`ruleTypeKey`), → the type inferred for it (infer-types.ts).
 */
export interface VarTypes {
  get(name: string): TypeDecl | undefined;
  /**
   * The most parts a rule's data path has, when known: no longer prefix of a `data` ref can name
   * a rule, so the search for the rule a ref reads stops there instead of building a key for each
   * of a long ref's prefixes (quadratic in its length).
   */
  readonly ruleDepth?: number;
}

/** The key a rule's inferred type is known by: its data path (rule keys never clash with `x$3` variable names). */
export function ruleTypeKey(path: string[]): string {
  return `data${JSON.stringify(path)}`;
}

const ANY: TypeDecl = { type: "any" };
const NO_VARS: VarTypes = new Map();

interface ObjectProperty {
  key: unknown;
  value: TypeDecl;
}

/** The members of an `any`: empty for anything. */
function members(t: TypeDecl): TypeDecl[] {
  const of = t.of;
  if (!of) return [];
  return Array.isArray(of) ? of : [of];
}

const isAnything = (t: TypeDecl) => t.type === "any" && members(t).length === 0;

/** OPA's types.Or over several types: anything absorbs the rest, one member stands alone. */
export function unionOf(types: TypeDecl[]): TypeDecl {
  const out: TypeDecl[] = [];
  const seen = new Set<string>();
  for (const t of types.flatMap((x) => (x.type === "any" && !isAnything(x) ? members(x) : [x]))) {
    if (isAnything(t)) return ANY;
    const key = typeString(t);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  if (out.length === 0) return ANY;
  return out.length === 1 ? (out[0] as TypeDecl) : { type: "any", of: out };
}

const setOf = (t: TypeDecl) => (t.of as TypeDecl | undefined) ?? ANY;
const staticProps = (t: TypeDecl) => (t.static ?? []) as unknown as ObjectProperty[];
const dynamicProp = (t: TypeDecl) => t.dynamic as { key: TypeDecl; value: TypeDecl } | undefined;

/** The type at index `i` of an array type (OPA's types.Array.Select). */
function selectIndex(t: TypeDecl, i: number): TypeDecl | undefined {
  const fixed = (t.static ?? []) as TypeDecl[];
  return i < fixed.length ? fixed[i] : (t.dynamic as TypeDecl | undefined);
}

/** The type under a constant key of an object type (OPA's types.Object.Select). */
function selectKey(t: TypeDecl, key: unknown): TypeDecl | undefined {
  const prop = staticProps(t).find((p) => sameKey(p.key, key));
  if (prop) return prop.value;
  const dyn = dynamicProp(t);
  return dyn && keyFits(dyn.key, key) ? dyn.value : undefined;
}

const sameKey = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Whether a constant key's type is contained in a declared key type (OPA's types.Contains). */
function keyFits(want: TypeDecl, key: unknown): boolean {
  if (want.type === "any") {
    const of = members(want);
    return of.length === 0 || of.some((m) => keyFits(m, key));
  }
  return want.type === scalarTypeName(key);
}

function scalarTypeName(v: unknown): string {
  if (v === null) return "null";
  return typeof v === "bigint" ? "number" : typeof v;
}

/**
 * OPA's `unifies(a, b)`: whether a value of one type may be a value of the
 * other. Objects are compared only under the keys both declare (and their
 * dynamic values): OPA is stricter there, and this checker never refuses
 * what OPA accepts.
 */
export function unifies(a: TypeDecl, b: TypeDecl): boolean {
  if (a.type === "any" && (isAnything(a) || members(a).some((m) => unifies(m, b)))) return true;
  if (b.type === "any" && (isAnything(b) || members(b).some((m) => unifies(a, m)))) return true;
  if (a.type === "any" || b.type === "any" || a.type !== b.type) return false;
  switch (a.type) {
    case "array": {
      const staticFits = (x: TypeDecl, y: TypeDecl) =>
        ((x.static ?? []) as TypeDecl[]).every((t, i) => {
          const other = selectIndex(y, i);
          return other !== undefined && unifies(t, other);
        });
      const da = a.dynamic as TypeDecl | undefined;
      const db = b.dynamic as TypeDecl | undefined;
      return staticFits(a, b) && staticFits(b, a) && (!da || !db || unifies(da, db));
    }
    case "set":
      return unifies(setOf(a), setOf(b));
    case "object": {
      for (const p of staticProps(a)) {
        const other = selectKey(b, p.key);
        if (other && !unifies(p.value, other)) return false;
      }
      const da = dynamicProp(a);
      const db = dynamicProp(b);
      return !da || !db || unifies(da.value, db.value);
    }
    default:
      return true;
  }
}

/** The type of a term, as far as it is known at compile time. */
export function typeOfTerm(t: Term, vars: VarTypes = NO_VARS): TypeDecl {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return { type: t.type };
    case "templatestring":
      return { type: "string" };
    case "var":
      return vars.get(t.value) ?? ANY;
    case "ref":
      return refType(t.value, vars);
    case "array":
      return { type: "array", static: t.value.map((x) => typeOfTerm(x, vars)) };
    case "set":
      return { type: "set", of: unionOf(t.value.map((x) => typeOfTerm(x, vars))) };
    case "object": {
      const props: ObjectProperty[] = [];
      for (const [k, v] of t.value) {
        const key = constantKey(k);
        // A key only known at run time could be any key: nothing is known of the object's shape.
        if (key === undefined) return { type: "object", dynamic: { key: ANY, value: ANY } };
        props.push({ key: key.value, value: typeOfTerm(v, vars) });
      }
      return { type: "object", static: props as unknown as TypeDecl[] };
    }
    case "arraycomprehension":
      return { type: "array", dynamic: typeOfTerm(t.value.term, vars) };
    case "setcomprehension":
      return { type: "set", of: typeOfTerm(t.value.term, vars) };
    case "objectcomprehension":
      return { type: "object", dynamic: { key: typeOfTerm(t.value.key, vars), value: typeOfTerm(t.value.value, vars) } };
    case "call": {
      // A function of the policy's is known by its inferred type, a built-in by its declaration.
      const op = t.value[0] as Term;
      const path = refPath(op);
      const decl = path?.[0] === "data" ? functionDecl(path.slice(1), vars) : BUILTIN_DECLS.get(refName(op) ?? "");
      return decl?.result ?? ANY;
    }
    default:
      return ANY;
  }
}

/** A function's inferred type (infer-types.ts), in a built-in declaration's shape; undefined when it has none. */
export function functionDecl(path: string[], vars: VarTypes): BuiltinDecl | undefined {
  const t = vars.get(ruleTypeKey(path));
  return t?.type === "function" ? (t as unknown as BuiltinDecl) : undefined;
}

/**
 * The type of a ref (OPA's checkRefLeaf): its head's — a variable's, or a
 * rule's for `data.…` up to the rule — narrowed by each operand after it: a
 * constant selects its element, anything else stands for every element.
 * Input, other data and anything OPA would call an undefined ref are any.
 */
function refType(parts: Term[], vars: VarTypes): TypeDecl {
  const head = parts[0] as Term;
  if (head.type !== "var") return ANY;
  let type: TypeDecl | undefined;
  let i = 1;
  if (head.value === "data") {
    const path: string[] = [];
    const depth = vars.ruleDepth ?? Number.POSITIVE_INFINITY;
    for (; i < parts.length && i <= depth && type === undefined; i++) {
      const p = parts[i] as Term;
      if (p.type !== "string") return ANY;
      path.push(p.value);
      type = vars.get(ruleTypeKey(path));
    }
  } else type = vars.get(head.value);
  for (; type && i < parts.length; i++) type = selectOperand(type, parts[i] as Term);
  return type ?? ANY;
}

/**
 * The operand of a ref into a variable that OPA's checker calls an undefined
 * ref: a string key an object type without dynamic keys does not have, or an
 * index past a fixed-length array type. Only such fully known, non-empty
 * shapes count.
 */
export function undefinedRefOperand(parts: Term[], vars: VarTypes): number | undefined {
  const head = parts[0] as Term;
  if (head.type !== "var") return undefined;
  let type = vars.get(head.value);
  for (let i = 1; type && i < parts.length; i++) {
    const operand = parts[i] as Term;
    // Empty literals are left out: whether OPA gives `{}` and `[]` a shape at all is not certain.
    const props = type.type === "object" && !type.dynamic ? staticProps(type) : [];
    if (props.length > 0 && operand.type === "string" && !props.some((p) => p.key === operand.value)) return i;
    const fixed = type.type === "array" && !type.dynamic ? (type.static ?? []) : [];
    if (fixed.length > 0 && operand.type === "number") {
      const index = Number(operand.value);
      if (Number.isInteger(index) && (index < 0 || index >= fixed.length)) return i;
    }
    type = selectOperand(type, operand);
  }
  return undefined;
}

function selectOperand(t: TypeDecl, operand: Term): TypeDecl | undefined {
  const key = constantKey(operand);
  switch (t.type) {
    case "array": {
      if (key) return typeof key.value === "number" ? selectIndex(t, key.value) : undefined;
      const fixed = (t.static ?? []) as TypeDecl[];
      const dyn = t.dynamic as TypeDecl | undefined;
      return fixed.length > 0 || dyn ? unionOf([...fixed, ...(dyn ? [dyn] : [])]) : undefined;
    }
    case "object": {
      if (key) return selectKey(t, key.value);
      const dyn = dynamicProp(t);
      const values = [...staticProps(t).map((p) => p.value), ...(dyn ? [dyn.value] : [])];
      return values.length > 0 ? unionOf(values) : undefined;
    }
    case "set":
      return setOf(t);
    default:
      return undefined;
  }
}

function constantKey(k: Term): { value: unknown } | undefined {
  switch (k.type) {
    case "null":
      return { value: null };
    case "boolean":
    case "string":
      return { value: k.value };
    case "number":
      return { value: Number(k.value) };
    default:
      return undefined;
  }
}

/**
 * OPA's `unify1(term, type)` for an argument: a composite literal is matched
 * element by element (so its length and keys count), anything else by its type.
 */
function termFits(t: Term, want: TypeDecl, vars: VarTypes): boolean {
  if (t.type !== "array" && t.type !== "object" && t.type !== "set") return unifies(typeOfTerm(t, vars), want);
  if (want.type === "any") {
    const of = members(want);
    return of.length === 0 || of.some((m) => termFits(t, m, vars));
  }
  if (want.type !== t.type) return false;
  switch (t.type) {
    case "array":
      if (!want.dynamic && t.value.length !== (want.static?.length ?? 0)) return false;
      return t.value.every((x, i) => {
        const elem = selectIndex(want, i);
        return elem !== undefined && termFits(x, elem, vars);
      });
    case "set":
      return t.value.every((x) => termFits(x, setOf(want), vars));
    case "object":
      if (!want.dynamic && t.value.length !== staticProps(want).length) return false;
      return t.value.every(([k, v]) => {
        const key = constantKey(k);
        if (key === undefined) return true;
        const child = selectKey(want, key.value);
        return child !== undefined && termFits(v, child, vars);
      });
  }
}

/** A type in OPA's notation (`array[string]`, `object[string: any]`, `any<number, set[any]>`). */
export function typeString(t: TypeDecl | undefined): string {
  if (!t) return "???";
  switch (t.type) {
    case "any": {
      const of = members(t);
      return of.length === 0 ? "any" : `any<${of.map(typeString).join(", ")}>`;
    }
    case "array": {
      const fixed = (t.static ?? []) as TypeDecl[];
      const prefix = fixed.length > 0 ? `<${fixed.map(typeString).join(", ")}>` : "";
      const dyn = t.dynamic as TypeDecl | undefined;
      return `array${prefix}${dyn || fixed.length === 0 ? `[${typeString(dyn ?? ANY)}]` : ""}`;
    }
    case "set":
      return `set[${typeString(setOf(t))}]`;
    case "object": {
      const props = staticProps(t);
      const prefix =
        props.length > 0
          ? `<${props.map((p) => `${typeof p.key === "string" ? p.key : JSON.stringify(p.key)}: ${typeString(p.value)}`).join(", ")}>`
          : "";
      const dyn = dynamicProp(t);
      return `object${prefix}${dyn ? `[${typeString(dyn.key)}: ${typeString(dyn.value)}]` : props.length === 0 ? "[any: any]" : ""}`;
    }
    default:
      return t.type;
  }
}

/**
 * The first operand the built-in cannot take — an argument, or the output the
 * call is unified with — with a message in OPA's terms.
 */
export function argumentTypeError(op: string, args: Term[], vars: VarTypes = NO_VARS): { index: number; message: string } | undefined {
  const decl = op.startsWith("data.") ? functionDecl(op.split(".").slice(1), vars) : BUILTIN_DECLS.get(op);
  if (!decl) return undefined;
  const wanted = [...(decl.args ?? []), ...(decl.result ? [decl.result] : [])];
  for (let i = 0; i < Math.min(args.length, wanted.length); i++) {
    const arg = args[i] as Term;
    const want = wanted[i] as TypeDecl;
    if (!termFits(arg, want, vars))
      return {
        index: i,
        message: `${op}: invalid argument(s): operand ${i + 1} is ${typeString(typeOfTerm(arg, vars))}, want ${typeString(want)}`,
      };
  }
  return undefined;
}
