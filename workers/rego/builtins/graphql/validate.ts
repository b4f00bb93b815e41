/**
 * Query validation against a schema: gqlparser's validator.Validate with its
 * default rules, registered in gqlparser's order (alphabetical), so errors
 * come out in the same order.
 */
import type { QueryDocument, Schema } from "./ast.js";
import { GqlError } from "./errors.js";
import type { Meter } from "./limits.js";
import { fieldsOnCorrectType, knownArgumentNames, providedRequiredArguments, scalarLeafs, uniqueArgumentNames } from "./rules/fields.js";
import {
  fragmentsOnCompositeTypes,
  knownFragmentNames,
  noFragmentCycles,
  noUnusedFragments,
  possibleFragmentSpreads,
  uniqueFragmentNames,
} from "./rules/fragments.js";
import {
  knownDirectives,
  knownRootType,
  knownTypeNames,
  loneAnonymousOperation,
  maxIntrospectionDepth,
  singleFieldSubscriptions,
  uniqueDirectivesPerLocation,
  uniqueOperationNames,
} from "./rules/operations.js";
import { overlappingFieldsCanBeMerged } from "./rules/overlap.js";
import type { Rule } from "./rules/rule.js";
import { uniqueInputFieldNames, valuesOfCorrectType } from "./rules/values.js";
import {
  noUndefinedVariables,
  noUnusedVariables,
  uniqueVariableNames,
  variablesAreInputTypes,
  variablesInAllowedPosition,
} from "./rules/variables.js";
import { Walker, newEvents } from "./walk.js";

const RULES: Rule[] = [
  fieldsOnCorrectType,
  fragmentsOnCompositeTypes,
  knownArgumentNames,
  knownDirectives,
  knownFragmentNames,
  knownRootType,
  knownTypeNames,
  loneAnonymousOperation,
  maxIntrospectionDepth,
  noFragmentCycles,
  noUndefinedVariables,
  noUnusedFragments,
  noUnusedVariables,
  overlappingFieldsCanBeMerged,
  possibleFragmentSpreads,
  providedRequiredArguments,
  scalarLeafs,
  singleFieldSubscriptions,
  uniqueArgumentNames,
  uniqueDirectivesPerLocation,
  uniqueFragmentNames,
  uniqueInputFieldNames,
  uniqueOperationNames,
  uniqueVariableNames,
  valuesOfCorrectType,
  variablesAreInputTypes,
  variablesInAllowedPosition,
];

/**
 * Every error in the document, in gqlparser's order. The walk records what
 * it resolves on the document's nodes, so a document is validated once.
 */
export function validateQuery(schema: Schema, doc: QueryDocument, meter: Meter): GqlError[] {
  const errors: GqlError[] = [];
  const events = newEvents();
  for (const rule of RULES) rule.register(events, (message, pos) => errors.push(new GqlError(message, pos)));
  new Walker(schema, doc, events, meter).walk();
  meter.flush();
  return errors;
}
