/**
 * The part of Go's text/template that strings.render_template exposes: text
 * and {{actions}} with trim markers and comments; fields, variables,
 * pipelines and parenthesised pipelines; if / else if / with / range (with
 * else, break, continue) / define / template / block; and the built-in
 * functions and, or, not, len, index, slice, print, printf, println, eq, ne,
 * lt, le, gt, ge, html, js, urlquery.
 *
 * Values are those OPA hands to Go after a JSON round trip with UseNumber:
 * strings, json.Number (a string type that prints as its text), booleans,
 * nil, []any and map[string]any. Literal numbers in the template are Go ints
 * and float64s.
 */
import { GoError } from "../errors.js";
import { formatFloat } from "../strconv.js";
import { goSprintf, type GoArg } from "../fmt.js";

export type GoVal =
  | { k: "invalid" }
  | { k: "nil" }
  | { k: "bool"; v: boolean }
  | { k: "string"; v: string }
  | { k: "number"; v: string }
  | { k: "int"; v: bigint }
  | { k: "float"; v: number }
  | { k: "slice"; v: GoVal[] }
  | { k: "map"; v: Map<string, GoVal> };

export const INVALID: GoVal = { k: "invalid" };
const NIL: GoVal = { k: "nil" };

export class TemplateError extends GoError {}

// ---------------------------------------------------------------- lexing

type TokType =
  | "ident"
  | "field"
  | "var"
  | "dot"
  | "string"
  | "number"
  | "char"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "comma";

interface Tok {
  type: TokType;
  text: string;
  /** Whitespace came before it: `.a .b` is two operands, `.a.b` one chain. */
  spaced?: boolean;
}

/** One {{action}}: its tokens, or a piece of text between actions. */
type Piece = { kind: "text"; text: string } | { kind: "action"; toks: Tok[]; line: number; src: string };

const SPACE = /[ \t\r\n]/;

function lexAction(src: string, line: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(`template: template:${line}: ${msg}`);
  };
  const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let spaced = false;
  while (i < src.length) {
    const c = src[i] as string;
    if (SPACE.test(c)) {
      i++;
      spaced = true;
      continue;
    }
    const before = toks.length;
    if (c === "|") {
      toks.push({ type: "pipe", text: c });
      i++;
    } else if (c === "(") {
      toks.push({ type: "lparen", text: c });
      i++;
    } else if (c === ")") {
      toks.push({ type: "rparen", text: c });
      i++;
    } else if (c === ",") {
      toks.push({ type: "comma", text: c });
      i++;
    } else if (c === ":" && src[i + 1] === "=") {
      toks.push({ type: "declare", text: ":=" });
      i += 2;
    } else if (c === "=") {
      toks.push({ type: "assign", text: c });
      i++;
    } else if (c === '"' || c === "`" || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (c !== "`" && src[j] === "\\") j++;
        if (c !== "`" && src[j] === "\n") fail("unterminated quoted string");
        j++;
      }
      if (j >= src.length) fail(c === "`" ? "unterminated raw quoted string" : "unterminated quoted string");
      const text = src.slice(i, j + 1);
      toks.push({ type: c === "'" ? "char" : "string", text });
      i = j + 1;
    } else if (c === "." && !/[0-9]/.test(src[i + 1] ?? "")) {
      let j = i + 1;
      while (isAlnum(src[j])) j++;
      toks.push(j === i + 1 ? { type: "dot", text: "." } : { type: "field", text: src.slice(i + 1, j) });
      i = j;
    } else if (c === "$") {
      let j = i + 1;
      while (isAlnum(src[j])) j++;
      toks.push({ type: "var", text: src.slice(i, j) });
      i = j;
    } else if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)i?/.exec(
        src.slice(i),
      );
      const text = m ? m[0] : "";
      if (text === "" || text === "+" || text === "-" || isAlnum(src[i + text.length]))
        fail(`bad number syntax: "${src.slice(i, i + Math.max(text.length, 1) + 1)}"`);
      toks.push({ type: "number", text });
      i += text.length;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (isAlnum(src[j])) j++;
      toks.push({ type: "ident", text: src.slice(i, j) });
      i = j;
    } else fail(`unrecognized character in action: ${JSON.stringify(c)}`);
    if (spaced && toks.length > before) toks[before]!.spaced = true;
    spaced = false;
  }
  return toks;
}

