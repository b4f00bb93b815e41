/**
 * GraphQL lexer with gqlparser's behaviour (lexer/lexer.go): the same tokens,
 * the same positions (columns count code points; a token's line is the line
 * its lexing ended on) and the same error texts. Comments are skipped: OPA's
 * ASTs carry none.
 *
 * A lexing error becomes an Invalid token carrying the error; like gqlparser,
 * the parser usually reports "Unexpected <Invalid>" at its position instead.
 */
import { quote } from "../../goruntime/strconv.js";
import type { Position } from "./ast.js";
import { GqlError } from "./errors.js";
import { MAX_TOKENS, tooManyTokens } from "./limits.js";

/** Token kinds, spelled as gqlparser's Type.String() prints them. */
export type TokenKind =
  | "<Invalid>"
  | "<EOF>"
  | "!"
  | "$"
  | "&"
  | "("
  | ")"
  | "..."
  | ":"
  | "="
  | "@"
  | "["
  | "]"
  | "{"
  | "}"
  | "|"
  | "Name"
  | "Int"
  | "Float"
  | "String"
  | "BlockString";

export interface Token {
  kind: TokenKind;
  value: string;
  pos: Position;
  /** The lexing error of an Invalid token. */
  error?: GqlError;
}

const PUNCTUATORS: Record<string, TokenKind> = {
  "!": "!",
  $: "$",
  "&": "&",
  "(": "(",
  ")": ")",
  ":": ":",
  "=": "=",
  "@": "@",
  "[": "[",
  "]": "]",
  "{": "{",
  "}": "}",
  "|": "|",
};

