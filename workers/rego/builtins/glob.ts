/**
 * glob.match and glob.quote_meta, with the semantics of github.com/gobwas/glob
 * (the library OPA calls): `*` matches any run of non-delimiter characters,
 * `**` any run at all, `?` one non-delimiter character, `[abc]` `[!abc]`
 * `[a-z]` `[!a-z]` one character (delimiters included), `{a,b}` alternatives
 * (nestable, possibly empty), `\` escapes. The whole input must match.
 *
 * The pattern is tokenized and parsed as the library does (same accepted
 * syntax, same error reasons), then translated into an anchored RE2 pattern
 * and matched by re2js: linear time whatever the pattern, where the library
 * backtracks.
 */
import type { Value } from "../value/index.js";
import { RE2JS } from "re2js";
import { typeName } from "../value/index.js";
import { runeLen } from "../goruntime/utf8.js";
import { RecentCache } from "../goruntime/recent-cache.js";
import { CACHE_GENERATION } from "../goruntime/regexp.js";
import { builtinError, operandError, str, typeError } from "./args.js";
import { BuiltinError, type BuiltinTable } from "./types.js";
import { checkNesting } from "./nesting.js";

export const globBuiltins: BuiltinTable = {
  "glob.match": (args) => {
    const pattern = str(args, 0);
    const delimiters = delimiterOperand(args[1] as Value);
    const value = str(args, 2);
    return compileGlob(pattern, delimiters).test(value);
  },

  "glob.quote_meta": (args) => str(args, 0).replace(/[*?\\[\]{}]/g, "\\$&"),
};

/** null: no delimiters; an empty array: the default, "."; otherwise one character each. */
function delimiterOperand(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw operandError(2, v, "array", "null");
  const out: string[] = [];
  for (const d of v) {
    if (typeof d !== "string") throw typeError(`operand 2 must be array of strings but got array containing ${typeName(d)}`);
    if ([...d].length !== 1) throw typeError("operand 2 must be array of runes but got array containing string");
    out.push(d);
  }
  return out.length === 0 ? ["."] : out;
}

/** Compiled globs, kept as compiled regexes are (goruntime/regexp.ts). */
const cache = new RecentCache<string, RE2JS | BuiltinError>(CACHE_GENERATION);

