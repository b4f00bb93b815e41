/**
 * Statements of a module: `package`, `import` and rules (heads, bodies,
 * `else` chains, `default`, `contains`, functions), with OPA's rule-kind
 * decisions and, for Rego v1, OPA's checks (`if`/`contains` required, …).
 *
 * On a broken statement the parser reports it and resumes at the next line
 * that starts with a name in column 1, so one module can report several
 * independent mistakes.
 */
import type { RegoErrorInfo } from "../errors.js";
import type { Body, Expr, Head, Import, Loc, Package, Rule, Term } from "./ast.js";
import { BodyParser } from "./body.js";
import { MAX_ERRORS } from "./parser-base.js";
import { MAX_PATH_PARTS } from "./nesting.js";
import { cloneHead, firstNonConstant, isGround, refString, refTailGround } from "./term-utils.js";
import { BASE_KEYWORDS, BINARY_OPS, FUTURE_KEYWORDS, LOGICAL_KEYWORDS, Tok, type Token } from "./tokens.js";

/** How a rule was written, for OPA's v1 checks. */
interface RuleSyntax {
  hasIf: boolean;
  usesContains: boolean;
  generatedBody: boolean;
  generatedValue: boolean;
}

/** A top-level statement in source order, for attaching annotations. */
export type Statement = { kind: "package"; node: Package } | { kind: "import"; node: Import } | { kind: "rule"; node: Rule };

const ROOTS = new Set(["data", "input", "future", "rego"]);
const V1_KEYWORDS = new Set([...BASE_KEYWORDS, ...FUTURE_KEYWORDS]);

export class ModuleParser extends BodyParser {
  readonly statements: Statement[] = [];
  readonly rules: Rule[] = [];
  readonly imports: Import[] = [];
  pkg: Package | undefined;
  /** v1 rules apply: Rego v1, or v0 with `import rego.v1` */
  private v1Checks = this.regoVersion === 1;
  private readonly checks: [Rule, RuleSyntax][] = [];
  /** cursor when the last error was reported: where recovery starts looking */
  private errIndex = 0;

  protected override errorAt(t: { row: number; col: number }, message: string): void {
    this.errIndex = this.i;
    super.errorAt(t, message);
  }

  /** Parses every statement, recovering after broken ones. */
  parseStatements(): void {
    while (!this.at(Tok.EOF) && this.errors.length < MAX_ERRORS) {
      const start = this.i;
      this.stmtErrBase = this.errors.length;
      const ok = this.parseStatement();
      if (ok && this.i > start) continue;
      if (this.errors.length === this.stmtErrBase) this.illegal();
      this.synchronize(start);
    }
    if (this.v1Checks) for (const [rule, syntax] of this.checks) this.checkV1(rule, syntax);
  }

  /** Skips to the next token that can start a rule: a name at the start of a line, in column 1. */
  private synchronize(start: number): void {
    let k = Math.max(start + 1, this.errIndex);
    const toks = this.tokens;
    for (; k < toks.length - 1; k++) {
      const t = toks[k] as Token;
      if (t.kind === Tok.Ident && t.col === 1 && (t.nl || k === 0)) break;
    }
    this.i = k;
    this.forcedIdent = -1;
  }

  private parseStatement(): boolean {
    if (this.isKw("package") && !this.keywordStartsRef()) return this.parsePackage();
    if (this.isKw("import") && !this.keywordStartsRef()) return this.parseImport();
    return this.parseRuleStatement();
  }

  // ---- package and imports ----------------------------------------------

