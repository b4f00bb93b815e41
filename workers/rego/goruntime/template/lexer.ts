/**
 * text/template's lexer: splits a template into text and {{actions}}
 * (applying the {{- and -}} trim markers, dropping comments) and an action
 * into tokens.
 */
import { TemplateError } from "./value.js";

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

export interface Tok {
  type: TokType;
  text: string;
  /** Whitespace came before it: `.a .b` is two operands, `.a.b` one chain. */
  spaced?: boolean;
}

/** One {{action}}: its tokens, or a piece of text between actions. */
export type Piece = { kind: "text"; text: string } | { kind: "action"; toks: Tok[]; line: number; src: string };

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
export function lex(text: string): Piece[] {
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