/** Splits the template into text and actions, applying {{- and -}} trimming and dropping comments. */
function lex(text: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let line = 1;
  let trimNext = false;
  const countLines = (s: string) => {
    for (const ch of s) if (ch === "\n") line++;
  };
  while (i <= text.length) {
    const open = text.indexOf("{{", i);
    let chunk = open < 0 ? text.slice(i) : text.slice(i, open);
    const trimLeft = open >= 0 && text[open + 2] === "-" && SPACE.test(text[open + 3] ?? "");
    if (trimNext) chunk = chunk.replace(/^[ \t\r\n]+/, "");
    if (trimLeft) chunk = chunk.replace(/[ \t\r\n]+$/, "");
    if (chunk !== "") pieces.push({ kind: "text", text: chunk });
    countLines(open < 0 ? text.slice(i) : text.slice(i, open));
    if (open < 0) break;
    let start = open + 2 + (trimLeft ? 2 : 0);
    const actionLine = line;
    // Comments: {{/* … */}}, or {{- /* … */ -}}; nothing else may precede the "/*".
    let body = text.slice(start);
    if (body.startsWith("/*")) {
      const endComment = text.indexOf("*/", start);
      if (endComment < 0) throw new TemplateError(`template: template:${actionLine}: unclosed comment`);
      let after = endComment + 2;
      let trimRight = false;
      if (text.startsWith(" -}}", after)) {
        trimRight = true;
        after += 4;
      } else if (text.startsWith("}}", after)) after += 2;
      else throw new TemplateError(`template: template:${actionLine}: comment ends before closing delimiter`);
      countLines(text.slice(open, after));
      trimNext = trimRight;
      i = after;
      continue;
    }
    // Find the closing delimiter outside quoted strings.
    let j = start;
    let quote = "";
    for (; j < text.length; j++) {
      const c = text[j] as string;
      if (quote) {
        if (c === "\\" && quote !== "`") j++;
        else if (c === quote) quote = "";
      } else if (c === '"' || c === "`" || c === "'") quote = c;
      else if (text.startsWith("}}", j)) break;
    }
    if (j >= text.length) throw new TemplateError(`template: template:${actionLine}: unclosed action`);
    let end = j;
    let trimRight = false;
    if (text[j - 1] === "-" && SPACE.test(text[j - 2] ?? "") && j - 2 >= start) {
      trimRight = true;
      end = j - 1;
    }
    body = text.slice(start, end);
    pieces.push({ kind: "action", toks: lexAction(body, actionLine), line: actionLine, src: body.trim() });
    countLines(text.slice(open, j + 2));
    trimNext = trimRight;
    i = j + 2;
    start = i;
  }
  return pieces;
}

// ---------------------------------------------------------------- parsing

type Operand =
  | { t: "field"; names: string[] }
  | { t: "dot" }
  | { t: "var"; name: string; names: string[] }
  | { t: "ident"; name: string }
  | { t: "string"; v: string }
  | { t: "number"; v: GoVal; text: string }
  | { t: "bool"; v: boolean }
  | { t: "nil" }
  | { t: "pipe"; pipe: Pipe; names: string[] };

interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Operand[][];
}

interface ControlNode {
  t: "if" | "with" | "range";
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
  line: number;
  src: string;
}

type Node =
  | { t: "text"; text: string }
  | { t: "action"; pipe: Pipe; line: number; src: string }
  | ControlNode
  | { t: "template"; name: string; pipe?: Pipe; line: number; src: string }
  | { t: "break" | "continue" };

/** Unquotes a Go string or char literal. */
function unquote(text: string): string {
  if (text[0] === "`") return text.slice(1, -1).replaceAll("\r", "");
  const body = text.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case "x":
      case "u":
      case "U":
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      default:
        if (/[0-7]/.test(e[0] as string)) return String.fromCharCode(parseInt(e, 8));
        return e;
    }
  });
}

