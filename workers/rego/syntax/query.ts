/**
 * Parsing of queries (`x := data.p; x > 1`) and of single terms (OPA's
 * `input_term` strings, ref strings in annotations).
 */
import type { Body, Expr, Term } from "./ast.js";
import { BodyParser } from "./body.js";
import { Tok } from "./tokens.js";

export class QueryParser extends BodyParser {
  /**
   * A query: expressions separated by `;` or newlines. Like OPA, which reads
   * a query as a sequence of statements, an expression may also simply follow
   * the previous one.
   */
  parseQueryStatements(): Body | null {
    const body: Expr[] = [];
    while (!this.at(Tok.EOF)) {
      const e = this.parseLiteral();
      if (!e) return null;
      e.index = body.length;
      body.push(e);
      if (this.at(Tok.Semicolon)) this.advance();
    }
    return body;
  }

  /** Exactly one term, e.g. `{1, 2, {"a": set()}}`. */
  parseSingleTerm(): Term | null {
    if (this.at(Tok.EOF)) {
      this.errorAt(this.tok, "expected exactly one term but got an empty input");
      return null;
    }
    const e = this.parseLiteral();
    if (!e) return null;
    if (!this.at(Tok.EOF)) {
      this.illegal("expected exactly one term");
      return null;
    }
    if (Array.isArray(e.terms) || e.negated || e.with || e.terms.type === "somedecl" || e.terms.type === "every") {
      this.errorAtLoc(e.loc, "expected term but got an expression");
      return null;
    }
    return e.terms as Term;
  }
}
