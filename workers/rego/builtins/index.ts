/**
 * The one table of built-in implementations, assembled from one module per
 * family. Declarations (argument and result types) live in catalogue.json,
 * OPA's own declarations as found in its plans; the type checker and the plan
 * validator read that, the evaluator reads this.
 */
import type { BuiltinFn, BuiltinTable } from "./types.js";
import catalogue from "./catalogue.json" with { type: "json" };
import { aggregatesBuiltins } from "./aggregates.js";
import { arraysBuiltins } from "./arrays.js";
import { castsBuiltins } from "./casts.js";
import { comparisonBuiltins } from "./comparison.js";
import { cryptoBuiltins } from "./crypto.js";
import { deprecatedBuiltins } from "./deprecated.js";
import { encodingBuiltins } from "./encoding.js";
import { globBuiltins } from "./glob.js";
import { graphBuiltins } from "./graph.js";
import { graphqlBuiltins } from "./graphql.js";
import { jsonBuiltins } from "./json.js";
import { jwtBuiltins } from "./jwt.js";
import { membershipBuiltins } from "./membership.js";
import { netBuiltins } from "./net.js";
import { numbersBuiltins } from "./numbers.js";
import { objectsBuiltins } from "./objects.js";
import { printBuiltins } from "./print.js";
import { regexBuiltins } from "./regex.js";
import { regoBuiltins } from "./rego.js";
import { semverBuiltins } from "./semver.js";
import { setsBuiltins } from "./sets.js";
import { sprintfBuiltins } from "./sprintf.js";
import { stringsBuiltins } from "./strings.js";
import { templatesBuiltins } from "./templates.js";
import { timeBuiltins } from "./time.js";
import { typechecksBuiltins } from "./typechecks.js";
import { unitsBuiltins } from "./units.js";
import { uriBuiltins } from "./uri.js";
import { uuidBuiltins } from "./uuid.js";
import { walkBuiltins } from "./walk.js";
import { x509Builtins } from "./x509.js";

export type { BuiltinContext, BuiltinFn, BuiltinTable, CompileCache } from "./types.js";
export { DEPRECATED_BUILTINS } from "./deprecated.js";
export { BuiltinError, LimitError, Suspend } from "./types.js";
import { costed } from "./costs.js";

const families: BuiltinTable[] = [
  aggregatesBuiltins,
  arraysBuiltins,
  castsBuiltins,
  comparisonBuiltins,
  cryptoBuiltins,
  deprecatedBuiltins,
  encodingBuiltins,
  globBuiltins,
  graphBuiltins,
  graphqlBuiltins,
  jsonBuiltins,
  jwtBuiltins,
  membershipBuiltins,
  netBuiltins,
  numbersBuiltins,
  objectsBuiltins,
  printBuiltins,
  regexBuiltins,
  regoBuiltins,
  semverBuiltins,
  setsBuiltins,
  sprintfBuiltins,
  stringsBuiltins,
  templatesBuiltins,
  timeBuiltins,
  typechecksBuiltins,
  unitsBuiltins,
  uriBuiltins,
  uuidBuiltins,
  walkBuiltins,
  x509Builtins,
];

const table = new Map<string, BuiltinFn>();
for (const family of families) {
  for (const [name, fn] of Object.entries(family)) {
    if (table.has(name)) throw new Error(`built-in ${name} registered twice`);
    table.set(name, costed(name, fn));
  }
}

/**
 * Built-ins that reach outside the evaluation (network, host, randomness,
 * sleeping). Policies run inside the STS, so plans that call them are rejected.
 */
export const FORBIDDEN_BUILTINS: ReadonlyMap<string, string> = new Map([
  ["http.send", "network access is not available to policies"],
  ["net.lookup_ip_addr", "network access is not available to policies"],
  ["opa.runtime", "host information is not available to policies"],
  ["rand.intn", "randomness would make decisions unreproducible"],
  ["test.sleep", "sleeping would stall the token service"],
  ["providers.aws.sign_req", "outbound request signing is not available to policies"],
]);

export function getBuiltin(name: string): BuiltinFn | undefined {
  return table.get(name);
}

export interface BuiltinDecl {
  type: "function";
  args?: TypeDecl[];
  result?: TypeDecl;
  variadic?: TypeDecl;
}

export interface TypeDecl {
  type: string;
  name?: string;
  of?: TypeDecl | TypeDecl[];
  static?: TypeDecl[];
  dynamic?: TypeDecl | { key: TypeDecl; value: TypeDecl };
  [k: string]: unknown;
}

export const BUILTIN_DECLS: ReadonlyMap<string, BuiltinDecl> = new Map(Object.entries(catalogue as Record<string, BuiltinDecl>));