function numberConstant(text: string, fail: (m: string) => never): GoVal {
  const clean = text.replaceAll("_", "");
  if (clean.endsWith("i")) fail(`complex numbers are not supported: ${text}`);
  const isHex = /^[+-]?0[xX]/.test(clean);
  if (!isHex && /[.eEpP]/.test(clean)) {
    const f = Number(clean);
    if (Number.isNaN(f)) fail(`illegal number syntax: "${text}"`);
    return { k: "float", v: f };
  }
  let body = clean.replace(/^[+-]/, "");
  const neg = clean.startsWith("-");
  let v: bigint;
  try {
    if (/^0[0-7]+$/.test(body)) body = "0o" + body.slice(1);
    v = BigInt(body);
  } catch {
    return fail(`illegal number syntax: "${text}"`);
  }
  return { k: "int", v: neg ? -v : v };
}

class Parser {
  private pos = 0;
  readonly defines = new Map<string, Node[]>();
  constructor(private readonly pieces: Piece[]) {}

  private fail(line: number, msg: string): never {
    throw new TemplateError(`template: template:${line}: ${msg}`);
  }

  /** Parses nodes until {{end}} or {{else …}}; returns the terminator action. */
  list(stopAt: boolean): { nodes: Node[]; end?: Extract<Piece, { kind: "action" }> } {
    const nodes: Node[] = [];
    while (this.pos < this.pieces.length) {
      const p = this.pieces[this.pos++] as Piece;
      if (p.kind === "text") {
        nodes.push({ t: "text", text: p.text });
        continue;
      }
      const first = p.toks[0];
      const kw = first?.type === "ident" ? first.text : "";
      if (kw === "end" || kw === "else") {
        if (!stopAt) this.fail(p.line, `unexpected {{${kw}}}`);
        return { nodes, end: p };
      }
      const node = this.action(p);
      if (node) nodes.push(node);
    }
    if (stopAt) this.fail(this.pieces.length ? ((this.pieces.at(-1) as { line?: number }).line ?? 1) : 1, "unexpected EOF");
    return { nodes };
  }

  private action(p: Extract<Piece, { kind: "action" }>): Node | undefined {
    const toks = p.toks;
    if (toks.length === 0) this.fail(p.line, "missing value for command");
    const kw = toks[0]!.type === "ident" ? toks[0]!.text : "";
    switch (kw) {
      case "if":
      case "with":
      case "range":
        return this.control(kw, p, toks.slice(1));
      case "break":
      case "continue":
        return { t: kw };
      case "define": {
        const name = this.templateName(p, toks[1]);
        if (toks.length !== 2) this.fail(p.line, "unexpected token in define clause");
        const { nodes, end } = this.list(true);
        if (end!.toks[0]!.text !== "end") this.fail(end!.line, "unexpected {{else}} in define");
        this.defines.set(name, nodes);
        return undefined;
      }
      case "template":
      case "block": {
        const name = this.templateName(p, toks[1]);
        const pipe = toks.length > 2 ? this.pipeline(p, toks.slice(2), false) : undefined;
        if (kw === "block") {
          const { nodes, end } = this.list(true);
          if (end!.toks[0]!.text !== "end") this.fail(end!.line, "unexpected {{else}} in block");
          this.defines.set(name, nodes);
        }
        return pipe ? { t: "template", name, pipe, line: p.line, src: p.src } : { t: "template", name, line: p.line, src: p.src };
      }
    }
    return { t: "action", pipe: this.pipeline(p, toks, true), line: p.line, src: p.src };
  }

  private templateName(p: Extract<Piece, { kind: "action" }>, tok: Tok | undefined): string {
    if (tok?.type !== "string") this.fail(p.line, "unexpected token in template clause");
    return unquote(tok.text);
  }

