/**
 * Bodies and their expressions: `not`, `some`, `every`, `with` modifiers,
 * `:=`/`=` at the top of an expression, and the `;`/newline separators.
 */
import type { Body, Every, Expr, Loc, Logical, SomeDecl, Term, With } from "./ast.js";
import { TermParser } from "./terms.js";
import { TOKEN_NAMES, Tok, type Token } from "./tokens.js";

/** The name of a call's operator when it is a built-in like `internal.member_2`. */
function operatorName(t: Term): string {
  if (t.type !== "ref") return "";
  return t.value.map((p, i) => (i === 0 ? String(p.value) : `.${String(p.value)}`)).join("");
}

export abstract class BodyParser extends TermParser {
  /**
   * Errors reported before the statement being parsed began: OPA adds
   * "expected \n or ; or }" only when nothing else went wrong first.
   */
  protected stmtErrBase = 0;

  protected parseBody(end: Tok): Body | null {
    if (!this.enter()) return null;
    const body = this.parseQueryBody(end);
    this.leave();
    return body;
  }

  /** Expressions separated by `;` or newlines, up to `end` (not consumed). */
  private parseQueryBody(end: Tok): Body | null {
    if (this.at(end)) {
      this.errorAt(this.tok, "found empty body");
      return null;
    }
    const body: Expr[] = [];
    for (;;) {
      const e = this.parseLiteral();
      if (!e) return null;
      e.index = body.length;
      body.push(e);
      if (this.at(Tok.Semicolon)) {
        this.advance();
        continue;
      }
      if (this.at(end)) return body;
      if (!this.tok.nl) {
        if (this.errors.length === this.stmtErrBase) this.illegal(`expected \\n or ; or ${TOKEN_NAMES[end]}`);
        return null;
      }
    }
  }

  protected parseLiteral(): Expr | null {
    if (!this.enter()) return null;
    const e = this.parseLiteralNested();
    this.leave();
    return e;
  }

  private parseLiteralNested(): Expr | null {
    if (this.logicalSyntax() && !this.isKw("some") && !this.isKw("every")) return this.parseLogicalLiteral();
    const start = this.tok;
    // `not.x`, `some[0]`, `every.y`: a keyword starting a ref is a name
    if (this.keywordStartsRef()) {
      this.forcedIdent = this.i;
      return this.parseLiteralExpr(start, false);
    }
    let negated = false;
    if (this.isKw("not")) {
      this.advance();
      negated = true;
    }
    if (this.isKw("some")) {
      if (negated) {
        this.illegal("illegal negation of 'some'");
        return null;
      }
      return this.parseSome(start);
    }
    if (this.isKw("every")) {
      if (negated) {
        this.illegal("illegal negation of 'every'");
        return null;
      }
      return this.parseEvery(start);
    }
    return this.parseLiteralExpr(start, negated);
  }

  // ---- `and`, `or`, `not { … }` (future.keywords.and / .or / .not) ---------

  /** Any of the imports that change how a body's expressions are read. */
  private logicalSyntax(): boolean {
    return this.notBodies || this.logicalOperators();
  }

  private logicalOperators(): boolean {
    return this.keywords.has("and") || this.keywords.has("or");
  }

  /**
   * An expression with `and`/`or` (`and` binding tighter, both left to right, `not` tighter
   * still); a `with` at the end applies to the whole of it.
   */
  private parseLogicalLiteral(): Expr | null {
    const start = this.tok;
    const e = this.logicalExpr();
    if (!e) return null;
    const withTok = this.tok;
    if (!this.withModifiers(e)) return null;
    if (this.isKw("and") || this.isKw("or")) {
      const op = this.tok.text;
      this.errorAt(
        withTok,
        `\`with\` modifier is not allowed on operand of \`${op}\` (hint: Wrap the operand in \`(...)\` or \`{...}\` to scope, or move \`with\` after the \`${op}\` expression to apply it to the whole expression)`,
      );
      return null;
    }
    e.loc = this.locFrom(start);
    return e;
  }

  /** An `or` chain that is an expression (an explicit body alone is not one). */
  private logicalExpr(): Expr | null {
    const start = this.tok;
    const e = this.parseLogicalChain("or");
    if (e && "body" in e) {
      this.errorAt(start, "an explicit body must be an operand of and or or");
      return null;
    }
    return e;
  }

  /** Operands joined by `op` (`or` over `and` chains, `and` over unary operands), flattened. */
  private parseLogicalChain(op: "and" | "or", afterOperator = false): Expr | { body: Body; loc: Loc } | null {
    const start = this.tok;
    const operands: (Expr | { body: Body; loc: Loc })[] = [];
    for (;;) {
      const operand =
        op === "or"
          ? this.parseLogicalChain("and", operands.length > 0 || afterOperator)
          : this.parseLogicalOperand(operands.length > 0 || afterOperator);
      if (!operand) return null;
      operands.push(operand);
      if (!this.isKw(op)) break;
      this.advance();
    }
    if (operands.length === 1) return operands[0] as Expr | { body: Body; loc: Loc };
    for (const o of operands) this.checkVoidOperand("body" in o ? o.body : [o], op);
    const loc = this.locFrom(start);
    const logical: Logical = {
      type: "logical",
      op,
      operands: operands.map((o) => ("body" in o ? o.body : [o])),
      explicit: operands.map((o) => "body" in o),
      loc,
    };
    return { index: 0, terms: logical, loc };
  }

