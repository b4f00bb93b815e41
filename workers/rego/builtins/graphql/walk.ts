/**
 * The validation walker, after gqlparser's validator/core/walk.go: it visits
 * every operation (following fragment spreads into their fragments, once per
 * operation) and then every fragment, resolving each node against the schema
 * (a field's definition, a value's expected type, …) and calling the rules'
 * observers after a node's children, in rule order.
 */
import type {
  Argument,
  ArgumentDefinition,
  Definition,
  Directive,
  DirectiveLocation,
  Field,
  FieldDefinition,
  FragmentDefinition,
  FragmentSpread,
  InlineFragment,
  OperationDefinition,
  QueryDocument,
  Schema,
  Selection,
  Value,
  VariableDefinition,
} from "./ast.js";
import { ListValue, NullValue, ObjectValue, VariableKind, forName, namedType, typeName } from "./ast.js";
import { MAX_DEPTH, type Meter, tooDeep } from "./limits.js";

export interface Events {
  operation: ((w: Walker, op: OperationDefinition) => void)[];
  field: ((w: Walker, field: Field) => void)[];
  fragment: ((w: Walker, fragment: FragmentDefinition) => void)[];
  inlineFragment: ((w: Walker, fragment: InlineFragment) => void)[];
  fragmentSpread: ((w: Walker, spread: FragmentSpread) => void)[];
  directive: ((w: Walker, directive: Directive) => void)[];
  directiveList: ((w: Walker, directives: Directive[]) => void)[];
  value: ((w: Walker, value: Value) => void)[];
  variable: ((w: Walker, variable: VariableDefinition) => void)[];
}

export function newEvents(): Events {
  return {
    operation: [],
    field: [],
    fragment: [],
    inlineFragment: [],
    fragmentSpread: [],
    directive: [],
    directiveList: [],
    value: [],
    variable: [],
  };
}

export class Walker {
  currentOperation: OperationDefinition | null = null;
  private validatedFragmentSpreads = new Set<string>();
  private depth = 0;

  constructor(
    readonly schema: Schema,
    readonly document: QueryDocument,
    private readonly events: Events,
    readonly meter: Meter,
  ) {}

  walk(): void {
    for (const op of this.document.Operations ?? []) {
      this.validatedFragmentSpreads = new Set();
      this.walkOperation(op);
    }
    for (const fragment of this.document.Fragments ?? []) {
      this.validatedFragmentSpreads = new Set();
      this.walkFragment(fragment);
    }
  }

  /** The first fragment of that name (FragmentDefinitionList.ForName). */
  fragmentNamed(name: string): FragmentDefinition | undefined {
    return forName(this.document.Fragments, name);
  }

  private walkOperation(op: OperationDefinition): void {
    this.currentOperation = op;
    for (const varDef of op.VariableDefinitions ?? []) {
      varDef.Definition = this.schema.Types.get(typeName(varDef.Type)) ?? null;
      for (const f of this.events.variable) f(this, varDef);
      if (varDef.DefaultValue !== null) {
        varDef.DefaultValue.ExpectedType = varDef.Type;
        varDef.DefaultValue.Definition = varDef.Definition;
      }
    }

    let def: Definition | null = null;
    let loc: DirectiveLocation = "";
    switch (op.Operation) {
      case "query":
      case "":
        def = this.schema.Query;
        loc = "QUERY";
        break;
      case "mutation":
        def = this.schema.Mutation;
        loc = "MUTATION";
        break;
      case "subscription":
        def = this.schema.Subscription;
        loc = "SUBSCRIPTION";
        break;
    }

    for (const varDef of op.VariableDefinitions ?? []) {
      if (varDef.DefaultValue !== null) this.walkValue(varDef.DefaultValue);
      this.walkDirectives(varDef.Definition, varDef.Directives, "VARIABLE_DEFINITION");
    }
    this.walkDirectives(def, op.Directives, loc);
    this.walkSelectionSet(def, op.SelectionSet);

    for (const f of this.events.operation) f(this, op);
    this.currentOperation = null;
  }

  private walkFragment(fragment: FragmentDefinition): void {
    const def = this.schema.Types.get(fragment.TypeCondition) ?? null;
    fragment.Definition = def;
    this.walkDirectives(def, fragment.Directives, "FRAGMENT_DEFINITION");
    this.walkSelectionSet(def, fragment.SelectionSet);
    for (const f of this.events.fragment) f(this, fragment);
  }

  private walkDirectives(parentDef: Definition | null, directives: Directive[] | null, location: DirectiveLocation): void {
    for (const dir of directives ?? []) {
      const def = this.schema.Directives.get(dir.Name) ?? null;
      dir.Definition = def;
      dir.ParentDefinition = parentDef;
      dir.Location = location;
      for (const arg of dir.Arguments ?? []) {
        this.walkArgument(def !== null ? (forName(def.Arguments, arg.Name) ?? null) : null, arg);
      }
      for (const f of this.events.directive) f(this, dir);
    }
    for (const f of this.events.directiveList) f(this, directives ?? []);
  }