  private control(kind: "if" | "with" | "range", p: Extract<Piece, { kind: "action" }>, toks: Tok[]): Node {
    const pipe = this.pipeline(p, toks, true, kind === "range");
    const { nodes, end } = this.list(true);
    const node: ControlNode = { t: kind, pipe, list: nodes, line: p.line, src: p.src };
    const endToks = end!.toks;
    if (endToks[0]!.text === "else") {
      if (endToks.length > 1 && endToks[1]!.type === "ident" && (endToks[1]!.text === "if" || endToks[1]!.text === "with")) {
        // {{else if …}} is an if nested in the else branch, sharing its {{end}}.
        node.elseList = [this.control(endToks[1]!.text as "if" | "with", end!, endToks.slice(2))];
        return node;
      }
      if (endToks.length > 1) this.fail(end!.line, "unexpected tokens after else");
      const rest = this.list(true);
      if (rest.end!.toks[0]!.text !== "end") this.fail(rest.end!.line, "expected end; found {{else}}");
      node.elseList = rest.nodes;
    } else if (endToks.length > 1) this.fail(end!.line, "unexpected tokens after end");
    return node;
  }

  pipeline(p: Extract<Piece, { kind: "action" }>, toks: Tok[], allowDecl: boolean, isRange = false): Pipe {
    const fail = (m: string): never => this.fail(p.line, m);
    let i = 0;
    const decl: string[] = [];
    let assign = false;
    // $x := …, $x = …, or (range) $i, $e := …
    if (allowDecl && toks[0]?.type === "var") {
      if (toks[1]?.type === "declare" || toks[1]?.type === "assign") {
        decl.push(toks[0].text);
        assign = toks[1].type === "assign";
        i = 2;
      } else if (isRange && toks[1]?.type === "comma" && toks[2]?.type === "var" && toks[3]?.type === "declare") {
        decl.push(toks[0].text, toks[2].text);
        i = 4;
      }
    }
    const cmds: Operand[][] = [];
    let cmd: Operand[] = [];
    const chain = (): string[] => {
      const names: string[] = [];
      while (toks[i]?.type === "field" && !toks[i]!.spaced) names.push(toks[i++]!.text);
      return names;
    };
    const operand = (): Operand => {
      const tok = toks[i++] as Tok;
      switch (tok.type) {
        case "field":
          return { t: "field", names: [tok.text, ...chain()] };
        case "dot":
          if (toks[i]?.type === "field" && !toks[i]!.spaced) fail("unexpected . after term");
          return { t: "dot" };
        case "var":
          return { t: "var", name: tok.text, names: chain() };
        case "string":
          return { t: "string", v: unquote(tok.text) };
        case "char": {
          const s = unquote(tok.text);
          return { t: "number", v: { k: "int", v: BigInt(s.codePointAt(0) ?? 0) }, text: tok.text };
        }
        case "number":
          return { t: "number", v: numberConstant(tok.text, fail), text: tok.text };
        case "ident":
          if (tok.text === "true" || tok.text === "false") return { t: "bool", v: tok.text === "true" };
          if (tok.text === "nil") return { t: "nil" };
          if (!(tok.text in FUNCS)) fail(`function "${tok.text}" not defined`);
          return { t: "ident", name: tok.text };
        case "lparen": {
          let depth = 1;
          const start = i;
          while (i < toks.length && depth > 0) {
            if (toks[i]!.type === "lparen") depth++;
            else if (toks[i]!.type === "rparen") depth--;
            i++;
          }
          if (depth > 0) fail("unclosed left paren");
          const inner = this.pipeline(p, toks.slice(start, i - 1), true);
          return { t: "pipe", pipe: inner, names: chain() };
        }
        default:
          return fail(`unexpected "${tok.text}" in operand`);
      }
    };
    while (i < toks.length) {
      const tok = toks[i] as Tok;
      if (tok.type === "pipe") {
        if (cmd.length === 0) fail("missing command");
        cmds.push(cmd);
        cmd = [];
        i++;
        continue;
      }
      if (tok.type === "rparen") fail(`unexpected right paren`);
      cmd.push(operand());
    }
    if (cmd.length === 0) fail(cmds.length ? "missing command" : "missing value for command");
    cmds.push(cmd);
    return { decl, assign, cmds };
  }
}

// ---------------------------------------------------------------- values

function typeOf(v: GoVal): string {
  switch (v.k) {
    case "invalid":
    case "nil":
      return "<nil>";
    case "number":
      return "json.Number";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "slice":
      return "[]interface {}";
    case "map":
      return "map[string]interface {}";
    default:
      return v.k;
  }
}