  /**
   * `not x`, `not { … }`, `not ( … )`, an explicit body `{ … }`, a group `( … )`, or an
   * expression. After `and`/`or` a `{` always opens a body; before one only if `and`/`or` follows it.
   */
  private parseLogicalOperand(afterOperator: boolean): Expr | { body: Body; loc: Loc } | null {
    const start = this.tok;
    if (this.keywordStartsRef()) {
      this.forcedIdent = this.i;
      return this.plainExpr(start);
    }
    if (this.isKw("not")) {
      this.advance();
      if (this.isKw("some") || this.isKw("every")) {
        this.illegal(`illegal negation of '${this.tok.text}'`);
        return null;
      }
      let negated: Expr | null = null;
      if (this.notBodies && this.at(Tok.LBrace)) {
        const body = this.parseExplicitBody();
        if (!body) return null;
        const loc = this.locFrom(start);
        negated = { index: 0, terms: { type: "logical", op: "body", operands: [body], explicit: [true], loc }, loc };
      } else {
        const group = this.notBodies && this.at(Tok.LParen) ? this.tryGroup() : null;
        // A group that is itself a negation (`not (not a)`) is negated as an operand of its own.
        negated = group?.negated ? this.asOperand(group, start) : (group ?? this.plainExpr(start));
      }
      if (!negated) return null;
      return { ...negated, negated: true, loc: this.locFrom(start) };
    }
    if (this.logicalOperators() && this.at(Tok.LBrace)) {
      if (afterOperator) {
        const body = this.parseExplicitBody();
        return body && { body, loc: this.locFrom(start) };
      }
      const s = this.save();
      const body = this.parseExplicitBody();
      if (body && (this.isKw("and") || this.isKw("or"))) return { body, loc: this.locFrom(start) };
      this.restore(s);
      const value = this.plainExpr(start);
      if (value && (this.isKw("and") || this.isKw("or"))) {
        // `{"a": 1} == x or y`: braces in an operand position open a body, so a value there must be parenthesized.
        const op = this.tok.text;
        this.errorAt(
          start,
          `operand of \`${op}\` cannot begin with \`{\` unless the braces hold a body (hint: wrap the operand in parentheses to keep the value)`,
        );
        return null;
      }
      return value;
    }
    if (this.logicalOperators() && this.at(Tok.LParen)) {
      const group = this.tryGroup();
      if (group) return group;
    }
    return this.plainExpr(start);
  }

  /** `( … )` holding `and`/`or`, a negation or a `with`; null (nothing consumed) when it is a parenthesized term. */
  private tryGroup(): Expr | null {
    const s = this.save();
    const start = this.tok;
    this.advance();
    const inner = this.logicalExpr();
    if (inner && this.withModifiers(inner) && this.at(Tok.RParen)) {
      if (inner.terms && ((!Array.isArray(inner.terms) && inner.terms.type === "logical") || inner.negated || inner.with)) {
        this.advance();
        return { ...inner, loc: this.locFrom(start) };
      }
    }
    this.restore(s);
    return null;
  }

  /** An operand made only of `print` calls can never fail: OPA refuses it. */
  private checkVoidOperand(body: Body, op: "and" | "or"): void {
    if (body.length === 0 || !body.every((e) => !e.negated && Array.isArray(e.terms) && operatorName(e.terms[0] as Term) === "print"))
      return;
    this.errorAtLoc(
      (body[0] as Expr).loc,
      `operand of \`${op}\` cannot consist only of calls to \`print\` (hint: \`print\` produces no value and always succeeds, so the operand can never fail; move it out of the operand, or add an expression that can fail)`,
    );
  }

  /** `e` as the one operand of a logical expression of its own (which holds when `e` does). */
  private asOperand(e: Expr, start: Token): Expr {
    const loc = this.locFrom(start);
    return { index: 0, terms: { type: "logical", op: "body", operands: [[e]], explicit: [false], loc }, loc };
  }

  private parseExplicitBody(): Body | null {
    const brace = this.tok;
    this.advance();
    const parenthesized = this.at(Tok.LParen);
    const body = this.parseBody(Tok.RBrace);
    if (!body) return null;
    this.advance();
    // `{ a | b }` reads as a set comprehension too: OPA refuses a body starting with a bare infix union.
    const first = (body[0] as Expr).terms;
    const infixUnion = Array.isArray(first) && operatorName(first[0] as Term) === "or" && (first[0] as Term).loc.length === 1;
    if (infixUnion && !parenthesized)
      this.errorAt(
        brace,
        "ambiguous `{ ... | ... }` operand: read as a body holding a set-union expression, not as a comprehension (hint: write `({ … | … })` for the comprehension, or put the union in parentheses for a body)",
      );
    return body;
  }

