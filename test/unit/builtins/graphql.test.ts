/**
 * graphql.* built-ins: ASTs in OPA's JSON shape, gqlparser's parse and
 * validation errors as OPA words them, policy-built AST objects, and the
 * size limits.
 */
import { describe, expect, it } from "vitest";
import { builtin, call as harnessCall, failureText as failure, testContext } from "./harness.js";
import { blockStringValue } from "../../../workers/rego/builtins/graphql/lexer.js";
import { opaMessage } from "../../../workers/rego/builtins/graphql/errors.js";
import { parseJSON, toJSONText, type Value } from "../../../workers/rego/value/index.js";

function call(name: string, ...args: Value[]): Value {
  const out = harnessCall(name, ...args);
  if (out === undefined) throw new Error(`${name} was undefined`);
  return out;
}

/** The result as compact JSON with sorted keys. */
const json = (name: string, ...args: Value[]) => toJSONText(call(name, ...args));

const STARWARS = `
  schema { query: Query, mutation: Mutation }
  type Query {
    hero(episode: Episode): Character
    droid(id: ID!): Droid
    search(text: String!): [SearchResult]
  }
  type Mutation { createReview(episode: Episode, review: ReviewInput!): Review }
  enum Episode { NEWHOPE EMPIRE JEDI }
  interface Character { id: ID!, name: String!, friends: [Character], appearsIn: [Episode]! }
  type Human implements Character {
    id: ID!, name: String!, friends: [Character], appearsIn: [Episode]!
    height(unit: LengthUnit = METER): Float
  }
  type Droid implements Character {
    id: ID!, name: String!, friends: [Character], appearsIn: [Episode]!
    primaryFunction: String
  }
  enum LengthUnit { METER FOOT }
  union SearchResult = Human | Droid
  input ReviewInput { stars: Int!, commentary: String }
  type Review { stars: Int!, commentary: String }
`;

/** graphql.parse's verdict on a query: "ok" or the error message. */
function verdict(query: string, schema = STARWARS): string {
  try {
    call("graphql.parse", query, schema);
    return "ok";
  } catch (e) {
    if (e instanceof Error && e.name === "BuiltinError") return e.message;
    throw e;
  }
}

