/**
 * Executable documents (queries, mutations, subscriptions, fragments), after
 * gqlparser's parser/query.go.
 */
import type { FragmentDefinition, FragmentSpread, InlineFragment, OperationDefinition, QueryDocument, Selection, Field } from "./ast.js";
import { Parser } from "./parser.js";

export function parseQuery(input: string): QueryDocument {
  const p = new Parser(input);
  const doc: QueryDocument = { Operations: null, Fragments: null, Position: null, Comment: null };
  while (p.peek().kind !== "<EOF>") {
    const tok = p.peek();
    doc.Position = tok.pos;
    if (tok.kind === "Name") {
      switch (tok.value) {
        case "query":
        case "mutation":
        case "subscription":
          (doc.Operations ??= []).push(parseOperationDefinition(p));
          continue;
        case "fragment":
          (doc.Fragments ??= []).push(parseFragmentDefinition(p));
          continue;
      }
    } else if (tok.kind === "{") {
      (doc.Operations ??= []).push(parseOperationDefinition(p));
      continue;
    }
    p.unexpectedError();
  }
  return doc;
}

function parseOperationDefinition(p: Parser): OperationDefinition {
  const pos = p.peekPos();
  const od: OperationDefinition = {
    Operation: "query",
    Name: "",
    VariableDefinitions: null,
    Directives: null,
    SelectionSet: null,
    Position: pos,
    Comment: null,
  };
  if (p.peek().kind === "{") {
    od.SelectionSet = parseRequiredSelectionSet(p);
    return od;
  }
  od.Operation = p.parseOperationType();
  if (p.peek().kind === "Name") od.Name = p.next().value;
  od.VariableDefinitions = p.parseVariableDefinitions();
  od.Directives = p.parseDirectives(false);
  od.SelectionSet = parseRequiredSelectionSet(p);
  return od;
}

/** `{ Selection+ }` where the braces are optional (a field's sub-selection). */
function parseOptionalSelectionSet(p: Parser): Selection[] | null {
  const selections: Selection[] = [];
  p.nested(() => p.some("{", "}", () => selections.push(parseSelection(p))));
  return selections.length > 0 ? selections : null;
}

function parseRequiredSelectionSet(p: Parser): Selection[] | null {
  const tok = p.peek();
  if (tok.kind !== "{") p.error(tok, `Expected {, found ${tok.kind}`);
  return parseOptionalSelectionSet(p);
}

function parseSelection(p: Parser): Selection {
  return p.peek().kind === "..." ? parseFragment(p) : parseField(p);
}

function parseField(p: Parser): Field {
  const pos = p.peekPos();
  const alias = p.parseName();
  const name = p.skip(":") ? p.parseName() : alias;
  const field: Field = {
    sel: "field",
    Alias: alias,
    Name: name,
    Arguments: p.parseArguments(false),
    Directives: p.parseDirectives(false),
    SelectionSet: null,
    Position: pos,
    Comment: null,
    Definition: null,
    ObjectDefinition: null,
  };
  if (p.peek().kind === "{") field.SelectionSet = parseOptionalSelectionSet(p);
  return field;
}

function parseFragment(p: Parser): FragmentSpread | InlineFragment {
  p.expect("...");
  const peek = p.peek();
  if (peek.kind === "Name" && peek.value !== "on") {
    const pos = p.peekPos();
    const name = parseFragmentName(p);
    return {
      sel: "spread",
      Name: name,
      Directives: p.parseDirectives(false),
      Position: pos,
      Comment: null,
      ObjectDefinition: null,
      Definition: null,
    };
  }
  const def: InlineFragment = {
    sel: "inline",
    TypeCondition: "",
    Directives: null,
    SelectionSet: null,
    Position: p.peekPos(),
    Comment: null,
    ObjectDefinition: null,
  };
  // gqlparser tests only the token's text here, whatever its kind.
  if (p.peek().value === "on") {
    p.next();
    def.TypeCondition = p.parseName();
  }
  def.Directives = p.parseDirectives(false);
  def.SelectionSet = parseRequiredSelectionSet(p);
  return def;
}

function parseFragmentDefinition(p: Parser): FragmentDefinition {
  const pos = p.peekPos();
  p.expectKeyword("fragment");
  const name = parseFragmentName(p);
  const vars = p.parseVariableDefinitions();
  p.expectKeyword("on");
  const typeCondition = p.parseName();
  return {
    Name: name,
    VariableDefinition: vars,
    TypeCondition: typeCondition,
    Directives: p.parseDirectives(false),
    SelectionSet: parseRequiredSelectionSet(p),
    Position: pos,
    Comment: null,
    Definition: null,
  };
}

function parseFragmentName(p: Parser): string {
  if (p.peek().value === "on") p.unexpectedError();
  return p.parseName();
}
