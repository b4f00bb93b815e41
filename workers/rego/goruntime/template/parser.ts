/**
 * text/template's parser: pipelines, commands and operands, and the
 * if/with/range/define/template/block control structure, over the lexer's pieces.
 */
import type { Piece, Tok } from "./lexer.js";
import { FUNCS } from "./funcs.js";
import { type GoVal, TemplateError } from "./value.js";

export type Operand =
  | { t: "field"; names: string[] }
  | { t: "dot" }
  | { t: "var"; name: string; names: string[] }
  | { t: "ident"; name: string }
  | { t: "string"; v: string }
  | { t: "number"; v: GoVal; text: string }
  | { t: "bool"; v: boolean }
  | { t: "nil" }
  | { t: "pipe"; pipe: Pipe; names: string[] };

export interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Operand[][];
}

export interface ControlNode {
  t: "if" | "with" | "range";
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
  line: number;
  src: string;
}

export type Node =
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

/**
 * How deep if / with / range (else-if chains included) and template calls
 * nest, in parsing and in execution: both recurse per level, and a
 * JavaScript stack is far smaller than Go's (which allows 100000 calls).
 */
export const MAX_DEPTH = 200;

export class Parser {
  private pos = 0;
  private depth = 0;
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
    if (++this.depth > MAX_DEPTH) this.fail(p.line, `{{${kind}}} nested deeper than ${MAX_DEPTH}`);
    const node = this.controlNode(kind, p, toks);
    this.depth--;
    return node;
  }

  private controlNode(kind: "if" | "with" | "range", p: Extract<Piece, { kind: "action" }>, toks: Tok[]): Node {
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