describe("graphql.parse_query", () => {
  it("returns gqlparser's AST with positions and empty values pruned", () => {
    expect(json("graphql.parse_query", "{hero {name}}")).toBe(
      '{"Operations":[{"Name":"","Operation":"query","SelectionSet":[{"Alias":"hero","Name":"hero","SelectionSet":[{"Alias":"name","Name":"name"}]}]}]}',
    );
    expect(json("graphql.parse_query", "")).toBe("{}");
  });

  it("marks every value with its kind", () => {
    const ast = call(
      "graphql.parse_query",
      `query ($v: [Int!]! = [1]) { f(a: $v, b: 1.5e3, c: "s", d: """ b """, e: true, f: null, g: ENUM, h: {k: [2]}) }`,
    );
    const text = toJSONText(ast);
    expect(text).toContain('{"Name":"a","Value":{"ExpectedTypeHasDefault":false,"Kind":0,"Raw":"v"}}');
    expect(text).toContain('{"Name":"b","Value":{"ExpectedTypeHasDefault":false,"Kind":2,"Raw":"1.5e3"}}');
    expect(text).toContain('{"Name":"d","Value":{"ExpectedTypeHasDefault":false,"Kind":4,"Raw":" b "}}');
    expect(text).toContain(
      '{"Name":"h","Value":{"Children":[{"Name":"k","Value":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"2"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""}}],"ExpectedTypeHasDefault":false,"Kind":9,"Raw":""}}',
    );
    expect(text).toContain(
      '"VariableDefinitions":[{"DefaultValue":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""},"Type":{"Elem":{"NamedType":"Int","NonNull":true},"NamedType":"","NonNull":true},"Used":false,"Variable":"v"}]',
    );
  });

  it("keeps fragments, spreads and directives as gqlparser shapes them", () => {
    expect(json("graphql.parse_query", "query Q @live { ...F ... @skip(if: true) { a } } fragment F on T { b }")).toBe(
      '{"Fragments":[{"Name":"F","SelectionSet":[{"Alias":"b","Name":"b"}],"TypeCondition":"T"}],' +
        '"Operations":[{"Directives":[{"Location":"","Name":"live"}],"Name":"Q","Operation":"query","SelectionSet":[{"Name":"F"},' +
        '{"Directives":[{"Arguments":[{"Name":"if","Value":{"ExpectedTypeHasDefault":false,"Kind":5,"Raw":"true"}}],"Location":"","Name":"skip"}],' +
        '"SelectionSet":[{"Alias":"a","Name":"a"}],"TypeCondition":""}]}]}',
    );
  });

  it("decodes string escapes", () => {
    const text = toJSONText(call("graphql.parse_query", String.raw`{ f(a: "\u00e9\n\"x\" 😀") }`));
    expect(text).toContain('"Raw":"é\\n\\"x\\" 😀"');
  });

  it("reports gqlparser's first syntax error with its location", () => {
    expect(failure("graphql.parse_query", "{")).toBe("eval_builtin_error: Expected Name, found <EOF> in GraphQL string at location 1:2");
    expect(failure("graphql.parse_query", "query { a(x: $v) } query ($x: Int = $y) { a }")).toBe(
      "eval_builtin_error: Unexpected $ in GraphQL string at location 1:37",
    );
    // lexing errors surface as an unexpected Invalid token, as in gqlparser
    expect(failure("graphql.parse_query", '{ f(a: "open) }')).toBe(
      "eval_builtin_error: Unexpected <Invalid> in GraphQL string at location 1:16",
    );
    expect(failure("graphql.parse_query", "{ f(a: 01) }")).toBe(
      "eval_builtin_error: Unexpected <Invalid> in GraphQL string at location 1:9",
    );
    // columns count code points
    expect(failure("graphql.parse_query", '{ f(a: "😀😀") ) }')).toBe(
      "eval_builtin_error: Expected Name, found ) in GraphQL string at location 1:14",
    );
    expect(failure("graphql.parse_query", 7)).toBe("eval_type_error: operand 1 must be string but got number");
  });
});

describe("graphql.parse_schema", () => {
  it("returns gqlparser's schema document", () => {
    expect(json("graphql.parse_schema", `"D" type Q implements & A & B @x { f(a: [Int!] = [1]): String @deprecated }`)).toBe(
      '{"Definitions":[{"BuiltIn":false,"Description":"D","Directives":[{"Location":"","Name":"x"}],' +
        '"Fields":[{"Arguments":[{"DefaultValue":{"Children":[{"Name":"","Value":{"ExpectedTypeHasDefault":false,"Kind":1,"Raw":"1"}}],"ExpectedTypeHasDefault":false,"Kind":8,"Raw":""},' +
        '"Description":"","Name":"a","Type":{"Elem":{"NamedType":"Int","NonNull":true},"NamedType":"","NonNull":false}}],' +
        '"Description":"","Directives":[{"Location":"","Name":"deprecated"}],"Name":"f","Type":{"NamedType":"String","NonNull":false}}],' +
        '"Interfaces":["A","B"],"Kind":"OBJECT","Name":"Q"}]}',
    );
    expect(json("graphql.parse_schema", "extend schema @d directive @d(a: Int) repeatable on SCHEMA | FIELD")).toBe(
      '{"Directives":[{"Arguments":[{"Description":"","Name":"a","Type":{"NamedType":"Int","NonNull":false}}],"Description":"","IsRepeatable":true,"Locations":["SCHEMA","FIELD"],"Name":"d"}],' +
        '"SchemaExtension":[{"Description":"","Directives":[{"Location":"","Name":"d"}]}]}',
    );
  });

  it("dedents block descriptions as gqlparser does", () => {
    expect(blockStringValue("\n    a\n      b\n    ")).toBe("a\n  b");
    // gqlparser counts the first line's indentation too
    expect(blockStringValue("  x\n    y")).toBe("  x\n  y");
  });

  it("reports syntax errors", () => {
    expect(failure("graphql.parse_schema", "type Hello {}")).toBe(
      "eval_builtin_error: expected at least one definition, found } in GraphQL string at location 1:13",
    );
    expect(failure("graphql.parse_schema", "extend interface I implements J")).toBe(
      'eval_builtin_error: Unexpected Name "implements" in GraphQL string at location 1:20',
    );
    // a lexing error consumed as a token keeps its own message (and Go's trailing period)
    expect(failure("graphql.parse_schema", 'schema { "x }')).toBe(
      "eval_builtin_error: Unterminated string. in GraphQL string at location 1:14",
    );
  });
});