  private parsePackage(): boolean {
    const start = this.tok;
    this.advance();
    if (!this.at(Tok.Ident)) {
      this.illegal();
      return false;
    }
    // keywords are fine in package paths (`package foo.import.bar`)
    this.forcedIdent = this.i;
    const term = this.parseTerm();
    if (!term) return false;
    let path: Term[];
    if (term.type === "var") {
      path = [this.varTerm("data", term.loc), this.stringTerm(term.value, term.loc)];
    } else if (term.type === "ref") {
      const head = term.value[0] as Term;
      if (head.type !== "var") {
        this.errorAtLoc(head.loc, `unexpected ${head.type} token: expecting var`);
        return false;
      }
      path = [this.varTerm("data", head.loc), this.stringTerm(head.value, head.loc)];
      for (const part of term.value.slice(1)) {
        if (part.type !== "string") {
          this.errorAtLoc(part.loc, `unexpected ${part.type} token: expecting string`);
          return false;
        }
        path.push(part);
      }
    } else {
      this.errorAtLoc(term.loc, "expected path");
      return false;
    }
    // path[0] is `data`, which the package does not name
    if (path.length - 1 > MAX_PATH_PARTS) {
      this.errorAtLoc((path[MAX_PATH_PARTS + 1] as Term).loc, `package path longer than ${MAX_PATH_PARTS} parts`);
      return false;
    }
    const pkg: Package = { path, loc: this.locFrom(start) };
    if (this.statements.length > 0) {
      this.errorAtLoc(pkg.loc, "unexpected package");
      return true;
    }
    this.pkg = pkg;
    this.statements.push({ kind: "package", node: pkg });
    return true;
  }

  private parseImport(): boolean {
    const start = this.tok;
    this.advance();
    if (!this.at(Tok.Ident)) {
      this.illegal();
      return false;
    }
    this.forcedIdent = this.i;
    const term = this.parseTerm();
    if (!term) return false;
    let path: Term[];
    if (term.type === "var") path = [term];
    else if (term.type === "ref" && (term.value[0] as Term).type === "var") {
      path = term.value;
      for (const part of path.slice(1)) {
        if (part.type !== "string") {
          this.errorAtLoc(part.loc, `unexpected ${part.type} token: expecting string`);
          return false;
        }
      }
    } else {
      this.errorAt(this.tok, "expected path");
      return false;
    }
    const pathTerm: Term & { type: "ref" } = { type: "ref", value: path, loc: term.loc };
    const root = String((path[0] as Term).value);
    if (!ROOTS.has(root)) {
      const roots = "{data, future, input, rego}";
      this.errorAtLoc(term.loc, `unexpected import path, must begin with one of: ${roots}, got: ${root}`);
      return false;
    }
    const imp: Import = { path: pathTerm, loc: this.locFrom(start) };
    if (this.isKw("as")) {
      this.advance();
      if (!this.atName()) {
        this.illegal("expected var");
        return false;
      }
      const alias = this.parseTerm();
      if (alias?.type !== "var") {
        if (alias) this.illegal("expected var");
        return false;
      }
      imp.alias = alias.value;
      imp.loc = this.locFrom(start);
    } else if (root !== "future") {
      const last = path[path.length - 1] as Term;
      const name = String(last.value);
      const keywords = this.regoVersion === 1 ? V1_KEYWORDS : BASE_KEYWORDS;
      if (keywords.has(name)) {
        this.errorAtLoc(last.loc, `unexpected import path, must not end with a keyword, got: ${name}`);
      }
    }
    if (root === "future") this.futureImport(imp);
    if (root === "rego") this.regoImport(imp);
    this.imports.push(imp);
    this.statements.push({ kind: "import", node: imp });
    return true;
  }

  /** `import future.keywords[.kw]` enables v1 keywords in a v0 module. */
  private futureImport(imp: Import): void {
    const path = imp.path.value;
    const second = path[1];
    if (second?.type !== "string" || second.value !== "keywords") {
      this.errorAtLoc(imp.path.loc, "invalid import, must be `future.keywords`");
      return;
    }
    if (imp.alias) {
      this.errorAtLoc(imp.path.loc, "`future` imports cannot be aliased");
      return;
    }
    if (path.length === 3) {
      const kw = String((path[2] as Term).value);
      if (!FUTURE_KEYWORDS.includes(kw) && !LOGICAL_KEYWORDS.includes(kw)) {
        this.errorAtLoc(imp.path.loc, `unexpected keyword, must be one of [${[...FUTURE_KEYWORDS, ...LOGICAL_KEYWORDS].sort().join(" ")}]`);
        return;
      }
      this.enableKeyword(kw);
      return;
    }
    for (const kw of FUTURE_KEYWORDS) this.enableKeyword(kw);
    if (this.regoVersion === 1) for (const kw of LOGICAL_KEYWORDS) this.enableKeyword(kw);
  }