/** Compiles (and caches) a glob for a set of delimiters into a re2js matcher. */
export function compileGlob(pattern: string, delimiters: string[]): RE2JS {
  // Each delimiter is one character, so the count makes the key unambiguous.
  const key = `${delimiters.length}:${delimiters.join("")}${pattern}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(`\\A(?:${globToRegex(parseGlob(pattern), delimiters)})\\z`);
    } catch (e) {
      entry = e instanceof BuiltinError ? e : builtinError(e instanceof Error ? e.message : String(e));
    }
    cache.set(key, entry);
  }
  if (entry instanceof RE2JS) return entry;
  throw entry;
}

// ---- syntax tree -------------------------------------------------------------

type GlobNode =
  | { kind: "text"; text: number[] }
  | { kind: "star" } // `*`
  | { kind: "super" } // `**`
  | { kind: "single" } // `?`
  | { kind: "set"; not: boolean; chars: number[] }
  | { kind: "range"; not: boolean; lo: number; hi: number }
  | { kind: "alt"; alts: GlobNode[][] };

// ---- lexer: a port of gobwas/glob's, for the same tokens and errors ---------

type TokenType =
  | "eof"
  | "error"
  | "text"
  | "any"
  | "super"
  | "single"
  | "not"
  | "separator"
  | "rangeOpen"
  | "rangeClose"
  | "rangeLo"
  | "rangeHi"
  | "rangeBetween"
  | "termsOpen"
  | "termsClose";

interface Token {
  type: TokenType;
  /** Code points: the text (escapes resolved) or the range character. */
  data: number[];
  error?: string;
}

const EOF = -1;
const ANY = 0x2a; // *
const COMMA = 0x2c;
const SINGLE = 0x3f; // ?
const ESCAPE = 0x5c; // \
const RANGE_OPEN = 0x5b; // [
const RANGE_CLOSE = 0x5d; // ]
const TERMS_OPEN = 0x7b; // {
const TERMS_CLOSE = 0x7d; // }
const RANGE_NOT = 0x21; // !
const RANGE_BETWEEN = 0x2d; // -

const TEXT_BREAKERS = [SINGLE, ANY, RANGE_OPEN, TERMS_OPEN];
const TERMS_BREAKERS = [...TEXT_BREAKERS, TERMS_CLOSE, COMMA];

class Lexer {
  private readonly cps: number[];
  /** UTF-8 byte offset of each code point, for error offsets as the library reports them. */
  private readonly bytes: number[];
  private pos = 0;
  private err: string | undefined;
  private readonly queue: Token[] = [];
  private termsLevel = 0;
  private lastRune = EOF;
  private lastSize = 0;
  private hasRune = false;

  constructor(source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0) as number);
    this.bytes = [0];
    for (const c of this.cps) this.bytes.push((this.bytes[this.bytes.length - 1] as number) + runeLen(c));
  }

  /** Byte offset right after the most recently lexed input. */
  offset(): number {
    return this.bytes[this.pos] as number;
  }

  next(): Token {
    for (;;) {
      if (this.err !== undefined) return { type: "error", data: [], error: this.err };
      const t = this.queue.shift();
      if (t !== undefined) return t;
      this.fetchItem();
    }
  }

  private push(type: TokenType, data: number[] = []): void {
    this.queue.push({ type, data });
  }

  private peek(): number {
    return this.pos < this.cps.length ? (this.cps[this.pos] as number) : EOF;
  }

  private read(): number {
    if (this.hasRune) {
      this.hasRune = false;
      this.pos += this.lastSize;
      return this.lastRune;
    }
    const r = this.peek();
    const size = r === EOF ? 0 : 1;
    this.pos += size;
    this.lastRune = r;
    this.lastSize = size;
    return r;
  }

  private unread(): void {
    if (this.hasRune) {
      this.err = "could not unread rune";
      return;
    }
    this.pos -= this.lastSize;
    this.hasRune = true;
  }

  private fetchItem(): void {
    const r = this.read();
    if (r === EOF) {
      this.push("eof");
    } else if (r === TERMS_OPEN) {
      this.termsLevel++;
      this.push("termsOpen");
    } else if (r === COMMA && this.termsLevel > 0) {
      this.push("separator");
    } else if (r === TERMS_CLOSE && this.termsLevel > 0) {
      this.push("termsClose");
      this.termsLevel--;
    } else if (r === RANGE_OPEN) {
      this.push("rangeOpen");
      this.fetchRange();
    } else if (r === SINGLE) {
      this.push("single");
    } else if (r === ANY) {
      if (this.read() === ANY) {
        this.push("super");
      } else {
        this.unread();
        this.push("any");
      }
    } else {
      this.unread();
      this.fetchText(this.termsLevel > 0 ? TERMS_BREAKERS : TEXT_BREAKERS);
    }
  }

  private fetchRange(): void {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.err = "unexpected end of input";
        return;
      }
      if (wantClose) {
        if (r !== RANGE_CLOSE) this.err = "expected close range character";
        else this.push("rangeClose");
        return;
      }
      if (wantHi) {
        this.push("rangeHi", [r]);
        wantClose = true;
        continue;
      }
      if (!seenNot && r === RANGE_NOT) {
        this.push("not");
        seenNot = true;
        continue;
      }
      if (this.peek() === RANGE_BETWEEN) {
        this.pos++;
        this.push("rangeLo", [r]);
        this.push("rangeBetween");
        wantHi = true;
        continue;
      }
      this.unread();
      this.fetchText([RANGE_CLOSE]);
      wantClose = true;
    }
  }

  private fetchText(breakers: number[]): void {
    const data: number[] = [];
    let escaped = false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        if (escaped) this.err = "trailing backslash";
        break;
      }
      if (!escaped) {
        if (r === ESCAPE) {
          escaped = true;
          continue;
        }
        if (breakers.includes(r)) {
          this.unread();
          break;
        }
      }
      escaped = false;
      data.push(r);
    }
    if (data.length > 0) this.push("text", data);
  }
}

// ---- parser --------------------------------------------------------------------

function syntaxError(lex: Lexer, reason: string): BuiltinError {
  return builtinError(`glob: syntax error at ${lex.offset()}: ${reason}`);
}

/** Parses a glob into a sequence of nodes, or throws the library's syntax error. */
export function parseGlob(pattern: string): GlobNode[] {
  const lex = new Lexer(pattern);
  // Open `{` groups, innermost last: the alternatives so far and the current one.
  const groups: { alts: GlobNode[][]; outer: GlobNode[] }[] = [];
  let current: GlobNode[] = [];
  for (;;) {
    const t = lex.next();
    switch (t.type) {
      case "eof":
        if (groups.length > 0) throw syntaxError(lex, "unclosed `{`");
        return current;
      case "error":
        throw syntaxError(lex, t.error ?? "");
      case "single":
        current.push({ kind: "single" });
        break;
      case "text":
        current.push({ kind: "text", text: t.data });
        break;
      case "any":
        current.push({ kind: "star" });
        break;
      case "super":
        current.push({ kind: "super" });
        break;
      case "rangeOpen":
        current.push(parseRange(lex));
        break;
      case "termsOpen":
        // Turning the groups into a regular expression recurses once per level.
        checkNesting(groups.length + 1, "glob: pattern groups");
        groups.push({ alts: [], outer: current });
        current = [];
        break;
      case "separator": {
        const g = groups[groups.length - 1];
        if (g === undefined) throw syntaxError(lex, "unexpected `,`");
        g.alts.push(current);
        current = [];
        break;
      }
      case "termsClose": {
        const g = groups.pop();
        if (g === undefined) throw syntaxError(lex, "unexpected `}`");
        g.alts.push(current);
        current = g.outer;
        current.push({ kind: "alt", alts: g.alts });
        break;
      }
      default:
        throw syntaxError(lex, `unexpected token ${t.type}`);
    }
  }
}

function parseRange(lex: Lexer): GlobNode {
  let not = false;
  let lo = -1;
  let hi = -1;
  let chars: number[] | undefined;
  for (;;) {
    const t = lex.next();
    switch (t.type) {
      case "eof":
        throw syntaxError(lex, "unclosed `[`");
      case "error":
        throw syntaxError(lex, t.error ?? "");
      case "not":
        not = true;
        break;
      case "rangeLo":
        lo = t.data[0] as number;
        break;
      case "rangeBetween":
        break;
      case "rangeHi":
        hi = t.data[0] as number;
        if (hi < lo) throw syntaxError(lex, "range hi character is less than lo");
        break;
      case "text":
        chars = t.data;
        break;
      case "rangeClose": {
        const isRange = lo >= 0 && hi >= 0;
        if ((chars !== undefined) === isRange) throw syntaxError(lex, "could not parse range");
        return isRange ? { kind: "range", not, lo, hi } : { kind: "set", not, chars: chars as number[] };
      }
      default:
        throw syntaxError(lex, `unexpected token ${t.type}`);
    }
  }
}

// ---- translation to RE2 ----------------------------------------------------

/** A code point as an RE2 escape, valid both inside and outside a class. */
function lit(c: number): string {
  return `\\x{${c.toString(16)}}`;
}

function globToRegex(nodes: GlobNode[], delimiters: string[]): string {
  const seps = delimiters.map((d) => lit(d.codePointAt(0) as number)).join("");
  // One character that is not a delimiter; RE2's (?s:.) is any character.
  const one = seps === "" ? "(?s:.)" : `[^${seps}]`;
  const emit = (seq: GlobNode[]): string =>
    seq
      .map((n) => {
        switch (n.kind) {
          case "text":
            return n.text.map(lit).join("");
          case "star":
            return `${one}*`;
          case "super":
            return "(?s:.*)";
          case "single":
            return one;
          case "set":
            return `[${n.not ? "^" : ""}${n.chars.map(lit).join("")}]`;
          case "range":
            return `[${n.not ? "^" : ""}${lit(n.lo)}-${lit(n.hi)}]`;
          case "alt":
            return `(?:${n.alts.map(emit).join("|")})`;
        }
      })
      .join("");
  return emit(nodes);
}