/** fmt's %v of a value nested in a composite. */
function formatValue(v: GoVal): string {
  switch (v.k) {
    case "invalid":
      return "<invalid reflect.Value>";
    case "nil":
      return "<nil>";
    case "bool":
      return v.v ? "true" : "false";
    case "string":
    case "number":
      return v.v;
    case "int":
      return v.v.toString();
    case "float":
      return formatFloat(v.v, "g", -1);
    case "slice":
      return "[" + v.v.map(formatValue).join(" ") + "]";
    case "map":
      return (
        "map[" +
        [...v.v.keys()]
          .sort()
          .map((k) => k + ":" + formatValue(v.v.get(k) as GoVal))
          .join(" ") +
        "]"
      );
  }
}

/** How an action prints its value. Missing and nil values print "<undefined>", as OPA renders them. */
function printAction(v: GoVal): string {
  if (v.k === "invalid" || v.k === "nil") return "<undefined>";
  return formatValue(v);
}

function isTrue(v: GoVal): boolean {
  switch (v.k) {
    case "invalid":
    case "nil":
      return false;
    case "bool":
      return v.v;
    case "string":
    case "number":
      return v.v !== "";
    case "int":
      return v.v !== 0n;
    case "float":
      return v.v !== 0;
    case "slice":
      return v.v.length > 0;
    case "map":
      return v.v.size > 0;
  }
}

function toGoArg(v: GoVal): GoArg {
  switch (v.k) {
    case "int":
      return { kind: "int", v: v.v };
    case "float":
      return { kind: "float", v: v.v };
    case "string":
      return { kind: "string", v: v.v };
    case "number":
      return { kind: "string", v: v.v, type: "json.Number" };
    case "bool":
      return { kind: "bool", v: v.v };
    default:
      return { kind: "other", type: typeOf(v), text: formatValue(v) };
  }
}

type Kind = "bool" | "int" | "float" | "string" | "other";

function basicKind(v: GoVal): Kind {
  switch (v.k) {
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float":
      return "float";
    case "string":
    case "number":
      return "string";
    default:
      return "other";
  }
}

function scalar(v: GoVal): bigint | number | string | boolean | undefined {
  return v.k === "bool" || v.k === "int" || v.k === "float" || v.k === "string" || v.k === "number" ? v.v : undefined;
}

function eq(a: GoVal, ...rest: GoVal[]): boolean {
  if (rest.length === 0) throw new Error("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (a.k !== "invalid" && b.k !== "invalid") throw new Error("incompatible types for comparison");
      continue;
    }
    if (k1 !== "other") {
      if (scalar(a) === scalar(b)) return true;
      continue;
    }
    const nilA = a.k === "nil";
    const nilB = b.k === "nil";
    if (nilA || nilB) {
      if (nilA === nilB) return true;
      continue;
    }
    throw new Error(`non-comparable type ${formatValue(b)}: ${typeOf(b)}`);
  }
  return false;
}

function lt(a: GoVal, b: GoVal): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "other" || k2 === "other") throw new Error("invalid type for comparison");
  if (k1 !== k2) throw new Error("incompatible types for comparison");
  if (k1 === "bool") throw new Error("invalid type for comparison");
  const x = scalar(a) as bigint | number | string;
  const y = scalar(b) as bigint | number | string;
  return x < y;
}

function lengthOf(v: GoVal): bigint {
  switch (v.k) {
    case "string":
    case "number":
      return BigInt(new TextEncoder().encode(v.v).length);
    case "slice":
      return BigInt(v.v.length);
    case "map":
      return BigInt(v.v.size);
    default:
      throw new Error(`len of type ${typeOf(v)}`);
  }
}

function indexInt(v: GoVal): number {
  if (v.k !== "int") throw new Error(`cannot index slice/array with type ${typeOf(v)}`);
  return Number(v.v);
}