  /** `import rego.v1`: a no-op in v1; in v0 it enables v1 keywords and checks. */
  private regoImport(imp: Import): void {
    const path = imp.path.value;
    const second = path[1];
    if (path.length !== 2 || !second || second.type !== "string" || second.value !== "v1") {
      this.errorAtLoc(imp.path.loc, `invalid import \`${refString(path)}\`, must be \`rego.v1\``);
      return;
    }
    if (this.regoVersion === 1) return;
    if (imp.alias) {
      this.errorAtLoc(imp.path.loc, "`rego` imports cannot be aliased");
      return;
    }
    for (const kw of FUTURE_KEYWORDS) this.enableKeyword(kw);
    this.v1Checks = true;
  }

  // ---- rules ----------------------------------------------------------------

  private parseRuleStatement(): boolean {
    const startIndex = this.i;
    const start = this.tok;
    // a keyword directly followed by `.` or `[` names a rule (`import.foo := 1`)
    if (this.keywordStartsRef()) this.forcedIdent = this.i;
    let isDefault = false;
    if (this.isKw("default")) {
      isDefault = true;
      this.advance();
      if (this.keywordStartsRef()) this.forcedIdent = this.i;
    }
    const nameTok = this.tok;
    const forced = this.i === this.forcedIdent;
    const kw = this.kwOf(nameTok, this.i);
    if (nameTok.kind !== Tok.Ident || (kw !== null && kw !== "contains")) {
      this.i = startIndex;
      this.forcedIdent = -1;
      return this.parseNonRuleStatement();
    }
    if (forced) this.forcedIdent = -1;

    const parsed = this.parseHead(nameTok, isDefault);
    if (!parsed) return false;
    const { head, usesContains } = parsed;
    let { generatedValue } = parsed;
    const ref = head.ref;

    if (isDefault) return this.finishDefaultRule(start, head);

    const hasIf = this.isKw("if");
    // OPA keeps a "key" on `p[x] …` heads for compatibility; it rules out `else`
    let compatKey = false;
    if (hasIf && !usesContains && ref.length === 2) {
      const last = ref[1] as Term;
      if ((!isGround(last) || last.type === "ref") && !head.args) compatKey = true;
      if (!head.value) {
        head.value = this.trueTerm(head.loc);
        generatedValue = true;
      }
    }
    if (!hasIf && !usesContains && !head.args && ref.length === 2) {
      compatKey = true;
      if (!head.value) {
        // v0's partial set `p[x] { … }`: a multi-value rule `p` with element x
        head.key = ref[1] as Term;
        head.ref = [ref[0] as Term];
      }
    }

    let body: Body;
    if (hasIf) {
      this.advance();
      const b = this.parseIfBody();
      if (!b) return false;
      body = b;
    } else if (this.at(Tok.LBrace)) {
      const b = this.parseBraceBody();
      if (!b) return false;
      body = b;
    } else if (usesContains) {
      const rule: Rule = { head, body: this.generatedBody(head.loc), loc: head.loc };
      this.addRule(rule, { hasIf: false, usesContains, generatedBody: true, generatedValue });
      return true;
    } else {
      return this.finishBodylessRule(start, head, generatedValue);
    }

    const rule: Rule = { head, body, loc: this.locFrom(start) };
    const syntax: RuleSyntax = { hasIf, usesContains, generatedBody: false, generatedValue };
    if (this.isKw("else")) {
      if (head.ref.length > 1 && !refTailGround(head.ref)) {
        this.errorAt(this.tok, "else keyword cannot be used on rules with variables in head");
        return false;
      }
      if (head.key || compatKey) {
        this.errorAt(this.tok, "else keyword cannot be used on multi-value rules");
        return false;
      }
      if (!this.parseElseChain(rule)) return false;
      rule.loc = this.locFrom(start);
    }
    this.addRule(rule, syntax);

    // v0 allows several bodies for one head: `p { a } { b }`
    while (this.at(Tok.LBrace)) {
      if (rule.else) {
        this.errorAt(this.tok, "expected else keyword");
        return false;
      }
      const open = this.tok;
      const b = this.parseBraceBody();
      if (!b) return false;
      const loc = this.locFrom(open);
      this.addRule({ head: cloneHead(head, loc), body: b, loc }, { ...syntax });
    }
    return true;
  }

