/**
 * Token kinds of the Rego scanner and the names OPA prints for them in
 * parse errors ("unexpected } token", "unexpected eof token").
 *
 * Words are always scanned as `Ident`: whether `if`, `in`, `every` or
 * `contains` is a keyword depends on the Rego version and on the module's
 * `future.keywords` / `rego.v1` imports, which the parser only learns while
 * parsing, so keyword-ness is decided by the parser (see ParserBase.kwOf).
 */

export const enum Tok {
  // kinds up to TemplateEnd carry their source text (see Token.text)
  EOF,
  Illegal,
  Ident,
  Number,
  String,
  /** `$"text{` or `}text{` of a template string: text up to an `{expression}` */
  TemplatePart,
  /** `$"text"` or `}text"`: the last piece of a template string */
  TemplateEnd,
  LBrack,
  RBrack,
  LBrace,
  RBrace,
  LParen,
  RParen,
  Comma,
  Colon,
  Semicolon,
  Dot,
  Add,
  Sub,
  Mul,
  Quo,
  Rem,
  And,
  Or,
  Unify,
  Equal,
  Assign,
  Neq,
  Lt,
  Lte,
  Gt,
  Gte,
}

/** OPA's token names (v1/ast/internal/tokens), used in error messages. */
export const TOKEN_NAMES: readonly string[] = [
  "eof",
  "illegal",
  "identifier",
  "number",
  "string",
  "template-string-part",
  "template-string-end",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  ",",
  ":",
  ";",
  ".",
  "plus",
  "minus",
  "mul",
  "div",
  "rem",
  "and",
  "or",
  "eq",
  "equal",
  "assign",
  "neq",
  "lt",
  "lte",
  "gt",
  "gte",
];

export interface Token {
  kind: Tok;
  /** offset of the first character (UTF-16 units) */
  start: number;
  /** offset just past the last character */
  end: number;
  /** 1-based line */
  row: number;
  /** 1-based column in code points */
  col: number;
  /** a newline separates this token from the previous one */
  nl: boolean;
  /** whitespace (or a comment) separates this token from the previous one */
  ws: boolean;
  /** source text of words and literals (empty for punctuation) */
  text: string;
  /** decoded value of string literals and template-string parts */
  value?: string;
  /** a raw (backtick) string or template string */
  raw?: boolean;
  /** why the scanner rejected this token (already reported as an error) */
  error?: string;
}

/** Keywords in every Rego version. */
export const BASE_KEYWORDS: ReadonlySet<string> = new Set([
  "package",
  "import",
  "as",
  "default",
  "else",
  "not",
  "some",
  "with",
  "null",
  "true",
  "false",
]);

/** Keywords of Rego v1 that v0 modules get through `future.keywords` or `rego.v1`. */
export const FUTURE_KEYWORDS: readonly string[] = ["contains", "every", "if", "in"];

/**
 * Future keywords of OPA 1.17 (`not` with bodies and groups) and 1.20 (`and`, `or`), imported
 * one by one in either version; in v1 the catch-all `import future.keywords` brings them too.
 */
export const LOGICAL_KEYWORDS: readonly string[] = ["and", "not", "or"];

/** Binary operators: precedence level (higher binds tighter) and OPA built-in name. */
export const BINARY_OPS: ReadonlyMap<Tok, { prec: number; name: string }> = new Map([
  [Tok.Equal, { prec: 1, name: "equal" }],
  [Tok.Neq, { prec: 1, name: "neq" }],
  [Tok.Lt, { prec: 1, name: "lt" }],
  [Tok.Lte, { prec: 1, name: "lte" }],
  [Tok.Gt, { prec: 1, name: "gt" }],
  [Tok.Gte, { prec: 1, name: "gte" }],
  [Tok.Or, { prec: 2, name: "or" }],
  [Tok.And, { prec: 3, name: "and" }],
  [Tok.Add, { prec: 4, name: "plus" }],
  [Tok.Sub, { prec: 4, name: "minus" }],
  [Tok.Mul, { prec: 5, name: "mul" }],
  [Tok.Quo, { prec: 5, name: "div" }],
  [Tok.Rem, { prec: 5, name: "rem" }],
]);

/** The tightest binding level: its right operand is a plain term. */
export const MAX_PREC = 5;