function index(item: GoVal, ...indexes: GoVal[]): GoVal {
  let cur = item;
  for (const ix of indexes) {
    if (cur.k === "invalid" || cur.k === "nil") throw new Error("index of untyped nil");
    if (cur.k === "slice") {
      const i = indexInt(ix);
      if (i < 0 || i >= cur.v.length) throw new Error(`error calling index: index out of range: ${i}`);
      cur = cur.v[i] as GoVal;
    } else if (cur.k === "map") {
      if (ix.k !== "string") throw new Error(`value has type ${typeOf(ix)}; should be string`);
      cur = cur.v.get(ix.v) ?? NIL;
    } else if (cur.k === "string" || cur.k === "number") {
      const bytes = new TextEncoder().encode(cur.v);
      const i = indexInt(ix);
      if (i < 0 || i >= bytes.length) throw new Error(`error calling index: index out of range: ${i}`);
      cur = { k: "int", v: BigInt(bytes[i] as number) };
    } else throw new Error(`can't index item of type ${typeOf(cur)}`);
  }
  return cur;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
function sprint(args: GoVal[]): string {
  let out = "";
  args.forEach((a, i) => {
    const isStr = a.k === "string" || a.k === "number";
    if (i > 0 && !isStr && !(args[i - 1]!.k === "string" || args[i - 1]!.k === "number")) out += " ";
    out += formatValue(a);
  });
  return out;
}

function htmlEscape(s: string): string {
  return s.replace(
    /[<>&'"\0]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\uFFFD" })[c] as string,
  );
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === "<" || ch === ">" || ch === "&" || ch === "=") out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else if (c < 0x20) out += "\\u" + c.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out;
}

function queryEscape(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Escaper functions stringify their arguments like fmt.Sprint (a lone string as is). */
function evalArgs(args: GoVal[]): string {
  if (args.length === 1 && args[0]!.k === "string") return args[0]!.v;
  return sprint(args);
}

type Fn = (args: GoVal[]) => GoVal;

const str = (v: string): GoVal => ({ k: "string", v });
const bool = (v: boolean): GoVal => ({ k: "bool", v });

const FUNCS: Record<string, Fn> = {
  not: (a) => {
    if (a.length !== 1) throw new Error(`wrong number of args for not: want 1 got ${a.length}`);
    return bool(!isTrue(a[0] as GoVal));
  },
  len: (a) => ({ k: "int", v: lengthOf(a[0] ?? INVALID) }),
  index: (a) => index(a[0] ?? INVALID, ...a.slice(1)),
  slice: (a) => {
    const item = a[0] ?? INVALID;
    const idx = a.slice(1).map(indexInt);
    if (item.k === "slice") return { k: "slice", v: item.v.slice(idx[0] ?? 0, idx[1] ?? item.v.length) };
    if (item.k === "string" || item.k === "number") return str(item.v.slice(idx[0] ?? 0, idx[1] ?? item.v.length));
    throw new Error(`can't slice item of type ${typeOf(item)}`);
  },
  print: (a) => str(sprint(a)),
  println: (a) => str(a.map(formatValue).join(" ") + "\n"),
  printf: (a) => {
    const f = a[0];
    if (f?.k !== "string") throw new Error("wrong type for value; expected string");
    return str(goSprintf(f.v, a.slice(1).map(toGoArg)));
  },
  eq: (a) => bool(eq(a[0] ?? INVALID, ...a.slice(1))),
  ne: (a) => bool(!eq(a[0] ?? INVALID, a[1] ?? INVALID)),
  lt: (a) => bool(lt(a[0] ?? INVALID, a[1] ?? INVALID)),
  le: (a) => bool(lt(a[0] ?? INVALID, a[1] ?? INVALID) || eq(a[0] ?? INVALID, a[1] ?? INVALID)),
  gt: (a) => bool(!(lt(a[0] ?? INVALID, a[1] ?? INVALID) || eq(a[0] ?? INVALID, a[1] ?? INVALID))),
  ge: (a) => bool(!lt(a[0] ?? INVALID, a[1] ?? INVALID)),
  html: (a) => str(htmlEscape(evalArgs(a))),
  js: (a) => str(jsEscape(evalArgs(a))),
  urlquery: (a) => str(queryEscape(evalArgs(a))),
  // and/or are evaluated lazily by the executor; these are never called.
  and: (a) => a[a.length - 1] ?? INVALID,
  or: (a) => a[a.length - 1] ?? INVALID,
  call: () => {
    throw new Error("call of nil");
  },
};

// ---------------------------------------------------------------- execution

class Break {}
class Continue {}

/** A step limit: templates cannot loop forever, but ranges can nest deeply. */
const MAX_STEPS = 1_000_000;
const MAX_DEPTH = 1000;

class Exec {
  private out = "";
  private vars: [string, GoVal][] = [];
  private steps = 0;
  private depth = 0;

  constructor(
    private readonly defines: Map<string, Node[]>,
    root: GoVal,
    private readonly charge: (steps: number) => void,
  ) {
    this.vars.push(["$", root]);
  }

  run(nodes: Node[], dot: GoVal): string {
    this.walk(nodes, dot);
    return this.out;
  }

  /** Each node executed and each range iteration costs a step of the evaluation's budget. */
  private step(): void {
    this.charge(1);
    if (++this.steps > MAX_STEPS) throw new TemplateError("template: execution step limit exceeded");
  }

  private error(node: { line: number; src: string }, msg: string): never {
    throw new TemplateError(`template: template:${node.line}: executing "template" at <${node.src}>: ${msg}`);
  }

  private walk(nodes: Node[], dot: GoVal): void {
    for (const n of nodes) {
      this.step();
      switch (n.t) {
        case "text":
          this.out += n.text;
          break;
        case "action": {
          const v = this.pipe(n, n.pipe, dot);
          if (n.pipe.decl.length === 0) this.out += printAction(v);
          break;
        }
        case "if":
        case "with": {
          const mark = this.vars.length;
          const v = this.pipe(n, n.pipe, dot);
          if (isTrue(v)) this.walk(n.list, n.t === "with" ? v : dot);
          else if (n.elseList) this.walk(n.elseList, dot);
          this.vars.length = mark;
          break;
        }
        case "range":
          this.range(n, dot);
          break;
        case "template": {
          const body = this.defines.get(n.name);
          if (!body) this.error(n, `no such template "${n.name}"`);
          // Go allows 100000 nested calls; a JavaScript stack does not.
          if (++this.depth > MAX_DEPTH) this.error(n, `exceeded maximum template depth (${MAX_DEPTH})`);
          const saved = this.vars;
          const newDot = n.pipe ? this.pipe(n, n.pipe, dot) : NIL;
          this.vars = [["$", newDot]];
          this.walk(body, newDot);
          this.vars = saved;
          this.depth--;
          break;
        }
        case "break":
          throw new Break();
        case "continue":
          throw new Continue();
      }
    }
  }

  private range(n: ControlNode, dot: GoVal): void {
    const mark = this.vars.length;
    const decl = n.pipe.decl;
    const val = this.pipe(n, { ...n.pipe, decl: [] }, dot);
    let count: number;
    let item: (i: number) => [GoVal, GoVal];
    switch (val.k) {
      case "slice":
        count = val.v.length;
        item = (i) => [{ k: "int", v: BigInt(i) }, val.v[i] as GoVal];
        break;
      case "map": {
        const keys = [...val.v.keys()].sort();
        count = keys.length;
        item = (i) => [str(keys[i] as string), val.v.get(keys[i] as string) as GoVal];
        break;
      }
      case "int":
        // Range over an integer (Go 1.22); the step limit bounds huge counts.
        count = val.v > 0n ? Number(val.v > BigInt(MAX_STEPS) ? BigInt(MAX_STEPS) + 1n : val.v) : 0;
        item = (i) => [
          { k: "int", v: BigInt(i) },
          { k: "int", v: BigInt(i) },
        ];
        break;
      case "invalid":
      case "nil":
        count = 0;
        item = () => [INVALID, INVALID];
        break;
      default:
        return this.error(n, `range can't iterate over ${formatValue(val)}`);
    }
    if (count === 0) {
      if (n.elseList) this.walk(n.elseList, dot);
      this.vars.length = mark;
      return;
    }
    for (let i = 0; i < count; i++) {
      this.step();
      const [key, elem] = item(i);
      if (decl.length === 1) this.vars.push([decl[0] as string, elem]);
      else if (decl.length === 2) this.vars.push([decl[0] as string, key], [decl[1] as string, elem]);
      try {
        this.walk(n.list, elem);
      } catch (e) {
        if (e instanceof Break) {
          this.vars.length = mark;
          break;
        }
        if (!(e instanceof Continue)) throw e;
      }
      this.vars.length = mark;
    }
    this.vars.length = mark;
  }

  private lookupVar(node: { line: number; src: string }, name: string): GoVal {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === name) return this.vars[i]![1];
    return this.error(node, `undefined variable: ${name}`);
  }

  private pipe(node: { line: number; src: string }, pipe: Pipe, dot: GoVal): GoVal {
    let value: GoVal | undefined;
    for (const cmd of pipe.cmds) value = this.command(node, cmd, dot, value);
    const v = value as GoVal;
    if (pipe.decl.length === 1) {
      const name = pipe.decl[0] as string;
      if (pipe.assign) {
        let found = false;
        for (let i = this.vars.length - 1; i >= 0; i--) {
          if (this.vars[i]![0] === name) {
            this.vars[i]![1] = v;
            found = true;
            break;
          }
        }
        if (!found) this.error(node, `undefined variable: ${name}`);
      } else this.vars.push([name, v]);
    }
    return v;
  }

  private field(node: { line: number; src: string }, receiver: GoVal, names: string[]): GoVal {
    let cur = receiver;
    for (const name of names) {
      switch (cur.k) {
        case "invalid":
          return INVALID;
        case "map":
          cur = cur.v.get(name) ?? INVALID;
          break;
        case "nil":
          return this.error(node, `nil pointer evaluating interface {}.${name}`);
        default:
          this.error(node, `can't evaluate field ${name} in type ${typeOf(cur)}`);
      }
    }
    return cur;
  }

  private command(node: { line: number; src: string }, cmd: Operand[], dot: GoVal, final: GoVal | undefined): GoVal {
    const first = cmd[0] as Operand;
    if (first.t === "ident") {
      if (first.name === "and" || first.name === "or") {
        // Short-circuit: the first falsy (and) / truthy (or) argument, else the last.
        const argNodes = cmd.slice(1);
        const all = argNodes.length + (final ? 1 : 0);
        if (all === 0) this.error(node, `wrong number of args for ${first.name}: want at least 1 got 0`);
        let v: GoVal = INVALID;
        for (let i = 0; i < all; i++) {
          v = i < argNodes.length ? this.operand(node, argNodes[i] as Operand, dot) : (final as GoVal);
          if (isTrue(v) !== (first.name === "and")) return v;
        }
        return v;
      }
      const args = cmd.slice(1).map((o) => this.operand(node, o, dot));
      if (final) args.push(final);
      try {
        return (FUNCS[first.name] as Fn)(args);
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        const msg = (e as Error).message;
        return this.error(node, msg.startsWith("error calling") ? msg : `error calling ${first.name}: ${msg}`);
      }
    }
    if (cmd.length > 1 || final) {
      if (first.t === "field" || first.t === "var" || first.t === "pipe")
        this.error(node, `${first.t === "field" ? "." + first.names.join(".") : "value"} is not a method but has arguments`);
      this.error(node, `can't give argument to non-function ${first.t}`);
    }
    return this.operand(node, first, dot);
  }

  private operand(node: { line: number; src: string }, o: Operand, dot: GoVal): GoVal {
    switch (o.t) {
      case "dot":
        return dot;
      case "field":
        return this.field(node, dot, o.names);
      case "var":
        return this.field(node, this.lookupVar(node, o.name), o.names);
      case "string":
        return str(o.v);
      case "number":
        return o.v;
      case "bool":
        return bool(o.v);
      case "nil":
        return this.error(node, "nil is not a command");
      case "ident":
        return this.command(node, [o], dot, undefined);
      case "pipe": {
        const mark = this.vars.length;
        const v = this.pipe(node, o.pipe, dot);
        this.vars.length = mark;
        return this.field(node, v, o.names);
      }
    }
  }
}

/** Parses and executes a template against `data`. Throws TemplateError. */
export function renderGoTemplate(text: string, data: GoVal, charge: (steps: number) => void = () => {}): string {
  const parser = new Parser(lex(text));
  const { nodes } = parser.list(false);
  return new Exec(parser.defines, data, charge).run(nodes, data);
}