  private nested(f: () => void): void {
    if (++this.depth > MAX_DEPTH) throw tooDeep();
    try {
      f();
    } finally {
      this.depth--;
    }
  }

  private walkValue(value: Value): void {
    this.meter.add();
    this.nested(() => {
      if (value.Kind === VariableKind && this.currentOperation !== null) {
        const varDef = this.currentOperation.VariableDefinitions?.find((v) => v.Variable === value.Raw) ?? null;
        value.VariableDefinition = varDef;
        if (varDef !== null) varDef.Used = true;
      }
      if (value.Kind === ObjectValue) {
        for (const child of value.Children ?? []) {
          if (value.Definition !== null) {
            const fieldDef = forName(value.Definition.Fields, child.Name);
            if (fieldDef !== undefined) {
              child.Value.ExpectedType = fieldDef.Type;
              child.Value.ExpectedTypeHasDefault = fieldDef.DefaultValue !== null && fieldDef.DefaultValue.Kind !== NullValue;
              child.Value.Definition = this.schema.Types.get(typeName(fieldDef.Type)) ?? null;
            }
          }
          this.walkValue(child.Value);
        }
      }
      if (value.Kind === ListValue) {
        for (const child of value.Children ?? []) {
          if (value.ExpectedType !== null && value.ExpectedType.Elem !== null) {
            child.Value.ExpectedType = value.ExpectedType.Elem;
            child.Value.Definition = value.Definition;
          }
          this.walkValue(child.Value);
        }
      }
    });
    for (const f of this.events.value) f(this, value);
  }

  private walkArgument(argDef: ArgumentDefinition | null, arg: Argument): void {
    if (argDef !== null) {
      arg.Value.ExpectedType = argDef.Type;
      arg.Value.ExpectedTypeHasDefault = argDef.DefaultValue !== null && argDef.DefaultValue.Kind !== NullValue;
      arg.Value.Definition = this.schema.Types.get(typeName(argDef.Type)) ?? null;
    }
    this.walkValue(arg.Value);
  }

  private walkSelectionSet(parentDef: Definition | null, set: Selection[] | null): void {
    this.nested(() => {
      for (const sel of set ?? []) this.walkSelection(parentDef, sel);
    });
  }

  private walkSelection(parentDef: Definition | null, sel: Selection): void {
    this.meter.add();
    switch (sel.sel) {
      case "field": {
        let def: FieldDefinition | null = null;
        if (sel.Name === "__typename") def = typenameField();
        else if (parentDef !== null) def = forName(parentDef.Fields, sel.Name) ?? null;
        sel.Definition = def;
        sel.ObjectDefinition = parentDef;
        const next = def !== null ? (this.schema.Types.get(typeName(def.Type)) ?? null) : null;
        for (const arg of sel.Arguments ?? []) {
          this.walkArgument(def !== null ? (forName(def.Arguments, arg.Name) ?? null) : null, arg);
        }
        this.walkDirectives(next, sel.Directives, "FIELD");
        this.walkSelectionSet(next, sel.SelectionSet);
        for (const f of this.events.field) f(this, sel);
        break;
      }
      case "inline": {
        sel.ObjectDefinition = parentDef;
        const next = sel.TypeCondition !== "" ? (this.schema.Types.get(sel.TypeCondition) ?? null) : parentDef;
        this.walkDirectives(next, sel.Directives, "INLINE_FRAGMENT");
        this.walkSelectionSet(next, sel.SelectionSet);
        for (const f of this.events.inlineFragment) f(this, sel);
        break;
      }
      case "spread": {
        const def = this.fragmentNamed(sel.Name) ?? null;
        sel.Definition = def;
        sel.ObjectDefinition = parentDef;
        const next = def !== null ? (this.schema.Types.get(def.TypeCondition) ?? null) : null;
        this.walkDirectives(next, sel.Directives, "FRAGMENT_SPREAD");
        if (def !== null && !this.validatedFragmentSpreads.has(def.Name)) {
          // once per operation: this also stops fragment cycles
          this.validatedFragmentSpreads.add(def.Name);
          this.walkSelectionSet(next, def.SelectionSet);
        }
        for (const f of this.events.fragmentSpread) f(this, sel);
        break;
      }
    }
  }
}

/** The implicit `__typename: String` every composite type has. */
function typenameField(): FieldDefinition {
  return {
    Description: "",
    Name: "__typename",
    Arguments: null,
    DefaultValue: null,
    Type: namedType("String"),
    Directives: null,
    Position: null,
    BeforeDescriptionComment: null,
    AfterDescriptionComment: null,
  };
}
