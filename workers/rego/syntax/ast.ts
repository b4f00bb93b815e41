/**
 * Rego's abstract syntax, shaped like OPA's (v1/ast): terms are
 * `{type, value}` with OPA's type names, so `rego.parse_module` can emit OPA's
 * JSON and the compiler can follow OPA's rules. Every node carries where it
 * came from.
 *
 * Desugaring done by the parser (as OPA's parser does):
 * - infix operators become calls with OPA's built-in names:
 *   `=` eq, `:=` assign, `==` equal, `!=` neq, `<` lt, `<=` lte, `>` gt,
 *   `>=` gte, `+` plus, `-` minus, `*` mul, `/` div, `%` rem, `&` and, `|` or,
 *   `x in xs` internal.member_2(x, xs), `k, v in xs` internal.member_3(k, v, xs);
 * - an expression that is a call keeps the call's terms directly:
 *   `Expr.terms = [operatorRef, arg1, …]`; a call nested inside a term is a
 *   `CallTerm` whose `value` has the same layout;
 * - `some x in xs` is a `SomeDecl` whose single symbol is the member call;
 * - a rule written `p if {…}` gets the value `true` (generated);
 * - `$"a{x}b"` is a `TemplateStringTerm`.
 */
import type { RNumber } from "../value/number.js";

export interface Loc {
  file: string;
  /** 1-based line */
  row: number;
  /** 1-based column, in characters (code points) of that line */
  col: number;
  /** 0-based offset of the first character in the source (UTF-16 units) */
  offset: number;
  /** length in the source (UTF-16 units) */
  length: number;
}

interface Node {
  loc: Loc;
}

export interface NullTerm extends Node {
  type: "null";
  value: null;
}
export interface BooleanTerm extends Node {
  type: "boolean";
  value: boolean;
}
export interface NumberTerm extends Node {
  type: "number";
  value: RNumber;
  /** the literal as written (after a unary minus, with the sign) */
  text: string;
}
export interface StringTerm extends Node {
  type: "string";
  value: string;
  /** written as a `raw string` */
  raw?: boolean;
}
export interface VarTerm extends Node {
  type: "var";
  /** `_` is the wildcard; `input` and `data` are the roots */
  value: string;
}
/**
 * `value[0]` is the head: a var (data, input, x), or a call, array, object,
 * set or comprehension term the ref indexes into. Dotted parts (`a.b`)
 * become string terms; bracketed parts (`a[x]`) keep their term.
 */
export interface RefTerm extends Node {
  type: "ref";
  value: Term[];
}
export interface ArrayTerm extends Node {
  type: "array";
  value: Term[];
}
export interface ObjectTerm extends Node {
  type: "object";
  value: [Term, Term][];
}
export interface SetTerm extends Node {
  type: "set";
  value: Term[];
}
export interface ArrayComprehensionTerm extends Node {
  type: "arraycomprehension";
  value: { term: Term; body: Body };
}
export interface SetComprehensionTerm extends Node {
  type: "setcomprehension";
  value: { term: Term; body: Body };
}
export interface ObjectComprehensionTerm extends Node {
  type: "objectcomprehension";
  value: { key: Term; value: Term; body: Body };
}
/** `value[0]` is the operator (a ref, e.g. `plus` or `data.lib.f`), the rest are arguments. */
export interface CallTerm extends Node {
  type: "call";
  value: Term[];
}
/** `$"…{expr}…"`: literal text parts as string terms, expressions as terms in order. */
export interface TemplateStringTerm extends Node {
  type: "templatestring";
  value: Term[];
  /** for each part, whether it is an `{expression}` (true) or literal text (false) */
  exprs: boolean[];
  /**
   * `with` modifiers written inside an `{expression}` (`$"{a with input as 1}"`),
   * aligned with `value` (null for parts without); absent when no part has any.
   */
  withs?: (With[] | null)[];
}

export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | ArrayComprehensionTerm
  | SetComprehensionTerm
  | ObjectComprehensionTerm
  | CallTerm
  | TemplateStringTerm;

export type ScalarTerm = NullTerm | BooleanTerm | NumberTerm | StringTerm;

/** `some x, y` (vars), or `some x in xs` / `some k, v in xs` (one member call). */
export interface SomeDecl extends Node {
  type: "somedecl";
  symbols: Term[];
}

/** `every k, v in domain { body }` (`key` null when only a value is bound). */
export interface Every extends Node {
  type: "every";
  key: Term | null;
  value: Term;
  domain: Term;
  body: Body;
}

export interface With extends Node {
  /** a ref: input…, data…, or a function/built-in name */
  target: Term;
  value: Term;
}

/**
 * A logical expression (OPA 1.17 `future.keywords.not`, 1.20 `.and`/`.or`): `and` holds when
 * every operand holds, `or` when one does (operands tried left to right, short-circuit),
 * `body` (the negated `not { … }` or `not ( … )`) when its one operand holds. It binds
 * nothing outside and does not iterate. Each operand is a body: one expression, or what an
 * explicit `{ … }` holds, whose variables are then its own.
 */
export interface Logical extends Node {
  type: "logical";
  op: "and" | "or" | "body";
  operands: Body[];
  /** per operand: written as an explicit body `{ … }` */
  explicit: boolean[];
}

export interface Expr extends Node {
  /** position in its body, from 0 */
  index: number;
  negated?: boolean;
  with?: With[];
  /** introduced by the parser or compiler, not written by the user */
  generated?: boolean;
  /** a term, a call (`[operator, …args]`), a `some` declaration, `every` or a logical expression */
  terms: Term | Term[] | SomeDecl | Every | Logical;
}

export type Body = Expr[];

export interface Head extends Node {
  /**
   * The rule's ref: `[var p]` for `p`, `[var a, string b, var x]` for
   * `a.b[x]`. For a function, the function's name ref.
   */
  ref: Term[];
  /** function parameters */
  args?: Term[];
  /** the element of a multi-value rule (`p contains x`, v0 `p[x] { … }`) */
  key?: Term;
  /** the value (`:=`/`=`), `true` for `p if …` */
  value?: Term;
  /** written with `:=` */
  assign: boolean;
}

export interface Rule extends Node {
  default?: boolean;
  head: Head;
  /** an unconditional rule (`p := 1`) has a generated body `true` */
  body: Body;
  /** the next rule of an `else` chain */
  else?: Rule;
  /** `# METADATA` blocks that apply to this rule */
  annotations?: Annotations[];
}

export interface Import extends Node {
  /** a ref rooted at data, input, future or rego */
  path: RefTerm;
  alias?: string;
}

export interface Package extends Node {
  /** `[var data, string a, string b]` for `package a.b` */
  path: Term[];
}

export interface Comment extends Node {
  text: string;
}

/** A parsed `# METADATA` block (YAML), as OPA's annotations. */
export interface Annotations extends Node {
  scope: "package" | "subpackages" | "rule" | "document";
  title?: string;
  description?: string;
  entrypoint?: boolean;
  organizations?: string[];
  related_resources?: { ref: string; description?: string }[];
  authors?: { name?: string; email?: string }[];
  schemas?: { path: string[]; schema?: unknown; definition?: unknown }[];
  custom?: Record<string, unknown>;
}

export interface Module {
  file: string;
  regoVersion: 0 | 1;
  package: Package;
  imports: Import[];
  rules: Rule[];
  comments: Comment[];
  annotations: Annotations[];
}

export interface ParseOptions {
  /** Rego v1 (default) or v0 syntax (`--v0-compatible`) */
  regoVersion?: 0 | 1;
}