  /**
   * The head: name or ref (`a.b[x]`), function arguments, and `contains k`,
   * `= v` or `:= v`. A head without any gets the value `true`, except `p[x]`
   * whose meaning depends on what follows.
   */
  private parseHead(nameTok: Token, isDefault: boolean): { head: Head; usesContains: boolean; generatedValue: boolean } | null {
    this.advance();
    let term: Term = this.varTerm(nameTok.text, this.locOf(nameTok));
    const next = this.tok;
    if (!next.ws && BINARY_OPS.has(next.kind)) {
      this.illegal();
      return null;
    }
    if (next.kind === Tok.LParen || next.kind === Tok.Dot || next.kind === Tok.LBrack) {
      const r = this.parseRef(term, true);
      if (!r) return null;
      term = r;
    } else {
      term = this.rootRef(term);
    }

    let ref: Term[];
    let args: Term[] | undefined;
    if (term.type === "var") ref = [term];
    else if (term.type === "ref" && (term.value[0] as Term).type === "var") ref = term.value;
    else if (term.type === "call") {
      const op = term.value[0] as Term;
      if (op.type !== "ref" || (op.value[0] as Term).type !== "var") {
        this.errorAtLoc(op.loc, `rule head ref ${op.type === "ref" ? refString(op.value) : op.type} invalid`);
        return null;
      }
      ref = op.value;
      args = term.value.slice(1);
    } else {
      this.errorAtLoc(term.loc, `rule head ref ${term.type === "ref" ? refString(term.value) : term.type} invalid`);
      return null;
    }

    if (ref.length > MAX_PATH_PARTS) {
      this.errorAtLoc((ref[MAX_PATH_PARTS] as Term).loc, `rule head ref longer than ${MAX_PATH_PARTS} parts`);
      return null;
    }
    const name = refString(ref);
    const head: Head = { ref, assign: false, loc: this.locOf(nameTok) };
    if (args) head.args = args;
    let usesContains = false;
    let generatedValue = false;
    if (this.isKw("contains")) {
      if (args) {
        const example = `${name} contains <VALUE> { ... }`;
        this.illegal(`the contains keyword can only be used with multi-value rule definitions (e.g., ${example})`);
        return null;
      }
      this.advance();
      const key = this.parseHeadTerm(`expected rule key term (e.g., ${name} contains <VALUE> { ... })`);
      if (!key) return null;
      head.key = key;
      usesContains = true;
    } else if (this.at(Tok.Unify) || this.at(Tok.Assign)) {
      const assign = this.at(Tok.Assign);
      this.advance();
      let example: string;
      if (!assign) example = `expected rule value term (e.g., ${name} = <VALUE> { ... })`;
      else if (args) example = `expected function value term (e.g., ${name}(...) := <VALUE> { ... })`;
      else if (isDefault) example = `expected default rule value term (e.g., default ${name} := <VALUE>)`;
      else example = `expected rule value term (e.g., ${name} := <VALUE> { ... })`;
      const value = this.parseHeadTerm(example);
      if (!value) return null;
      head.value = value;
      head.assign = assign;
    }
    head.loc = this.locFrom(nameTok);
    if (!head.value && !head.key && (ref.length !== 2 || args)) {
      head.value = this.trueTerm(head.loc);
      generatedValue = true;
    }
    return { head, usesContains, generatedValue };
  }

  /** A head value or key; a failure is explained with an example of the expected form. */
  private parseHeadTerm(example: string): Term | null {
    const before = this.errors.length;
    const atIndex = this.i;
    const at = this.tok;
    const t = this.parseTermIn(true);
    if (t) return t;
    // replace a bare "unexpected … token" at the same place by the explanation
    const last = this.errors[this.errors.length - 1];
    const bare = last !== undefined && /^unexpected [^:]+ (token|keyword)$/.test(last.message);
    if (this.errors.length > before && bare && last?.location?.row === at.row && last.location.col === at.col) {
      this.errors.pop();
      const here = this.i;
      this.i = atIndex;
      this.illegal(example);
      this.i = here;
    }
    return null;
  }

