/**
 * Terms and infix expressions: scalars, vars, refs, calls, collections,
 * comprehensions, template strings, and OPA's operator precedence
 * (`in` < relations < `|` < `&` < `+ -` < `* / %`, all left-associative).
 *
 * Collections follow OPA's resolution of ambiguities: `[a | b]` and `{a | b}`
 * are comprehensions when the part after `|` parses as a body, and fall back
 * to arrays/sets containing an `or` call otherwise. Parsed terms are memoised
 * by token index so that trying one reading and then the other never parses
 * a nested term twice, which keeps parsing linear.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Body, Expr, TemplateStringTerm, Term, With } from "./ast.js";
import { numberValue } from "./literals.js";
import { ParserBase, type SavedState } from "./parser-base.js";
import { BINARY_OPS, MAX_PREC, TOKEN_NAMES, Tok, type Token } from "./tokens.js";

interface CacheEntry {
  term: Term | null;
  end: number;
  errors: readonly RegoErrorInfo[];
}

const NO_ERRORS: readonly RegoErrorInfo[] = [];

export abstract class TermParser extends ParserBase {
  private readonly cache = new Map<number, CacheEntry>();

  /** Parses a body up to (not including) `end`. */
  protected abstract parseBody(end: Tok): Body | null;
  /** Parses one expression of a body (with `not`, `some`, `every`, `with`). */
  protected abstract parseLiteral(): Expr | null;

  // ---- infix ------------------------------------------------------------

  /**
   * A term with infix operators, including `x in xs` and, with `keyVal`,
   * `k, v in xs` (not allowed inside lists, where the comma separates items).
   */
  protected parseTermIn(keyVal: boolean): Term | null {
    if (!this.enter()) return null;
    const t = this.parseTermInNested(keyVal);
    this.leave();
    return t;
  }

  private parseTermInNested(keyVal: boolean): Term | null {
    let lhs = this.parseBinary(1);
    if (!lhs) return null;
    if (keyVal && this.at(Tok.Comma)) {
      const s = this.save();
      this.advance();
      const mhs = this.parseBinary(1);
      let matched = false;
      if (mhs && this.atInOperator()) {
        const op = this.tok;
        this.advance();
        const rhs = this.parseBinary(1);
        if (rhs) {
          lhs = this.infixCall("internal.member_3", op, [lhs, mhs, rhs]);
          matched = true;
        }
      }
      if (!matched) this.restore(s);
      else if (!this.atInOperator()) return lhs;
    }
    while (this.atInOperator()) {
      const op = this.tok;
      this.advance();
      const rhs = this.parseBinary(1);
      if (!rhs) return null;
      lhs = this.infixCall("internal.member_2", op, [lhs, rhs]);
    }
    return lhs;
  }

  /** `in` as an operator (not the head of a ref such as `in.foo`). */
  private atInOperator(): boolean {
    return this.isKw("in") && !this.keywordStartsRef();
  }

  /** Precedence climbing over OPA's binary operators. */
  private parseBinary(minPrec: number): Term | null {
    let lhs = this.parseTerm();
    if (!lhs) return null;
    for (;;) {
      const op = BINARY_OPS.get(this.tok.kind);
      if (!op || op.prec < minPrec) return lhs;
      const opTok = this.tok;
      this.advance();
      const rhs = op.prec === MAX_PREC ? this.parseTerm() : this.parseBinary(op.prec + 1);
      if (!rhs) return null;
      lhs = this.infixCall(op.name, opTok, [lhs, rhs]);
    }
  }

  private infixCall(name: string, op: Token, args: Term[]): Term {
    const first = args[0] as Term;
    return { type: "call", value: [this.operatorRef(name, this.locOf(op)), ...args], loc: this.spanFrom(first.loc) };
  }

  // ---- terms --------------------------------------------------------------

  /** One term with its ref/call suffixes, e.g. `x`, `[1, 2]`, `a.b[c](d).e`. */
  protected parseTerm(): Term | null {
    const start = this.i;
    // Only collections, parentheses and template strings are memoised: they
    // are what the collection parsers may read twice. Scalars, vars and refs
    // are cheap to read again (collections nested in them are memoised).
    const k = this.kind();
    const memo = k === Tok.LBrack || k === Tok.LBrace || k === Tok.LParen || k === Tok.TemplatePart;
    if (memo) {
      const hit = this.cache.get(start);
      if (hit) {
        this.i = hit.end;
        for (const e of hit.errors) this.errors.push(e);
        return hit.term;
      }
    }
    if (!this.enter()) return null;
    const errBase = this.errors.length;
    const minus = this.unaryMinusOfRef();
    let term = this.parseOperand();
    if (term) term = this.parseTermFinish(term);
    // `-input.n` is `0 - input.n` (OPA 1.16): the whole ref or call is negated.
    if (term && minus)
      term = {
        type: "call",
        value: [this.operatorRef("minus", this.locOf(minus)), this.zero(minus), term],
        loc: this.spanFrom(this.locOf(minus)),
      };
    this.leave();
    if (memo) {
      const errors = errBase === this.errors.length ? NO_ERRORS : this.errors.slice(errBase);
      this.cache.set(start, { term, end: this.i, errors });
    }
    return term;
  }

  private parseOperand(): Term | null {
    const t = this.tok;
    switch (t.kind) {
      case Tok.Ident: {
        const forced = this.i === this.forcedIdent || this.logicalCallAhead();
        if (this.i === this.forcedIdent) this.forcedIdent = -1;
        const kw = forced ? null : this.kwOf(t);
        // `contains` is only a keyword in rule heads
        if (kw === null || kw === "contains") {
          this.advance();
          return this.varTerm(t.text, this.locOf(t));
        }
        if (kw === "true" || kw === "false") {
          this.advance();
          return { type: "boolean", value: kw === "true", loc: this.locOf(t) };
        }
        if (kw === "null") {
          this.advance();
          return { type: "null", value: null, loc: this.locOf(t) };
        }
        this.illegal();
        return null;
      }
      case Tok.Number:
      case Tok.Sub:
      case Tok.Dot:
        return this.parseNumber();
      case Tok.String: {
        this.advance();
        const s: Term = { type: "string", value: t.value ?? "", loc: this.locOf(t) };
        if (t.raw) s.raw = true;
        return s;
      }
      case Tok.TemplatePart:
      case Tok.TemplateEnd:
        return this.parseTemplateString();
      case Tok.LBrack:
        return this.parseArray();
      case Tok.LBrace:
        return this.parseSetOrObject();
      case Tok.LParen: {
        this.advance();
        const inner = this.parseTermIn(true);
        if (!inner) return null;
        if (!this.at(Tok.RParen)) {
          this.errorAt(this.tok, "non-terminated expression");
          return null;
        }
        this.advance();
        return inner;
      }
      default:
        this.illegal();
        return null;
    }
  }

  /** A `-` before a name (not a number): consumed, and returned so the term it starts is negated. */
  private unaryMinusOfRef(): Token | null {
    const t = this.tok;
    if (t.kind !== Tok.Sub) return null;
    const next = this.peek(1);
    if (next.kind !== Tok.Ident) return null;
    const kw = this.kwOf(next);
    if (kw !== null && kw !== "contains") return null;
    this.advance();
    return t;
  }

  private zero(at: Token): Term {
    return { type: "number", value: 0, text: "0", loc: this.locOf(at) };
  }

  /** A term directly followed (no whitespace) by `.`, `[` or `(` continues as a ref or call. */
  private parseTermFinish(head: Term): Term | null {
    const t = this.tok;
    if (!t.ws && (t.kind === Tok.Dot || t.kind === Tok.LBrack || t.kind === Tok.LParen)) {
      return this.parseRef(head, false);
    }
    return this.rootRef(head);
  }

  /** `input` and `data` on their own are refs to the root documents. */
  protected rootRef(t: Term): Term {
    if (t.type === "var" && (t.value === "input" || t.value === "data")) return { type: "ref", value: [t], loc: t.loc };
    return t;
  }

  /**
   * Ref and call suffixes after `head`. `wsFirst` lets whitespace precede the
   * first suffix, as OPA allows in rule heads (`p [x]`).
   */
  protected parseRef(head: Term, wsFirst: boolean): Term | null {
    this.checkRefHead(head);
    let base = head;
    let parts: Term[] = [head];
    let first = true;
    for (;;) {
      const t = this.tok;
      if (t.ws && !(first && wsFirst)) break;
      first = false;
      if (t.kind === Tok.Dot) {
        this.advance();
        const name = this.tok;
        if (name.kind !== Tok.Ident || name.ws) {
          if (name.kind === Tok.Illegal || !name.ws) this.illegal("expected identifier");
          else this.errorAt({ row: t.row, col: t.col + 1 }, "unexpected whitespace token: expected identifier");
          return null;
        }
        // any word, keywords included, may follow a dot
        parts.push(this.stringTerm(name.text, this.locOf(name)));
        this.advance();
      } else if (t.kind === Tok.LBrack) {
        this.advance();
        const key = this.parseTermIn(true);
        if (!key) return null;
        if (!this.at(Tok.RBrack)) {
          this.illegal("expected ]");
          return null;
        }
        this.advance();
        parts.push(key);
      } else if (t.kind === Tok.LParen) {
        const operator: Term = { type: "ref", value: parts, loc: this.spanFrom(base.loc) };
        const call = this.parseCall(operator);
        if (!call) return null;
        const next = this.tok;
        if (next.ws || (next.kind !== Tok.Dot && next.kind !== Tok.LBrack)) return call;
        // a ref into the call's result: `f(x).y`, `f(x)[0]`
        base = call;
        parts = [call];
        this.checkRefHead(call);
      } else break;
    }
    return { type: "ref", value: parts, loc: this.spanFrom(base.loc) };
  }

  private checkRefHead(head: Term): void {
    switch (head.type) {
      case "var":
      case "array":
      case "object":
      case "set":
      case "arraycomprehension":
      case "setcomprehension":
      case "objectcomprehension":
      case "call":
        return;
      default:
        this.errorAtLoc(head.loc, `illegal ref (head cannot be ${head.type})`);
    }
  }

  /** Arguments of a call; `set()` is the empty set. The current token is `(`. */
  private parseCall(operator: Term): Term | null {
    this.advance();
    let value: Term[];
    if (this.at(Tok.RParen)) {
      this.advance();
      const ops = operator.value as Term[];
      const only = ops[0] as Term;
      if (ops.length === 1 && only.type === "var" && only.value === "set") {
        return { type: "set", value: [], loc: this.spanFrom(operator.loc) };
      }
      value = [operator];
    } else {
      const args = this.parseTermList(Tok.RParen, [operator]);
      if (!args) return null;
      this.advance();
      value = args;
    }
    return { type: "call", value, loc: this.spanFrom(operator.loc) };
  }

  /** Comma-separated terms up to `end` (not consumed); a trailing comma is allowed. */
  private parseTermList(end: Tok, acc: Term[]): Term[] | null {
    if (this.at(end)) return acc;
    for (;;) {
      const t = this.parseTermIn(false);
      if (!t) return null;
      acc.push(t);
      if (this.at(end)) return acc;
      if (this.at(Tok.Comma)) {
        this.advance();
        if (this.at(end)) return acc;
        continue;
      }
      this.illegal(`expected "," or "${TOKEN_NAMES[end]}"`);
      return null;
    }
  }

  /** `key: value` pairs up to `end` (not consumed). */
  private parseTermPairList(end: Tok, acc: [Term, Term][]): [Term, Term][] | null {
    if (this.at(end)) return acc;
    for (;;) {
      const key = this.parseTermIn(false);
      if (!key) return null;
      if (!this.at(Tok.Colon)) {
        this.illegal('expected ":"');
        return null;
      }
      this.advance();
      const value = this.parseTermIn(false);
      if (!value) return null;
      acc.push([key, value]);
      if (this.at(end)) return acc;
      if (this.at(Tok.Comma)) {
        this.advance();
        if (this.at(end)) return acc;
        continue;
      }
      this.illegal(`expected "," or "${TOKEN_NAMES[end]}"`);
      return null;
    }
  }

  // ---- scalars ------------------------------------------------------------

  /** A number, with an optional unary minus and leading dot (`-1`, `.5`, `-.5`). */
  private parseNumber(): Term | null {
    const first = this.tok;
    let prefix = "";
    if (first.kind === Tok.Sub) {
      prefix = "-";
      this.advance();
      if (!this.at(Tok.Number) && !this.at(Tok.Dot)) {
        this.illegal("expected number");
        return null;
      }
    }
    if (this.at(Tok.Dot)) {
      prefix += ".";
      this.advance();
      if (!this.at(Tok.Number)) {
        this.illegal("expected number");
        return null;
      }
    }
    const t = this.tok;
    const lit = t.text;
    if (!prefix.endsWith(".") && lit.length > 1 && lit[0] === "0") {
      const decimal = lit[1] === ".";
      const scientific = lit.length > 2 && (lit[1] === "e" || lit[1] === "E");
      if (!decimal && !scientific) {
        this.illegal("expected number without leading zero");
        return null;
      }
    }
    const text = prefix + lit;
    const r = numberValue(text);
    if ("error" in r) {
      if (r.error === "number too big") this.errorAt(t, r.error);
      else this.illegal(r.error);
      return null;
    }
    this.advance();
    return { type: "number", value: r.value, text, loc: this.locFrom(first) };
  }

  /** `$"…{expr}…"`: literal pieces and `{expression}` parts in order. */
  private parseTemplateString(): Term | null {
    const first = this.tok;
    const parts: Term[] = [];
    const exprs: boolean[] = [];
    let withs: (With[] | null)[] | undefined;
    for (;;) {
      const t = this.tok;
      if (t.kind !== Tok.TemplatePart && t.kind !== Tok.TemplateEnd) {
        this.illegal("expected template-string part");
        return null;
      }
      // empty pieces are dropped, as OPA does
      if (t.value) {
        parts.push(this.stringTerm(t.value, this.locOf(t)));
        exprs.push(false);
      }
      this.advance();
      if (t.kind === Tok.TemplateEnd) break;
      const e = this.parseLiteral();
      if (!e) return null;
      const part = this.templateExprPart(e);
      if (!part) return null;
      parts.push(part);
      exprs.push(true);
      if (e.with) {
        withs ??= [];
        withs[parts.length - 1] = e.with;
      }
      if (!this.at(Tok.RBrace)) {
        this.errorAt(this.tok, "expected } to end template string expression");
        return null;
      }
      this.advance();
    }
    const term: TemplateStringTerm = { type: "templatestring", value: parts, exprs, loc: this.locFrom(first) };
    if (withs) term.withs = parts.map((_, i) => withs?.[i] ?? null);
    return term;
  }

  /** The term standing for a `{expression}`; rejects what OPA rejects there. */
  private templateExprPart(e: Expr): Term | null {
    const what = this.templateExprProblem(e);
    if (what) {
      this.errorAtLoc(e.loc, `unexpected ${what} in template-string expression`);
      return null;
    }
    const terms = e.terms;
    if (Array.isArray(terms)) return { type: "call", value: terms, loc: e.loc };
    return terms as Term;
  }

  private templateExprProblem(e: Expr): string | null {
    if (e.negated) return "negation ('not')";
    const terms = e.terms;
    if (Array.isArray(terms)) {
      const op = terms[0] as Term;
      const name = op.type === "ref" && op.value.length === 1 ? (op.value[0] as Term).value : null;
      if (name === "eq" && terms.length === 3) return "unification ('=')";
      if (name === "assign" && terms.length === 3) return "assignment (':=')";
      return null;
    }
    if ((terms as { type: string }).type === "every") return "'every'";
    if ((terms as { type: string }).type === "somedecl") return "'some'";
    return null;
  }

  // ---- collections --------------------------------------------------------

  /** `[]`, `[a, b]`, `[x | body]`. */
  private parseArray(): Term | null {
    const open = this.tok;
    this.advance();
    if (this.at(Tok.RBrack)) {
      this.advance();
      return { type: "array", value: [], loc: this.locFrom(open) };
    }
    // a leading comma (`[, a]`) is accepted for compatibility, but rules out
    // a comprehension
    let potentialComprehension = true;
    if (this.at(Tok.Comma)) {
      potentialComprehension = false;
      this.advance();
    }
    const s = this.save();
    // a plain term first: `[a | b]` is a comprehension, not an `or` call
    const head = this.parseTerm();
    if (!head) return null;
    switch (this.kind()) {
      case Tok.RBrack:
        this.advance();
        return { type: "array", value: [head], loc: this.locFrom(open) };
      case Tok.Comma: {
        this.advance();
        const items = this.parseTermList(Tok.RBrack, [head]);
        if (!items) return null;
        this.advance();
        return { type: "array", value: items, loc: this.locFrom(open) };
      }
      case Tok.Or:
        if (potentialComprehension) {
          this.advance();
          const body = this.parseBody(Tok.RBrack);
          if (body) {
            this.advance();
            return { type: "arraycomprehension", value: { term: head, body }, loc: this.locFrom(open) };
          }
          if (!this.at(Tok.Comma)) return null;
        }
        break;
    }
    this.restore(s);
    const items = this.parseTermList(Tok.RBrack, []);
    if (!items) return null;
    this.advance();
    return { type: "array", value: items, loc: this.locFrom(open) };
  }

  /** `{}` (empty object), sets, objects and set/object comprehensions. */
  private parseSetOrObject(): Term | null {
    const open = this.tok;
    this.advance();
    if (this.at(Tok.RBrace)) {
      this.advance();
      return { type: "object", value: [], loc: this.locFrom(open) };
    }
    let potentialComprehension = true;
    if (this.at(Tok.Comma)) {
      potentialComprehension = false;
      this.advance();
    }
    const s = this.save();
    // a plain term first, so that `{a | b}` is a set comprehension
    let head = this.parseTerm();
    if (!head) return null;
    switch (this.kind()) {
      case Tok.Or:
        if (potentialComprehension) return this.parseSet(open, s, head, true);
        break;
      case Tok.RBrace:
      case Tok.Comma:
        return this.parseSet(open, s, head, potentialComprehension);
      case Tok.Colon:
        return this.parseObject(open, head, potentialComprehension);
    }
    this.restore(s);
    head = this.parseTermIn(false);
    if (!head) return null;
    switch (this.kind()) {
      case Tok.RBrace:
      case Tok.Comma:
        return this.parseSet(open, s, head, false);
      case Tok.Colon:
        // still possibly an object comprehension: `{a + 1: b | …}`
        return this.parseObject(open, head, potentialComprehension);
    }
    this.illegal("non-terminated set");
    return null;
  }

  private parseSet(open: Token, s: SavedState, head: Term, potentialComprehension: boolean): Term | null {
    switch (this.kind()) {
      case Tok.RBrace:
        this.advance();
        return { type: "set", value: [head], loc: this.locFrom(open) };
      case Tok.Comma: {
        this.advance();
        const items = this.parseTermList(Tok.RBrace, [head]);
        if (!items) return null;
        this.advance();
        return { type: "set", value: items, loc: this.locFrom(open) };
      }
      case Tok.Or: {
        if (potentialComprehension) {
          this.advance();
          const body = this.parseBody(Tok.RBrace);
          if (body) {
            this.advance();
            return { type: "setcomprehension", value: { term: head, body }, loc: this.locFrom(open) };
          }
          if (!this.at(Tok.Comma)) return null;
        }
        // `{a | b, c}`: a set whose first element is an `or` call
        this.restore(s);
        const items = this.parseTermList(Tok.RBrace, []);
        if (!items) return null;
        this.advance();
        return { type: "set", value: items, loc: this.locFrom(open) };
      }
    }
    return null;
  }

  /** After `{key` with the current token `:`. */
  private parseObject(open: Token, key: Term, potentialComprehension: boolean): Term | null {
    this.advance();
    const s = this.save();
    const value = this.parseTerm();
    if (!value) return null;
    if (potentialComprehension) {
      const k = this.kind();
      if (k === Tok.RBrace || k === Tok.Comma) return this.parseObjectFinish(open, key, value, true);
      if (k === Tok.Or) {
        const r = this.parseObjectFinish(open, key, value, true);
        if (r) return r;
      }
    }
    this.restore(s);
    const v = this.parseTermIn(false);
    if (!v) return null;
    const k = this.kind();
    if (k === Tok.RBrace || k === Tok.Comma) return this.parseObjectFinish(open, key, v, false);
    this.illegal("non-terminated object");
    return null;
  }

  private parseObjectFinish(open: Token, key: Term, value: Term, potentialComprehension: boolean): Term | null {
    switch (this.kind()) {
      case Tok.RBrace:
        this.advance();
        return { type: "object", value: [[key, value]], loc: this.locFrom(open) };
      case Tok.Or: {
        if (!potentialComprehension) {
          this.illegal("non-terminated object");
          return null;
        }
        this.advance();
        const body = this.parseBody(Tok.RBrace);
        if (!body) return null;
        this.advance();
        return { type: "objectcomprehension", value: { key, value, body }, loc: this.locFrom(open) };
      }
      case Tok.Comma: {
        this.advance();
        const pairs = this.parseTermPairList(Tok.RBrace, [[key, value]]);
        if (!pairs) return null;
        this.advance();
        return { type: "object", value: pairs, loc: this.locFrom(open) };
      }
    }
    return null;
  }
}