function isNameStart(c: number): boolean {
  return c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isNameContinue(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Go's fmt `%04d`: gqlparser formats control characters in decimal. */
function pad4(n: number): string {
  return String(n).padStart(4, "0");
}

/**
 * Go's string(byte): gqlparser quotes the first *byte* of an unexpected
 * character, which Go reads as a Latin-1 code point.
 */
function firstByteAsRune(cp: number): string {
  let b: number;
  if (cp < 0x80) b = cp;
  else if (cp < 0x800) b = 0xc0 | (cp >> 6);
  else if (cp < 0x10000) b = 0xe0 | (cp >> 12);
  else b = 0xf0 | (cp >> 18);
  return String.fromCharCode(b);
}

/** A token's text, as gqlparser's Token.String(): `Name "foo"`, or just the kind. */
export function tokenString(t: Token): string {
  return t.value !== "" ? `${t.kind} ${quote(t.value)}` : t.kind;
}

export class Lexer {
  /** Start of the token being lexed: UTF-16 index and code-point count. */
  private start = 0;
  private startRunes = 0;
  /** Read position: UTF-16 index and code-point count. */
  private end = 0;
  private endRunes = 0;
  private line = 1;
  private lineStartRunes = 0;
  private tokens = 0;

  constructor(private readonly input: string) {}

  /** The next token; never throws for bad input (see the Invalid token). */
  read(): Token {
    if (++this.tokens > MAX_TOKENS) throw tooManyTokens();
    for (;;) {
      this.ws();
      this.start = this.end;
      this.startRunes = this.endRunes;
      const input = this.input;
      if (this.end >= input.length) return this.token("<EOF>", "");
      const ch = input[this.start] as string;
      this.end++;
      this.endRunes++;
      const punct = PUNCTUATORS[ch];
      if (punct !== undefined) return this.token(punct, "");
      const c = ch.charCodeAt(0);
      if (ch === ".") {
        if (input.startsWith("...", this.start)) {
          this.end += 2;
          this.endRunes += 2;
          return this.token("...", "");
        }
      } else if (ch === "#") {
        this.skipComment();
        continue;
      } else if (isNameStart(c)) {
        return this.readName();
      } else if (ch === "-" || isDigit(c)) {
        return this.readNumber();
      } else if (ch === '"') {
        if (input.startsWith('"""', this.start)) return this.readBlockString();
        return this.readString();
      }
      this.end--;
      this.endRunes--;
      if (c < 0x20 && c !== 9 && c !== 10 && c !== 13) {
        return this.fail(`Cannot contain the invalid character "\\u${pad4(c)}"`);
      }
      if (ch === "'") {
        return this.fail(`Unexpected single quote character ('), did you mean to use a double quote (")?`);
      }
      return this.fail(`Cannot parse the unexpected character "${firstByteAsRune(input.codePointAt(this.start) as number)}".`);
    }
  }

  private token(kind: TokenKind, value: string): Token {
    return { kind, value, pos: { Line: this.line, Column: this.startRunes - this.lineStartRunes + 1 } };
  }

  private fail(message: string): Token {
    const pos = { Line: this.line, Column: this.endRunes - this.lineStartRunes + 1 };
    return { kind: "<Invalid>", value: "", pos, error: new GqlError(message, pos) };
  }

  /** Advances over one code point (a surrogate pair is one rune). */
  private advance(): void {
    const c = this.input.charCodeAt(this.end);
    this.end += c >= 0xd800 && c <= 0xdbff && this.end + 1 < this.input.length ? 2 : 1;
    this.endRunes++;
  }

  /** Whitespace, commas, line terminators and byte order marks. */
  private ws(): void {
    const input = this.input;
    while (this.end < input.length) {
      const c = input.charCodeAt(this.end);
      if (c === 9 || c === 32 || c === 44 || c === 0xfeff) {
        this.end++;
        this.endRunes++;
      } else if (c === 10) {
        this.end++;
        this.endRunes++;
        this.newLine();
      } else if (c === 13) {
        this.end++;
        this.endRunes++;
        this.newLine();
        if (this.end < input.length && input.charCodeAt(this.end) === 10) {
          this.end++;
          this.endRunes++;
        }
      } else {
        return;
      }
    }
  }

  private newLine(): void {
    this.line++;
    this.lineStartRunes = this.endRunes;
  }

  /** `#` to the end of the line. */
  private skipComment(): void {
    const input = this.input;
    while (this.end < input.length) {
      const c = input.charCodeAt(this.end);
      if (c > 0x1f || c === 9) this.advance();
      else break;
    }
  }

  private readName(): Token {
    const input = this.input;
    while (this.end < input.length && isNameContinue(input.charCodeAt(this.end))) {
      this.end++;
      this.endRunes++;
    }
    return this.token("Name", input.slice(this.start, this.end));
  }

  private acceptChar(...chars: string[]): boolean {
    if (this.end >= this.input.length) return false;
    if (chars.includes(this.input[this.end] as string)) {
      this.end++;
      this.endRunes++;
      return true;
    }
    return false;
  }

  private acceptDigits(): number {
    let n = 0;
    while (this.end < this.input.length && isDigit(this.input.charCodeAt(this.end))) {
      this.end++;
      this.endRunes++;
      n++;
    }
    return n;
  }

  private describeNext(): string {
    if (this.end < this.input.length) return `"${firstByteAsRune(this.input.codePointAt(this.end) as number)}"`;
    return "<EOF>";
  }

  /** Int: -?(0|[1-9][0-9]*); Float adds a fraction and/or an exponent. */
  private readNumber(): Token {
    let float = false;
    this.end--;
    this.endRunes--;
    this.acceptChar("-");
    if (this.acceptChar("0")) {
      const consumed = this.acceptDigits();
      if (consumed !== 0) {
        this.end -= consumed;
        this.endRunes -= consumed;
        return this.fail(`Invalid number, unexpected digit after 0: ${this.describeNext()}.`);
      }
    } else if (this.acceptDigits() === 0) {
      return this.fail(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
    if (this.acceptChar(".")) {
      float = true;
      if (this.acceptDigits() === 0) return this.fail(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
    if (this.acceptChar("e", "E")) {
      float = true;
      this.acceptChar("-", "+");
      if (this.acceptDigits() === 0) return this.fail(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
    return this.token(float ? "Float" : "Int", this.input.slice(this.start, this.end));
  }

  /** A "quoted" string with escapes; the token's column is that of its first character. */
  private readString(): Token {
    const input = this.input;
    let buf: string | null = null;
    this.start++;
    this.startRunes++;
    while (this.end < input.length) {
      const c = input.charCodeAt(this.end);
      if (c === 10 || c === 13) break;
      if (c < 0x20 && c !== 9) return this.fail(`Invalid character within String: "\\u${pad4(c)}".`);
      if (c === 34) {
        const t = this.token("String", buf ?? input.slice(this.start, this.end));
        this.end++;
        this.endRunes++;
        return t;
      }
      if (c !== 92) {
        const from = this.end;
        this.advance();
        if (buf !== null) buf += input.slice(from, this.end);
        continue;
      }
      // a backslash escape
      if (this.end + 1 >= input.length) {
        this.end++;
        this.endRunes++;
        return this.fail("Invalid character escape sequence.");
      }
      if (buf === null) buf = input.slice(this.start, this.end);
      const escaped = input[this.end + 1] as string;
      if (escaped === "u") {
        if (this.end + 6 >= input.length) {
          this.end++;
          this.endRunes++;
          return this.fail(`Invalid character escape sequence: \\${input.slice(this.end)}.`);
        }
        const hex = input.slice(this.end + 2, this.end + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.end++;
          this.endRunes++;
          return this.fail(`Invalid character escape sequence: \\${input.slice(this.end, this.end + 5)}.`);
        }
        const r = parseInt(hex, 16);
        // Go's WriteRune turns a lone surrogate into U+FFFD.
        buf += r >= 0xd800 && r <= 0xdfff ? "\ufffd" : String.fromCharCode(r);
        this.end += 6;
        this.endRunes += 6;
        continue;
      }
      const simple: Record<string, string> = { '"': '"', "/": "/", "\\": "\\", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      const out = simple[escaped];
      if (out === undefined) {
        this.end++;
        this.endRunes++;
        return this.fail(`Invalid character escape sequence: \\${firstByteAsRune(escaped.codePointAt(0) as number)}.`);
      }
      buf += out;
      this.end += 2;
      this.endRunes += 2;
    }
    return this.fail("Unterminated string.");
  }

  /** A """block string""": raw text, then the spec's indentation removal. */
  private readBlockString(): Token {
    const input = this.input;
    let buf = "";
    this.start += 3;
    this.startRunes += 3;
    this.end += 2;
    this.endRunes += 2;
    while (this.end < input.length) {
      const c = input.charCodeAt(this.end);
      if (c === 34 && input.startsWith('"""', this.end)) {
        const t = this.token("BlockString", blockStringValue(buf));
        this.end += 3;
        this.endRunes += 3;
        return t;
      }
      if (c < 0x20 && c !== 9 && c !== 10 && c !== 13) return this.fail(`Invalid character within String: "\\u${pad4(c)}".`);
      if (c === 92 && input.startsWith('\\"""', this.end)) {
        buf += '"""';
        this.end += 4;
        this.endRunes += 4;
      } else if (c === 13) {
        if (this.end + 1 < input.length && input.charCodeAt(this.end + 1) === 10) {
          this.end++;
          this.endRunes++;
        }
        buf += "\n";
        this.end++;
        this.endRunes++;
        this.newLine();
      } else {
        const from = this.end;
        this.advance();
        buf += input.slice(from, this.end);
        if (c === 10) this.newLine();
      }
    }
    return this.fail("Unterminated string.");
  }
}

/**
 * gqlparser's blockStringValue: remove the smallest indentation of the
 * non-blank lines (the first line counts too, unlike graphql-js) from every
 * line but the first, then drop leading and trailing blank lines.
 */
export function blockStringValue(raw: string): string {
  const lines = raw.split("\n");
  const blank = Number.MAX_SAFE_INTEGER;
  const leading = (line: string): number => {
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch !== " " && ch !== "\t") return i;
    }
    return blank;
  };
  let common = blank;
  for (const line of lines) {
    const indent = leading(line);
    if (indent < line.length && indent < common) {
      common = indent;
      if (common === 0) break;
    }
  }
  if (common !== blank) {
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      lines[i] = line.length < common ? "" : line.slice(common);
    }
  }
  let start = 0;
  let end = lines.length;
  while (start < end && leading(lines[start] as string) === blank) start++;
  while (start < end && leading(lines[end - 1] as string) === blank) end--;
  return lines.slice(start, end).join("\n");
}