describe("graphql.parse and validation", () => {
  it("returns the query and schema ASTs for a valid query", () => {
    const out = call("graphql.parse", "{ hero { name } }", "type Query { hero: Hero } type Hero { name: String }");
    expect(toJSONText(out)).toBe(
      "[" +
        json("graphql.parse_query", "{ hero { name } }") +
        "," +
        json("graphql.parse_schema", "type Query { hero: Hero } type Hero { name: String }") +
        "]",
    );
  });

  it("accepts valid queries", () => {
    expect(verdict(`query H($e: Episode = JEDI) { hero(episode: $e) { name ... on Human { height(unit: FOOT) } __typename } }`)).toBe("ok");
    expect(verdict(`{ search(text: "x") { ... on Droid { primaryFunction } ...H } } fragment H on Human { name }`)).toBe("ok");
    expect(verdict(`mutation { createReview(review: {stars: 5}) { stars } }`)).toBe("ok");
    expect(verdict(`{ __schema { types { name } } __type(name: "Droid") { name } }`)).toBe("ok");
  });

  it("reports gqlparser's validation messages", () => {
    expect(verdict("{ hero { nam } }")).toBe(
      'Cannot query field "nam" on type "Character". Did you mean "name"?\n in GraphQL string at location 1:10',
    );
    expect(verdict("{ droid { name } }")).toBe(
      'Field "droid" argument "id" of type "ID!" is required, but it was not provided in GraphQL string at location 1:3',
    );
    expect(verdict("{ hero(episode: FOO) { name } }")).toBe(
      'Value "FOO" does not exist in "Episode" enum in GraphQL string at location 1:17',
    );
    expect(verdict("{ hero(ep: JEDI) { name } }")).toBe('Unknown argument "ep" on field "Query.hero" in GraphQL string at location 1:3');
    expect(verdict("{ hero { name { x } } }")).toBe(
      'Cannot query field "x" on type "String".\ninput:1:10: Field "name" must not have a selection since type "String" has no subfields in GraphQL string at location 1:17',
    );
    expect(verdict("query Q($id: ID) { droid(id: $id) { name } }")).toBe(
      'Variable "$id" of type "ID" used in position expecting type "ID!" in GraphQL string at location 1:30',
    );
    expect(verdict("query Q($x: Int) { hero { name } }")).toBe(
      'Variable "$x" is never used in operation "Q" in GraphQL string at location 1:9',
    );
    expect(verdict("query Q { hero(episode: $e) { name } }")).toBe(
      'Variable "$e" is not defined by operation "Q" in GraphQL string at location 1:25',
    );
    expect(verdict("{ hero { ...F } }")).toBe('Unknown fragment "F" in GraphQL string at location 1:13');
    expect(verdict("{ hero { name } } fragment F on Human { name }")).toBe('Fragment "F" is never used in GraphQL string at location 1:19');
    expect(verdict("{ hero { ...F } } fragment F on Character { ...G } fragment G on Character { ...F }")).toBe(
      'Cannot spread fragment "F" within itself via "G" in GraphQL string at location 1:81',
    );
    expect(verdict("{ hero { name: id, name } }")).toBe(
      'Fields "name" conflict because id and name are different fields. Use different aliases on the fields to fetch both if this was intentional in GraphQL string at location 1:20',
    );
    expect(verdict("{ hero { ... on Review { stars } } }")).toBe(
      'Fragment cannot be spread here as objects of type "Character" can never be of type "Review" in GraphQL string at location 1:14',
    );
    expect(verdict("mutation { createReview(review: {commentary: 1}) { stars } }")).toBe(
      // the walker reports a value's children before the value itself
      "String cannot represent a non string value: 1\n" +
        'input:1:33: Field "ReviewInput.stars" of required type "Int!" was not provided in GraphQL string at location 1:46',
    );
    expect(verdict("subscription { hero { name } }")).toBe(
      'Schema does not support operation type "subscription"\n in GraphQL string at location 1:1',
    );
    expect(verdict("{ hero @skip(if: true) @skip(if: false) { name } }")).toBe(
      'The directive "@skip" can only be used once at this location in GraphQL string at location 1:25',
    );
    expect(verdict("{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }")).toBe(
      "Maximum introspection depth exceeded\n in GraphQL string at location 1:3",
    );
  });

  it("lets a default stand in for a non-null variable", () => {
    const schema = "type Query { a(x: Int!): Int, b(x: Int! = 1): Int }";
    expect(verdict("query ($v: Int = 2) { a(x: $v) }", schema)).toBe("ok");
    expect(verdict("query ($v: Int) { b(x: $v) }", schema)).toBe("ok");
    expect(verdict("query ($v: Int) { a(x: $v) }", schema)).toBe(
      'Variable "$v" of type "Int" used in position expecting type "Int!" in GraphQL string at location 1:24',
    );
  });

  it("reports schema errors without OPA's rewording", () => {
    expect(failure("graphql.parse", "{ a }", "type Query { a: Nope }")).toBe(
      "eval_builtin_error: Error in gqlparser SchemaDocument to Schema conversion: input:1:17: Undefined type Nope.",
    );
  });

  it("numbers its operands from 0, as OPA does", () => {
    expect(failure("graphql.parse", 1, STARWARS)).toBe("eval_type_error: operand 0 must be one of {string, object} but got number");
    expect(failure("graphql.parse", "{ a }", null)).toBe("eval_type_error: operand 1 must be one of {string, object} but got null");
  });
});

