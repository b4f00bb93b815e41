/**
 * JSON decoding as OPA does it with Go's encoding/json: numbers kept exact
 * (json.Number), duplicate keys last-wins, lone \u surrogates read as U+FFFD,
 * and Go's error messages ("invalid character 'x' looking for beginning of
 * value", "unexpected EOF", …), which policies and tests match on.
 *
 * The caller's value model is built through a JSONBuilder: the decoder knows
 * JSON's grammar and Go's messages, not Rego's values. For encoding, Go's
 * string quoting is here (quoteJSON); the walk over Rego values that uses it
 * is value/json.ts's toJSONText.
 */
import { GoError } from "./errors.js";
import { quote } from "./strconv.js";

export class GoJSONError extends GoError {}

/** Strings, booleans and null decode to themselves. */
export type JSONScalar = null | boolean | string;

/** How numbers, arrays and objects of the caller's model are made. */
export interface JSONBuilder<T> {
  /** A json.Number's text; undefined when the model cannot hold it. */
  number(text: string): T | undefined;
  array(items: (T | JSONScalar)[]): T;
  /** Keys in document order, duplicates included (the last one wins, as in Go). */
  object(keys: string[], values: (T | JSONScalar)[]): T;
}

/** Go's quoteChar: the offending byte, as Go prints it in scanner errors. */
function quoteChar(s: string, i: number): string {
  const c = s.codePointAt(i) as number;
  // Go reports the first UTF-8 byte of a multi-byte character.
  const byte = c < 0x80 ? c : new TextEncoder().encode(String.fromCodePoint(c))[0]!;
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return "'\"'";
  const q = quote(String.fromCharCode(byte));
  return "'" + q.slice(1, -1) + "'";
}

const WS = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const DIGIT = (c: number) => c >= 0x30 && c <= 0x39;

/** Thrown internally when the input ends inside a value. */
class EndOfInput {}

/** An array or object being read: its keys (objects) and the values read so far. */
interface Open<T> {
  obj: boolean;
  keys: string[];
  values: (T | JSONScalar)[];
}

