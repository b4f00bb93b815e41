/**
 * Hand-written scanner: turns Rego source into a token array in one pass.
 *
 * Scanning everything up front (rather than on demand, as OPA does) makes the
 * parser's backtracking a matter of resetting an index. Template strings are
 * the one context-dependent part: the scanner keeps a stack of open braces so
 * that the `}` closing a `{expression}` resumes scanning the template text.
 *
 * Errors found here (bad escapes, unterminated strings, stray characters) are
 * reported once, with the location of the offending token, and the token is
 * marked `Illegal` so the parser fails at it without repeating the message.
 */
import { decodeEscapes } from "./literals.js";
import { Tok, type Token } from "./tokens.js";

export interface ScannedComment {
  /** text after `#`, without a trailing `\r` */
  text: string;
  start: number;
  end: number;
  row: number;
  col: number;
}

export interface ScanError {
  message: string;
  row: number;
  col: number;
}

export interface ScanResult {
  tokens: Token[];
  comments: ScannedComment[];
  errors: ScanError[];
}

/** Marks on the brace stack: a plain `{`, or the `{` of a template expression. */
const BRACE = 0;
const TEMPLATE = 1;
const RAW_TEMPLATE = 2;

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isDecimal(c: number): boolean {
  return c >= 48 && c <= 57;
}

const UNICODE_DIGIT = /\p{Nd}/u;

/** OPA's identifiers continue with any Unicode decimal digit. */
function isIdentPart(src: string, i: number, c: number): boolean {
  if (isLetter(c) || isDecimal(c)) return true;
  return c >= 0x80 && UNICODE_DIGIT.test(String.fromCodePoint(src.codePointAt(i) ?? 0));
}