describe("graphql predicates", () => {
  it("graphql.is_valid and graphql.parse_and_verify answer false for bad input", () => {
    expect(call("graphql.is_valid", "{ hero { name } }", STARWARS)).toBe(true);
    expect(call("graphql.is_valid", "{ hero { nam } }", STARWARS)).toBe(false);
    expect(call("graphql.is_valid", "{", STARWARS)).toBe(false);
    expect(call("graphql.is_valid", "{ hero { name } }", "type {")).toBe(false);
    expect(call("graphql.is_valid", 1, STARWARS)).toBe(false);
    expect(json("graphql.parse_and_verify", "{ x }", STARWARS)).toBe("[false,{},{}]");
    const [valid] = call("graphql.parse_and_verify", "{ hero { id } }", STARWARS) as Value[];
    expect(valid).toBe(true);
  });

  it("graphql.schema_is_valid applies gqlparser's schema rules", () => {
    const valid = (s: Value) => call("graphql.schema_is_valid", s);
    expect(valid(STARWARS)).toBe(true);
    expect(valid("extend type Query { a: Int }")).toBe(true);
    expect(valid("type Query { a: Int } extend input Query { b: Int }")).toBe(false);
    expect(valid("type A implements I { a: Int } interface I { b: Int }")).toBe(false);
    expect(valid("input I { a: Query } type Query { a: Int }")).toBe(false);
    expect(valid("type Query { __a: Int }")).toBe(false);
    expect(valid("enum E { true }")).toBe(false);
    expect(valid('scalar S @specifiedBy(url: "x")')).toBe(true);
    expect(valid("type Query { a: Int @skip(if: true) }")).toBe(false);
    expect(valid("schema { query: Q } schema { query: Q } type Q { a: Int }")).toBe(false);
    expect(valid(7)).toBe(false);
  });
});