class Scanner<T> {
  i = 0;
  constructor(
    readonly s: string,
    readonly build: JSONBuilder<T>,
  ) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new EndOfInput();
    throw new GoJSONError(`invalid character ${quoteChar(this.s, this.i)} ${context}`);
  }

  skipWS(): void {
    while (this.i < this.s.length && WS(this.s.charCodeAt(this.i))) this.i++;
  }

  /**
   * The value at the current position, `depth` levels down. Arrays and
   * objects are read from an explicit stack of the ones still open, so text
   * nests as deep as Go allows (10,000) whatever the JavaScript stack.
   */
  value(depth: number): T | JSONScalar {
    const open: Open<T>[] = [];
    for (;;) {
      // Read the start of a value: a scalar, an empty collection, or a collection opened.
      if (depth + open.length > 10000) throw new GoJSONError("exceeded max depth");
      this.skipWS();
      const c = this.s.charCodeAt(this.i);
      let v: T | JSONScalar;
      if (c === 0x7b || c === 0x5b) {
        // { or [
        const obj = c === 0x7b;
        this.i++;
        this.skipWS();
        if (this.s[this.i] === (obj ? "}" : "]")) {
          this.i++;
          v = obj ? this.build.object([], []) : this.build.array([]);
        } else {
          const frame: Open<T> = { obj, keys: [], values: [] };
          open.push(frame);
          if (obj) this.key(frame);
          continue;
        }
      } else v = this.scalar(c);
      // A value is complete: it goes into the collection it is in, which may complete in turn.
      for (;;) {
        const top = open[open.length - 1];
        if (!top) return v;
        top.values.push(v);
        this.skipWS();
        const d = this.s[this.i];
        if (d === (top.obj ? "}" : "]")) {
          this.i++;
          open.pop();
          v = top.obj ? this.build.object(top.keys, top.values) : this.build.array(top.values);
          continue;
        }
        if (d !== ",") this.fail(top.obj ? "after object key:value pair" : "after array element");
        this.i++;
        if (top.obj) this.key(top);
        break;
      }
    }
  }

  private scalar(c: number): T | JSONScalar {
    switch (c) {
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal("true", true);
      case 0x66: // f
        return this.literal("false", false);
      case 0x6e: // n
        return this.literal("null", null);
      default:
        if (c === 0x2d || DIGIT(c)) return this.number();
        return this.fail("looking for beginning of value");
    }
  }

  /** An object member's key and colon; its value comes next. */
  private key(frame: Open<T>): void {
    this.skipWS();
    if (this.s[this.i] !== '"') this.fail("looking for beginning of object key string");
    const k = this.string();
    this.skipWS();
    if (this.s[this.i] !== ":") this.fail("after object key");
    this.i++;
    frame.keys.push(k);
  }

  private literal<L extends JSONScalar>(word: string, v: L): L {
    for (let k = 1; k < word.length; k++) {
      this.i++;
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting '${word[k]}')`);
    }
    this.i++;
    return v;
  }

  private number(): T {
    const start = this.i;
    const s = this.s;
    if (s[this.i] === "-") {
      this.i++;
      if (!DIGIT(s.charCodeAt(this.i))) this.fail("in numeric literal");
    }
    if (s[this.i] === "0") this.i++;
    else while (DIGIT(s.charCodeAt(this.i))) this.i++;
    if (s[this.i] === ".") {
      this.i++;
      if (!DIGIT(s.charCodeAt(this.i))) this.fail("after decimal point in numeric literal");
      while (DIGIT(s.charCodeAt(this.i))) this.i++;
    }
    if (s[this.i] === "e" || s[this.i] === "E") {
      this.i++;
      if (s[this.i] === "+" || s[this.i] === "-") this.i++;
      if (!DIGIT(s.charCodeAt(this.i))) this.fail("in exponent of numeric literal");
      while (DIGIT(s.charCodeAt(this.i))) this.i++;
    }
    const v = this.build.number(s.slice(start, this.i));
    if (v === undefined) throw new GoJSONError(`json: cannot unmarshal number ${s.slice(start, this.i)}`);
    return v;
  }

  string(): string {
    const s = this.s;
    this.i++;
    let out = "";
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) throw new EndOfInput();
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("in string literal");
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      this.i++;
      const e = s[this.i];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && e in simple) {
        out += simple[e];
        this.i++;
      } else if (e === "u") {
        const unit = this.hex4();
        if (unit >= 0xd800 && unit < 0xdc00 && s[this.i] === "\\" && s[this.i + 1] === "u") {
          const save = this.i;
          this.i++;
          const lo = this.hex4();
          if (lo >= 0xdc00 && lo < 0xe000) out += String.fromCharCode(unit, lo);
          else {
            out += "\ufffd";
            this.i = save;
          }
        } else out += unit >= 0xd800 && unit < 0xe000 ? "\ufffd" : String.fromCharCode(unit);
      } else this.fail("in string escape code");
      run = this.i;
    }
  }

  /** Reads "uXXXX" (at the 'u'); returns the code unit. */
  private hex4(): number {
    this.i++;
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.s.charCodeAt(this.i);
      const d = DIGIT(c) ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) this.fail("in \\u hexadecimal character escape");
      v = v * 16 + d;
      this.i++;
    }
    return v;
  }
}

/** json.Decoder.Decode of the first value in text, with UseNumber. */
export function decodeFirst<T>(text: string, build: JSONBuilder<T>): { value: T | JSONScalar; rest: number } {
  const sc = new Scanner(text, build);
  sc.skipWS();
  if (sc.i >= text.length) throw new GoJSONError("EOF");
  try {
    const value = sc.value(0);
    return { value, rest: sc.i };
  } catch (e) {
    if (e instanceof EndOfInput) throw new GoJSONError("unexpected EOF");
    throw e;
  }
}

/**
 * OPA's util.UnmarshalJSON: decode the first value, then read one more token
 * and complain if there is one (a trailing `null` slips through, as in OPA).
 */
export function unmarshalJSON<T>(text: string, build: JSONBuilder<T>): T | JSONScalar {
  const { value, rest } = decodeFirst(text, build);
  const sc = new Scanner(text, build);
  sc.i = rest;
  sc.skipWS();
  if (sc.i >= text.length) return value;
  const c = text[sc.i] as string;
  const after = (tok: string) => new GoJSONError(`error: invalid character '${tok}' after top-level value`);
  if (c === "{" || c === "[") throw after(c);
  if (c === "]" || c === "}" || c === "," || c === ":")
    throw new GoJSONError(`invalid character ${quoteChar(text, sc.i)} looking for beginning of value`);
  const next = decodeFirst(text.slice(sc.i), build).value;
  if (next === null) return value;
  if (typeof next === "boolean") throw after(`%!s(bool=${next})`);
  if (typeof next === "string") throw after(next);
  throw after(text.slice(sc.i, sc.i + decodeFirst(text.slice(sc.i), build).rest));
}

/** json.Valid: exactly one JSON value, surrounded only by whitespace. */
export function validJSON<T>(text: string, build: JSONBuilder<T>): boolean {
  try {
    const { rest } = decodeFirst(text, build);
    const sc = new Scanner(text, build);
    sc.i = rest;
    sc.skipWS();
    return sc.i >= text.length;
  } catch {
    return false;
  }
}

/** A string as encoding/json writes it: HTML-safe, U+2028/9 escaped, lone surrogates (invalid UTF-8 in Go) as \ufffd. */
export function quoteJSON(s: string): string {
  return JSON.stringify(s)
    .replace(/\\ud[89a-f][0-9a-f]{2}/g, "\\ufffd")
    .replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
