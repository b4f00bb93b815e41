/**
 * Parser state shared by the term, body and module parsers: the token
 * cursor, keyword tracking, error reporting, backtracking and locations.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Loc, Term } from "./ast.js";
import { BASE_KEYWORDS, FUTURE_KEYWORDS, TOKEN_NAMES, Tok, type Token } from "./tokens.js";

/**
 * Nesting deeper than this is reported instead of risking the call stack.
 * Depth counts the recursive steps that nesting goes through (terms, infix
 * expressions, body expressions, bodies), about three JS frames each: the
 * limit keeps parsing within ~400 KB of stack (V8's default is ~1 MB) and
 * still allows e.g. 300 nested arrays or 150 nested comprehensions.
 */
export const MAX_DEPTH = 600;

/** Parsing stops after this many errors. */
export const MAX_ERRORS = 10;

export const DEPTH_ERROR = "max parsing recursion depth exceeded";

export interface SavedState {
  i: number;
  errors: number;
  forcedIdent: number;
}

export class ParserBase {
  protected i = 0;
  readonly errors: RegoErrorInfo[] = [];
  /** keywords active in this module: the base ones, plus v1's once enabled */
  protected readonly keywords = new Set<string>(BASE_KEYWORDS);
  protected depth = 0;
  /**
   * Index of a keyword token that must be read as a plain name because it
   * starts a ref (`import.foo := 1`, `not.x == 1`), as OPA's scanAheadRef does.
   */
  protected forcedIdent = -1;

  constructor(
    protected readonly file: string,
    protected readonly tokens: Token[],
    readonly regoVersion: 0 | 1,
  ) {
    if (regoVersion === 1) for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
  }

  // ---- cursor ----------------------------------------------------------

  protected get tok(): Token {
    return this.tokens[this.i] as Token;
  }

  protected peek(k = 1): Token {
    const j = Math.min(this.i + k, this.tokens.length - 1);
    return this.tokens[j] as Token;
  }

  protected advance(): void {
    if (this.i < this.tokens.length - 1) this.i++;
  }

  /** The current token's kind (a call, so TypeScript does not narrow it across advances). */
  protected kind(): Tok {
    return (this.tokens[this.i] as Token).kind;
  }

  protected at(kind: Tok): boolean {
    return (this.tokens[this.i] as Token).kind === kind;
  }

  /** End offset of the last consumed token. */
  protected prevEnd(): number {
    return this.i > 0 ? (this.tokens[this.i - 1] as Token).end : 0;
  }

  protected save(): SavedState {
    return { i: this.i, errors: this.errors.length, forcedIdent: this.forcedIdent };
  }

  protected restore(s: SavedState): void {
    this.i = s.i;
    this.errors.length = s.errors;
    this.forcedIdent = s.forcedIdent;
  }

  // ---- keywords ---------------------------------------------------------

  /** The keyword `t` stands for, or null if it is a plain identifier (or no word). */
  protected kwOf(t: Token, index = -2): string | null {
    if (t.kind !== Tok.Ident) return null;
    if (index === this.forcedIdent) return null;
    return this.keywords.has(t.text) ? t.text : null;
  }

  /**
   * The current token is the active keyword `word`. A keyword directly
   * followed by `.` or `[` is a name instead (`if.foo contains "a"` after a
   * rule, `with.x == 1` on the next line): OPA's parser re-reads such a token
   * as an identifier whenever it finishes an infix term.
   */
  protected isKw(word: string): boolean {
    const t = this.tok;
    return t.kind === Tok.Ident && t.text === word && this.keywords.has(word) && this.i !== this.forcedIdent && !this.keywordStartsRef();
  }

  /** The current token is an identifier that is not an active keyword. */
  protected atName(): boolean {
    const t = this.tok;
    return t.kind === Tok.Ident && (!this.keywords.has(t.text) || this.i === this.forcedIdent);
  }

  /**
   * A keyword directly followed by `.` or `[` starts a ref (OPA allows
   * keywords as ref heads in rule heads and at the start of expressions).
   */
  protected keywordStartsRef(): boolean {
    const t = this.tok;
    if (t.kind !== Tok.Ident || !this.keywords.has(t.text)) return false;
    const next = this.peek();
    return (!next.ws && (next.kind === Tok.Dot || next.kind === Tok.LBrack)) || this.logicalCallAhead();
  }

