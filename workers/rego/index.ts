/**
 * The Rego engine: static code that evaluates policies given as data.
 * Free of Worker and HTTP concerns; runs the same in Node, workerd and the CLI.
 */
export { RegoError, formatError, type ErrorCode, type Location, type RegoErrorInfo } from "./errors.js";
export * from "./value/index.js";
export { decodePlan } from "./plan/decode.js";
export { encodeCompactPlan, isCompactPlanText } from "./plan/compact.js";
export type { Policy as Plan } from "./plan/types.js";
export {
  prepare,
  DEFAULT_STEP_BUDGET,
  type EvalInput,
  type EvalOptions,
  type EvalResult,
  type PreparedPolicy,
  type RuleProvenance,
  type DataPaths,
  MAX_DATA_PATHS,
} from "./eval/index.js";
export { FORBIDDEN_BUILTINS } from "./builtins/index.js";
export { callBuiltinJSON, syncBuiltinUnavailable, type SyncBuiltinOptions } from "./host-builtins.js";
export {
  compile,
  compileParsed,
  parseSources,
  type ParsedSources,
  type CompileRequest,
  type CompileResult,
  type CompileOptions,
  type SourceModule,
} from "./pipeline.js";
export { entrypointPlanName, modulePackage } from "./compile/index.js";
export { yamlToValue } from "./builtins/govalues.js";
// Go's JSON and YAML decoding as OPA does it: used to hash bundle files exactly as OPA's signature verification does.
export { unmarshalJSON, validJSON, type JSONBuilder } from "./goruntime/json.js";
export { parseYAML, type GoYAML } from "./goruntime/yaml.js";
export { formatJSONFloat } from "./goruntime/strconv.js";