  /** After `if`: a single expression, or a `{ … }` body. */
  private parseIfBody(): Body | null {
    const s = this.save();
    const lit = this.parseLiteral();
    // `p if { true }` is a body, not a set literal (a set is never false)
    if (lit && !(isPlainTerm(lit) && (lit.terms as Term).type === "set")) return [lit];
    this.restore(s);
    if (!this.at(Tok.LBrace)) {
      // report why the expression did not parse
      const before = this.errors.length;
      this.parseLiteral();
      if (this.errors.length === before) this.illegal();
      return null;
    }
    return this.parseBraceBody();
  }

  /** `{ body }`, with the current token `{`. */
  private parseBraceBody(): Body | null {
    this.advance();
    const body = this.parseBody(Tok.RBrace);
    if (!body) return null;
    this.advance();
    return body;
  }

  private finishDefaultRule(start: Token, head: Head): boolean {
    const loc = this.locFrom(start);
    if (!head.value) {
      this.errorAtLoc(loc, "illegal default rule (must have a value)");
      return false;
    }
    const bad = firstNonConstant(head.value);
    if (bad) {
      this.errorAtLoc(loc, `illegal default rule (value cannot contain ${bad})`);
      return false;
    }
    const seen = new Set<string>();
    for (const arg of head.args ?? []) {
      if (arg.type !== "var") {
        this.errorAtLoc(loc, `illegal default rule (arguments cannot contain ${arg.type})`);
        return false;
      }
      if (arg.value !== "_" && seen.has(arg.value)) {
        this.errorAtLoc(loc, `illegal default rule (arguments cannot be repeated ${arg.value})`);
        return false;
      }
      seen.add(arg.value);
    }
    const rule: Rule = { default: true, head, body: this.generatedBody(loc), loc };
    this.addRule(rule, { hasIf: false, usesContains: false, generatedBody: false, generatedValue: false });
    return true;
  }

  /**
   * A head with neither `if` nor a body: `p := 1`, `f(x) := y`, `a.b.c := 1`,
   * and what v0 also allows (`p[x]` as a partial-set element, `f(x)`, `a.b.c`).
   * OPA reads these as expressions and turns them into rules; the outcomes
   * (and errors) here are the same.
   */
  private finishBodylessRule(start: Token, head: Head, generatedValue: boolean): boolean {
    const loc = this.locFrom(start);
    let valueGenerated = generatedValue;
    if (head.args && generatedValue) {
      // `f(x)` alone: a function returning true (not counted as a generated value)
      if (head.args.length === 0) {
        this.errorAtLoc(loc, "rule argument list must take at least one argument");
        return false;
      }
      valueGenerated = false;
    } else if (!head.key && generatedValue && head.ref.length === 1) {
      this.errorAtLoc(loc, "var cannot be used for rule name");
      return false;
    }
    const bodyLoc = head.value && !generatedValue ? head.value.loc : head.loc;
    const rule: Rule = { head, body: this.generatedBody(bodyLoc), loc };
    this.addRule(rule, { hasIf: false, usesContains: false, generatedBody: true, generatedValue: valueGenerated });
    return true;
  }