  /** An expression without `with` (an operand). */
  private plainExpr(start: Token): Expr | null {
    const terms = this.parseExpr();
    if (!terms) return null;
    return { index: 0, terms, loc: this.locFrom(start) };
  }

  private parseLiteralExpr(start: Token, negated: boolean): Expr | null {
    const terms = this.parseExpr();
    if (!terms) return null;
    const expr: Expr = { index: 0, terms, loc: this.locFrom(start) };
    if (negated) expr.negated = true;
    if (!this.withModifiers(expr)) return null;
    expr.loc = this.locFrom(start);
    return expr;
  }

  /** `lhs := rhs`, `lhs = rhs`, a call (kept as `[operator, …args]`) or a term. */
  protected parseExpr(): Term | Term[] | null {
    const lhs = this.parseTermIn(true);
    if (!lhs) return null;
    const t = this.tok;
    if (t.kind === Tok.Assign || t.kind === Tok.Unify) {
      this.advance();
      const rhs = this.parseTermIn(true);
      if (!rhs) return null;
      return [this.operatorRef(t.kind === Tok.Assign ? "assign" : "eq", this.locOf(t)), lhs, rhs];
    }
    if (lhs.type === "call") return lhs.value;
    return lhs;
  }

  /** Parses `with … as …` modifiers after an expression, if any. */
  private withModifiers(expr: Expr): boolean {
    if (!this.isKw("with")) return true;
    const withs = this.parseWith();
    if (!withs) return false;
    expr.with = withs;
    return true;
  }

  private parseWith(): With[] | null {
    const withs: With[] = [];
    do {
      const start = this.tok;
      this.advance();
      if (!this.atName()) {
        this.illegal("expected ident");
        return null;
      }
      let target = this.parseTerm();
      if (!target) return null;
      if (target.type === "var") target = { type: "ref", value: [target], loc: target.loc };
      else if (target.type !== "ref") this.illegal("expected with target path");
      if (!this.isKw("as")) {
        this.illegal("expected as keyword");
        return null;
      }
      this.advance();
      const value = this.parseTermIn(true);
      if (!value) return null;
      withs.push({ target, value, loc: this.locFrom(start) });
    } while (this.isKw("with"));
    return withs;
  }

  /** `some x, y` or `some x in xs` / `some k, v in xs`. */
  private parseSome(start: Token): Expr | null {
    const s = this.save();
    this.advance();
    const term = this.parseTermIn(true);
    if (term && term.type === "call") {
      const name = operatorName(term.value[0] as Term);
      if (name !== "internal.member_2" && name !== "internal.member_3") {
        this.illegal("expected `x in xs` or `x, y in xs` expression");
        return null;
      }
      const decl: SomeDecl = { type: "somedecl", symbols: [term], loc: this.locFrom(start) };
      const expr: Expr = { index: 0, terms: decl, loc: this.locFrom(start) };
      if (!this.withModifiers(expr)) return null;
      expr.loc = this.locFrom(start);
      return expr;
    }
    // not a membership: a list of variables to declare
    this.restore(s);
    const symbols: Term[] = [];
    for (;;) {
      this.advance();
      if (!this.atName()) {
        this.illegal("expected var");
        return null;
      }
      const t = this.tok;
      symbols.push(this.varTerm(t.text, this.locOf(t)));
      this.advance();
      if (!this.at(Tok.Comma)) break;
    }
    const decl: SomeDecl = { type: "somedecl", symbols, loc: this.locFrom(start) };
    return { index: 0, terms: decl, loc: this.locFrom(start) };
  }

  /** `every x in xs { … }` / `every k, v in xs { … }`. */
  private parseEvery(start: Token): Expr | null {
    this.advance();
    const term = this.parseTermIn(true);
    if (!term) return null;
    if (term.type !== "call") {
      this.illegal("expected `x[, y] in xs { ... }` expression");
      return null;
    }
    const name = operatorName(term.value[0] as Term);
    let key: Term | null = null;
    let value: Term;
    let domain: Term;
    if (name === "internal.member_2") {
      value = term.value[1] as Term;
      domain = term.value[2] as Term;
    } else if (name === "internal.member_3") {
      key = term.value[1] as Term;
      value = term.value[2] as Term;
      domain = term.value[3] as Term;
      if (key.type !== "var") {
        this.illegal("expected key to be a variable");
        return null;
      }
    } else {
      this.illegal("expected `x[, y] in xs { ... }` expression");
      return null;
    }
    if (value.type !== "var") {
      this.illegal("expected value to be a variable");
      return null;
    }
    if (!this.at(Tok.LBrace)) {
      this.illegal("missing body");
      return null;
    }
    this.advance();
    const body = this.parseBody(Tok.RBrace);
    if (!body) return null;
    this.advance();
    const every: Every = { type: "every", key, value, domain, body, loc: this.locFrom(start) };
    const expr: Expr = { index: 0, terms: every, loc: this.locFrom(start) };
    if (!this.withModifiers(expr)) return null;
    expr.loc = this.locFrom(start);
    return expr;
  }
}