  /** `and(a, b)` and `or(a, b)`, the set built-ins, stay calls where `and`/`or` are keywords. */
  protected logicalCallAhead(): boolean {
    const t = this.tok;
    const next = this.peek();
    return t.kind === Tok.Ident && isLogicalCall(t.text) && !next.ws && next.kind === Tok.LParen;
  }

  /** `not { … }` and `not ( … )` are negations of bodies and groups (`import future.keywords.not`) */
  protected notBodies = false;

  protected enableKeyword(word: string): void {
    if (word === "not") this.notBodies = true;
    this.keywords.add(word);
    // importing `every` brings `in` along, as in OPA's scanner
    if (word === "every") this.keywords.add("in");
  }

  // ---- errors -------------------------------------------------------------

  protected errorAt(t: { row: number; col: number }, message: string): void {
    // the cap (MAX_ERRORS) is applied between statements: errors raised while
    // trying an alternative may still be rolled back
    this.errors.push({ code: "rego_parse_error", message, location: { file: this.file, row: t.row, col: t.col } });
  }

  protected errorAtLoc(loc: Loc, message: string): void {
    this.errorAt(loc, message);
  }

  /** How OPA names the current token: `}` token, `if` keyword, `identifier` token. */
  protected describe(t: Token, index: number): string {
    if (t.kind === Tok.Ident) {
      const kw = this.kwOf(t, index);
      return kw ? `${kw} keyword` : "identifier token";
    }
    return `${TOKEN_NAMES[t.kind]} token`;
  }

  /** OPA's `illegal`: "unexpected <token>[: note]" at the current token. */
  protected illegal(note = ""): void {
    const t = this.tok;
    if (t.kind === Tok.Illegal) {
      // the scanner already explained what is wrong with this token
      if (!t.error) this.errorAt(t, "illegal token");
      else if (!this.errors.some((e) => e.location?.row === t.row && e.location?.col === t.col)) {
        this.errorAt(t, t.error);
      }
      return;
    }
    const what = this.describe(t, this.i);
    this.errorAt(t, note ? `unexpected ${what}: ${note}` : `unexpected ${what}`);
  }

  // ---- depth --------------------------------------------------------------

  protected enter(): boolean {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      this.errorAt(this.tok, DEPTH_ERROR);
      return false;
    }
    return true;
  }

  protected leave(): void {
    this.depth--;
  }

  // ---- locations ------------------------------------------------------------

  /** Location spanning from token `from` to the end of the last consumed token. */
  protected locFrom(from: Token): Loc {
    const end = Math.max(this.prevEnd(), from.end);
    return { file: this.file, row: from.row, col: from.col, offset: from.start, length: end - from.start };
  }

  protected locOf(t: Token): Loc {
    return { file: this.file, row: t.row, col: t.col, offset: t.start, length: t.end - t.start };
  }

  /** Location from the start of `start` to the end of the last consumed token. */
  protected spanFrom(start: Loc): Loc {
    const end = Math.max(this.prevEnd(), start.offset + start.length);
    return { file: this.file, row: start.row, col: start.col, offset: start.offset, length: end - start.offset };
  }

  // ---- term helpers ---------------------------------------------------------

  protected varTerm(name: string, loc: Loc): Term {
    return { type: "var", value: name, loc };
  }

  protected stringTerm(value: string, loc: Loc): Term {
    return { type: "string", value, loc };
  }

  /** The ref term naming a built-in operator, e.g. `plus` or `internal.member_2`. */
  protected operatorRef(name: string, loc: Loc): Term {
    const dot = name.indexOf(".");
    const parts: Term[] =
      dot < 0 ? [this.varTerm(name, loc)] : [this.varTerm(name.slice(0, dot), loc), this.stringTerm(name.slice(dot + 1), loc)];
    return { type: "ref", value: parts, loc };
  }
}

function isLogicalCall(word: string): boolean {
  return word === "and" || word === "or";
}