  /** `else [= v | := v] [if] { … }` branches, each a rule sharing the head's ref and arguments. */
  private parseElseChain(rule: Rule): boolean {
    let prev = rule;
    while (this.isKw("else")) {
      const elseTok = this.tok;
      const loc = this.locOf(elseTok);
      const head = cloneHead(rule.head, loc);
      delete head.value;
      this.advance();
      let generatedValue = false;
      if (this.at(Tok.LBrace) || this.isKw("if")) {
        head.value = this.trueTerm(loc);
        generatedValue = true;
      } else if (this.at(Tok.Assign) || this.at(Tok.Unify)) {
        head.assign = this.at(Tok.Assign);
        this.advance();
        const v = this.parseTermIn(true);
        if (!v) return false;
        head.value = v;
      } else {
        this.illegal("expected else value term or rule body");
        return false;
      }
      const hasIf = this.isKw("if");
      let body: Body;
      let generatedBody = false;
      if (!hasIf && !this.at(Tok.LBrace)) {
        body = this.generatedBody(loc);
        generatedBody = true;
      } else {
        if (hasIf) this.advance();
        if (this.at(Tok.LBrace)) {
          const b = this.parseBraceBody();
          if (!b) return false;
          body = b;
        } else if (!this.at(Tok.EOF)) {
          const lit = this.parseLiteral();
          if (!lit) return false;
          body = [lit];
        } else {
          this.illegal("rule body expected");
          return false;
        }
      }
      const next: Rule = { head, body, loc: this.locFrom(elseTok) };
      prev.else = next;
      prev = next;
      // An `else` with a body needs its own `if` in v1 (OPA copies the head
      // without its keywords), whatever the rule it continues wrote.
      this.checks.push([next, { hasIf, usesContains: false, generatedBody, generatedValue }]);
    }
    return true;
  }

  /**
   * Statements that are not rules (`"x" := 1`, `not p`, `[a] = b`): parsed as
   * an expression, as OPA does, to explain why it cannot be a rule.
   */
  private parseNonRuleStatement(): boolean {
    const e = this.parseLiteral();
    if (!e) return false;
    this.errorAtLoc(e.loc, nonRuleReason(e));
    return false;
  }

  private addRule(rule: Rule, syntax: RuleSyntax): void {
    this.rules.push(rule);
    this.statements.push({ kind: "rule", node: rule });
    this.checks.push([rule, syntax]);
  }

  /** OPA's Rego v1 checks on a rule (or `else` branch). */
  private checkV1(rule: Rule, s: RuleSyntax): void {
    const kind = rule.head.args ? "function" : "rule";
    const first = rule.head.ref[0] as Term;
    const errors: RegoErrorInfo[] = [];
    const add = (message: string): void => {
      errors.push({
        code: "rego_parse_error",
        message,
        location: { file: rule.loc.file, row: rule.loc.row, col: rule.loc.col },
      });
    };
    if (rule.head.ref.length < 2 && first.type === "var" && V1_KEYWORDS.has(first.value)) {
      add(`${first.value} keyword cannot be used for rule name`);
    }
    if (s.generatedBody && s.generatedValue) add(`${kind} must have value assignment and/or body declaration`);
    if (!s.generatedBody && !s.hasIf && !rule.default) add(`\`if\` keyword is required before ${kind} body`);
    if (rule.head.key && !rule.head.value && !s.usesContains) {
      add("`contains` keyword is required for partial set rules");
    }
    this.errors.push(...errors);
  }

  // ---- generated terms -----------------------------------------------------

  private trueTerm(loc: Loc): Term {
    return { type: "boolean", value: true, loc };
  }

  /** The body `true` of a rule written without one. */
  private generatedBody(loc: Loc): Body {
    const expr: Expr = { index: 0, generated: true, terms: this.trueTerm(loc), loc };
    return [expr];
  }
}

function isPlainTerm(e: Expr): boolean {
  return !Array.isArray(e.terms) && e.terms.type !== "somedecl" && e.terms.type !== "every";
}

/** Why an expression written where a rule belongs cannot be one (OPA's wording). */
function nonRuleReason(e: Expr): string {
  if (e.with) return "expressions using with keyword cannot be used for rule head";
  if (e.negated) return "negated expressions cannot be used for rule head";
  const terms = e.terms;
  if (Array.isArray(terms)) {
    const lhs = terms[1];
    if (lhs && lhs.type !== "var" && lhs.type !== "ref" && lhs.type !== "call") {
      return `${lhs.type} cannot be used for rule name`;
    }
    return "expression cannot be used for rule head";
  }
  if (terms.type === "somedecl") return "'some' declarations cannot be used for rule head";
  if (terms.type === "every") return "expression cannot be used for rule head";
  if (terms.type === "ref") return `invalid rule head: ${refString(terms.value)}`;
  return `${terms.type} cannot be used for rule name`;
}