describe("AST objects as operands", () => {
  const schema = "type Query { hero: Hero } type Hero { name: String }";

  it("round-trips parse_query and parse_schema output", () => {
    const q = call("graphql.parse_query", "{ hero { name } }");
    const s = call("graphql.parse_schema", schema);
    expect(call("graphql.is_valid", q, s)).toBe(true);
    expect(toJSONText(call("graphql.parse", q, s))).toBe(toJSONText([q, s]));
  });

  it("decodes like Go's json.Unmarshal, including gqlparser's Field-first selections", () => {
    // struct keys match case-insensitively, except in gqlparser's hand-written decoders
    const q = parseJSON('{"operations":[{"Operation":"query","SelectionSet":[{"Name":"hero","SelectionSet":[{"Name":"name"}]}]}]}');
    expect(call("graphql.is_valid", q, schema)).toBe(true);
    // every selection decodes as a Field, so inline fragments and spreads do not survive
    const inline = call("graphql.parse_query", "{ hero { ... on Hero { name } } }");
    expect(call("graphql.is_valid", inline, schema)).toBe(false);
    expect(failure("graphql.parse", inline, schema)).toBe(
      'eval_builtin_error: GraphQL parse error: input: Cannot query field "" on type "Hero".\n',
    );
  });

  it("rejects objects Go cannot decode", () => {
    expect(failure("graphql.parse", parseJSON('{"Operations":[{"Name":5}]}'), schema)).toBe(
      "eval_builtin_error: json: cannot unmarshal number into Go struct field OperationDefinition.Operations.Name of type string",
    );
    expect(call("graphql.is_valid", parseJSON('{"Operations":[null]}'), schema)).toBe(false);
    expect(call("graphql.schema_is_valid", parseJSON('{"Definitions":[{"Kind":"OBJECT","Name":"Q","Fields":[{"Name":"a"}]}]}'))).toBe(
      false,
    );
  });
});

describe("limits", () => {
  it("refuses documents that are too large or too deep, even in predicates", () => {
    expect(failure("graphql.parse_query", "{" + "a ".repeat(600_000) + "}")).toMatch(
      /^eval_builtin_error: GraphQL document of 1200002 characters exceeds/,
    );
    const deep = "{" + "a{".repeat(300) + "b" + "}".repeat(301);
    expect(failure("graphql.parse_query", deep)).toBe("eval_builtin_error: GraphQL document nests deeper than the limit of 200 levels");
    expect(failure("graphql.is_valid", deep, "type Query { a: Int }")).toBe(
      "eval_builtin_error: GraphQL document nests deeper than the limit of 200 levels",
    );
    expect(failure("graphql.parse_query", "{" + "a ".repeat(250_000) + "}")).toBe(
      "eval_builtin_error: GraphQL document exceeds the limit of 200000 tokens",
    );
  });

  it("charges parsing to the evaluation", () => {
    const charged: number[] = [];
    builtin("graphql.parse_query")(["{" + "a ".repeat(5000) + "}"], testContext({ charge: (n) => void charged.push(n) }));
    expect(charged.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe("OPA's error rewording", () => {
  it("splits Go's error text on colons", () => {
    expect(opaMessage("input:3:10: Expected :, found (")).toBe("Expected :, found ( in GraphQL string at location 3:10");
    expect(opaMessage("input:1:2: a.\ninput:3:4: b.\n")).toBe("a.\ninput:3:4: b in GraphQL string at location 1:2");
    expect(opaMessage("input: no location.\n")).toBe("GraphQL parse error: input: no location.\n");
  });
});
