/**
 * The recursive-descent parser core shared by queries and schemas, after
 * gqlparser's parser/parser.go and the value, type, argument and directive
 * productions of parser/query.go.
 *
 * gqlparser records the first error and keeps going with dummy tokens; the
 * first error is the only one it reports, so here the first error throws.
 */
import type { Argument, ChildValue, Directive, Position, Type, Value, VariableDefinition } from "./ast.js";
import {
  BlockValue,
  BooleanValue,
  EnumValue,
  FloatValue,
  IntValue,
  ListValue,
  NullValue,
  ObjectValue,
  StringValue,
  VariableKind,
  newValue,
} from "./ast.js";
import { GqlError } from "./errors.js";
import { Lexer, tokenString, type Token, type TokenKind } from "./lexer.js";
import { MAX_DEPTH, MAX_DOCUMENT_LENGTH, tooDeep, tooLong } from "./limits.js";

export class Parser {
  private readonly lexer: Lexer;
  private peeked: Token | null = null;
  /** The last token consumed. */
  prev: Token;
  private depth = 0;

  constructor(input: string) {
    if (input.length > MAX_DOCUMENT_LENGTH) throw tooLong(input.length);
    this.lexer = new Lexer(input);
    this.prev = { kind: "<EOF>", value: "", pos: { Line: 1, Column: 1 } };
  }

  peek(): Token {
    if (this.peeked === null) this.peeked = this.lexer.read();
    return this.peeked;
  }

  peekPos(): Position {
    return this.peek().pos;
  }

  /** Consumes a token; consuming an Invalid token reports its lexing error. */
  next(): Token {
    const tok = this.peek();
    this.peeked = null;
    if (tok.error !== undefined) throw tok.error;
    this.prev = tok;
    return tok;
  }

  error(tok: Token, message: string): never {
    throw new GqlError(message, tok.pos);
  }

  unexpectedToken(tok: Token): never {
    this.error(tok, `Unexpected ${tokenString(tok)}`);
  }

  unexpectedError(): never {
    this.unexpectedToken(this.peek());
  }

  expect(kind: TokenKind): Token {
    const tok = this.peek();
    if (tok.kind === kind) return this.next();
    this.error(tok, `Expected ${kind}, found ${tok.kind}`);
  }

  expectKeyword(value: string): Token {
    const tok = this.peek();
    if (tok.kind === "Name" && tok.value === value) return this.next();
    this.error(tok, `Expected "${value}", found ${tokenString(tok)}`);
  }

  skip(kind: TokenKind): boolean {
    if (this.peek().kind !== kind) return false;
    this.next();
    return true;
  }

  /** `start item* end`, or nothing when `start` is absent. */
  many(start: TokenKind, end: TokenKind, item: () => void): void {
    if (!this.skip(start)) return;
    while (this.peek().kind !== end) item();
    this.next();
  }

  /** `start item+ end`, or nothing when `start` is absent. */
  some(start: TokenKind, end: TokenKind, item: () => void): void {
    if (!this.skip(start)) return;
    let called = false;
    while (this.peek().kind !== end) {
      called = true;
      item();
    }
    if (!called) this.error(this.peek(), `expected at least one definition, found ${this.peek().kind}`);
    this.next();
  }

  /** Guards a recursive production against pathological nesting. */
  nested<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw tooDeep();
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  parseName(): string {
    return this.expect("Name").value;
  }

  parseVariable(): string {
    this.expect("$");
    return this.parseName();
  }

  /** `query`, `mutation` or `subscription`. */
  parseOperationType(): string {
    const tok = this.next();
    if (tok.value === "query" || tok.value === "mutation" || tok.value === "subscription") return tok.value;
    this.unexpectedToken(tok);
  }

  parseValueLiteral(isConst: boolean): Value {
    return this.nested(() => this.valueLiteral(isConst));
  }

  private valueLiteral(isConst: boolean): Value {
    const token = this.peek();
    let kind: number;
    switch (token.kind) {
      case "[":
        return this.parseList(isConst);
      case "{":
        return this.parseObject(isConst);
      case "$":
        if (isConst) this.unexpectedError();
        return newValue(VariableKind, this.parseVariable(), token.pos);
      case "Int":
        kind = IntValue;
        break;
      case "Float":
        kind = FloatValue;
        break;
      case "String":
        kind = StringValue;
        break;
      case "BlockString":
        kind = BlockValue;
        break;
      case "Name":
        kind = token.value === "true" || token.value === "false" ? BooleanValue : token.value === "null" ? NullValue : EnumValue;
        break;
      default:
        this.unexpectedError();
    }
    this.next();
    return newValue(kind, token.value, token.pos);
  }

  private parseList(isConst: boolean): Value {
    const children: ChildValue[] = [];
    const pos = this.peekPos();
    this.many("[", "]", () => {
      children.push({ Name: "", Value: this.parseValueLiteral(isConst), Position: null, Comment: null });
    });
    const v = newValue(ListValue, "", pos);
    v.Children = children;
    return v;
  }

  private parseObject(isConst: boolean): Value {
    const children: ChildValue[] = [];
    const pos = this.peekPos();
    this.many("{", "}", () => {
      const fieldPos = this.peekPos();
      const name = this.parseName();
      this.expect(":");
      children.push({ Name: name, Value: this.parseValueLiteral(isConst), Position: fieldPos, Comment: null });
    });
    const v = newValue(ObjectValue, "", pos);
    v.Children = children;
    return v;
  }

  parseArguments(isConst: boolean): Argument[] | null {
    const args: Argument[] = [];
    this.many("(", ")", () => {
      const pos = this.peekPos();
      const name = this.parseName();
      this.expect(":");
      args.push({ Name: name, Value: this.parseValueLiteral(isConst), Position: pos, Comment: null });
    });
    return args.length > 0 ? args : null;
  }

  parseDirectives(isConst: boolean): Directive[] | null {
    const dirs: Directive[] = [];
    while (this.peek().kind === "@") {
      this.expect("@");
      const pos = this.peekPos();
      const name = this.parseName();
      dirs.push({
        Name: name,
        Arguments: this.parseArguments(isConst),
        Position: pos,
        ParentDefinition: null,
        Definition: null,
        Location: "",
      });
    }
    return dirs.length > 0 ? dirs : null;
  }

  /** `Name`, `[Type]`, either followed by an optional `!`. */
  parseTypeReference(): Type {
    return this.nested(() => {
      const typ: Type = { NamedType: "", Elem: null, NonNull: false, Position: null };
      if (this.skip("[")) {
        typ.Position = this.peekPos();
        typ.Elem = this.parseTypeReference();
        this.expect("]");
      } else {
        typ.Position = this.peekPos();
        typ.NamedType = this.parseName();
      }
      if (this.skip("!")) typ.NonNull = true;
      return typ;
    });
  }

  parseVariableDefinitions(): VariableDefinition[] | null {
    const defs: VariableDefinition[] = [];
    this.many("(", ")", () => {
      const pos = this.peekPos();
      const variable = this.parseVariable();
      this.expect(":");
      const type = this.parseTypeReference();
      const defaultValue = this.skip("=") ? this.parseValueLiteral(true) : null;
      defs.push({
        Variable: variable,
        Type: type,
        DefaultValue: defaultValue,
        Directives: this.parseDirectives(false),
        Position: pos,
        Comment: null,
        Definition: null,
        Used: false,
      });
    });
    return defs.length > 0 ? defs : null;
  }
}