export function scan(src: string): ScanResult {
  const tokens: Token[] = [];
  const comments: ScannedComment[] = [];
  const errors: ScanError[] = [];
  const n = src.length;
  const braces: number[] = [];

  let pos = 0;
  let row = 1;
  let lineStart = 0;
  // code points on the current line that take two UTF-16 units, so columns
  // can count characters rather than units
  let wideOnLine = 0;
  let sawWs = false;
  let sawNl = false;

  if (src.charCodeAt(0) === 0xfeff) {
    pos = 1;
    lineStart = 1;
  }

  const colAt = (p: number): number => p - lineStart - wideOnLine + 1;

  /** Advances over one character inside a literal, keeping row/column bookkeeping. */
  const step = (): void => {
    const c = src.charCodeAt(pos);
    if (c === 10) {
      pos++;
      row++;
      lineStart = pos;
      wideOnLine = 0;
      return;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = src.charCodeAt(pos + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pos += 2;
        wideOnLine++;
        return;
      }
    }
    pos++;
  };

  const push = (kind: Tok, start: number, r: number, c: number): Token => {
    // punctuation needs no text; slicing only words and literals saves allocations
    const text = kind <= Tok.TemplateEnd ? src.slice(start, pos) : "";
    const t: Token = { kind, start, end: pos, row: r, col: c, nl: sawNl, ws: sawWs, text };
    tokens.push(t);
    sawWs = false;
    sawNl = false;
    return t;
  };

  /** Consumes a `=` that completes a two-character operator (`==`, `<=`, `>=`, `!=`). */
  const followedByEquals = (): boolean => {
    if (src.charCodeAt(pos) !== 61) return false;
    pos++;
    return true;
  };

  const fail = (t: Token, message: string): void => {
    t.kind = Tok.Illegal;
    t.error ??= message;
    errors.push({ message, row: t.row, col: t.col });
  };

  /**
   * Scans template-string text from `pos` (just after `$"`, `` $` `` or the
   * closing `}` of an expression) up to the next `{` or the closing quote.
   */
  const scanTemplateText = (start: number, r: number, c: number, raw: boolean): void => {
    const quote = raw ? 96 : 34;
    let kind = Tok.TemplatePart;
    let terminated = false;
    while (pos < n) {
      const ch = src.charCodeAt(pos);
      if (!raw && ch === 10) break;
      if (ch === quote) {
        pos++;
        kind = Tok.TemplateEnd;
        terminated = true;
        break;
      }
      if (ch === 123) {
        pos++;
        terminated = true;
        break;
      }
      if (ch === 92) {
        pos++;
        // an escaped character never ends the text (`\"`, `\{`, `\\`)
        if (pos < n && src.charCodeAt(pos) !== 10) step();
        continue;
      }
      step();
    }
    const t = push(kind, start, r, c);
    t.raw = raw;
    // the text between the opening delimiter and the `{` or closing quote
    const open = src.charCodeAt(start) === 36 ? 2 : 1; // `$"` or `}`
    const inner = src.slice(start + open, terminated ? pos - 1 : pos);
    if (!terminated) {
      fail(t, "non-terminated string");
      t.value = inner;
      return;
    }
    if (kind === Tok.TemplatePart) braces.push(raw ? RAW_TEMPLATE : TEMPLATE);
    if (raw) {
      t.value = inner.replace(/\\\{/g, "{");
      return;
    }
    const d = decodeEscapes(inner, true);
    t.value = d.value;
    if (d.error) fail(t, d.error);
    else if (d.invalid) fail(t, `illegal template-string part: ${t.text}`);
  };

  while (pos < n) {
    const c = src.charCodeAt(pos);
    // whitespace
    if (c === 32 || c === 9 || c === 13) {
      pos++;
      sawWs = true;
      continue;
    }
    if (c === 10) {
      pos++;
      row++;
      lineStart = pos;
      wideOnLine = 0;
      sawWs = true;
      sawNl = true;
      continue;
    }
    const start = pos;
    const r = row;
    const col = colAt(pos);

    if (c === 35) {
      // comment up to the end of the line
      pos++;
      while (pos < n && src.charCodeAt(pos) !== 10) step();
      let end = pos;
      if (end > start + 1 && src.charCodeAt(end - 1) === 13) end--;
      comments.push({ text: src.slice(start + 1, end), start, end, row: r, col });
      sawWs = true;
      continue;
    }

    if (isLetter(c)) {
      pos++;
      while (pos < n && isIdentPart(src, pos, src.charCodeAt(pos))) pos++;
      push(Tok.Ident, start, r, col);
      continue;
    }

    if (isDecimal(c)) {
      scanNumber();
      continue;
    }

    pos++;
    switch (c) {
      case 34: {
        // "string"
        let terminated = false;
        while (pos < n) {
          const ch = src.charCodeAt(pos);
          if (ch === 10) break;
          if (ch === 34) {
            pos++;
            terminated = true;
            break;
          }
          if (ch === 92) {
            pos++;
            if (pos < n && src.charCodeAt(pos) !== 10) step();
            continue;
          }
          step();
        }
        const t = push(Tok.String, start, r, col);
        if (!terminated) {
          fail(t, "non-terminated string");
          break;
        }
        const d = decodeEscapes(src.slice(start + 1, pos - 1), false);
        t.value = d.value;
        if (d.error) fail(t, d.error);
        else if (d.invalid) fail(t, `illegal string literal: ${t.text}`);
        break;
      }
      case 96: {
        // `raw string`
        let terminated = false;
        while (pos < n) {
          if (src.charCodeAt(pos) === 96) {
            pos++;
            terminated = true;
            break;
          }
          step();
        }
        const t = push(Tok.String, start, r, col);
        t.raw = true;
        t.value = src.slice(start + 1, terminated ? pos - 1 : pos);
        if (!terminated) fail(t, "non-terminated string");
        break;
      }
      case 36: {
        // $"template" or $`raw template`
        const q = src.charCodeAt(pos);
        if (q === 34 || q === 96) {
          pos++;
          scanTemplateText(start, r, col, q === 96);
        } else {
          fail(push(Tok.Illegal, start, r, col), "illegal $ character");
        }
        break;
      }
      case 91:
        push(Tok.LBrack, start, r, col);
        break;
      case 93:
        push(Tok.RBrack, start, r, col);
        break;
      case 123:
        braces.push(BRACE);
        push(Tok.LBrace, start, r, col);
        break;
      case 125: {
        push(Tok.RBrace, start, r, col);
        const mark = braces.pop();
        if (mark === TEMPLATE || mark === RAW_TEMPLATE) {
          // the `}` ends a template expression: the template text resumes
          // right after it (the `}` itself is both a token and the opening
          // delimiter of the next piece, as in OPA's scanner)
          scanTemplateText(start, r, col, mark === RAW_TEMPLATE);
          // the continuation is adjacent to the brace
          const last = tokens[tokens.length - 1] as Token;
          last.start = start + 1;
          last.col = col + 1;
          last.text = src.slice(start + 1, last.end);
        }
        break;
      }
      case 40:
        push(Tok.LParen, start, r, col);
        break;
      case 41:
        push(Tok.RParen, start, r, col);
        break;
      case 44:
        push(Tok.Comma, start, r, col);
        break;
      case 59:
        push(Tok.Semicolon, start, r, col);
        break;
      case 46:
        push(Tok.Dot, start, r, col);
        break;
      case 58:
        if (src.charCodeAt(pos) === 61) {
          pos++;
          push(Tok.Assign, start, r, col);
        } else push(Tok.Colon, start, r, col);
        break;
      case 43:
        push(Tok.Add, start, r, col);
        break;
      case 45:
        push(Tok.Sub, start, r, col);
        break;
      case 42:
        push(Tok.Mul, start, r, col);
        break;
      case 47:
        push(Tok.Quo, start, r, col);
        break;
      case 37:
        push(Tok.Rem, start, r, col);
        break;
      case 38:
        push(Tok.And, start, r, col);
        break;
      case 124:
        push(Tok.Or, start, r, col);
        break;
      case 61:
        push(followedByEquals() ? Tok.Equal : Tok.Unify, start, r, col);
        break;
      case 60:
        push(followedByEquals() ? Tok.Lte : Tok.Lt, start, r, col);
        break;
      case 62:
        push(followedByEquals() ? Tok.Gte : Tok.Gt, start, r, col);
        break;
      case 33:
        if (followedByEquals()) push(Tok.Neq, start, r, col);
        else fail(push(Tok.Illegal, start, r, col), "illegal ! character");
        break;
      default: {
        // any other character is illegal; keep surrogate pairs together
        pos = start;
        step();
        const t = push(Tok.Illegal, start, r, col);
        if (c === 0) fail(t, "illegal null character");
        else if (c === 0xfeff) fail(t, "illegal byte-order mark");
      }
    }
  }
  tokens.push({ kind: Tok.EOF, start: n, end: n, row, col: colAt(n), nl: sawNl, ws: sawWs, text: "" });
  return { tokens, comments, errors };

  /** Scans a number literal as OPA's scanner does (digits, fraction, exponent). */
  function scanNumber(): void {
    const start = pos;
    const r = row;
    const col = colAt(pos);
    let error: string | undefined;
    while (pos < n && isDecimal(src.charCodeAt(pos))) pos++;
    if (src.charCodeAt(pos) === 46) {
      pos++;
      const f = pos;
      while (pos < n && isDecimal(src.charCodeAt(pos))) pos++;
      if (pos === f) error = "expected fraction";
    }
    const e = src.charCodeAt(pos);
    if (e === 101 || e === 69) {
      pos++;
      const s = src.charCodeAt(pos);
      if (s === 43 || s === 45) pos++;
      const f = pos;
      while (pos < n && isDecimal(src.charCodeAt(pos))) pos++;
      if (pos === f) error ??= "expected exponent";
    }
    // `0a2b` is one bad number, not a number followed by an identifier
    if (pos < n && isLetter(src.charCodeAt(pos))) {
      error ??= "illegal number format";
      while (pos < n && isIdentPart(src, pos, src.charCodeAt(pos))) pos++;
    }
    const t = push(Tok.Number, start, r, col);
    if (error) fail(t, error);
  }
}
