/**
 * Validation as gojsonschema does it: the same walk, the same error types,
 * fields ("(root)", "a.b.0") and descriptions, and the same scoring that
 * picks which failed anyOf/oneOf branch to report. Where Go iterates a map
 * (object members, patternProperties, dependencies) and so reports errors in
 * no fixed order, keys are visited in sorted order.
 */
import type { JMap, JNode } from "./document.js";
import { canonicalJSON, compareRats, formatRat, isInteger, isJMap, isJNumber, isMultiple, toRat } from "./document.js";
import type { SubSchema } from "./compile.js";
import { compileRE2 } from "./compile.js";
import { isFormat } from "./format.js";
import { MAX_BUILTIN_NESTING, Nesting } from "../nesting.js";

export interface SchemaViolation {
  /** gojsonschema's error type: "invalid_type", "required", … */
  type: string;
  /** The failing location without the "(root)." prefix; "(root)" for the document itself. */
  field: string;
  description: string;
}

class Result {
  errors: SchemaViolation[] = [];
  score = 0;

  get valid(): boolean {
    return this.errors.length === 0;
  }

  add(type: string, context: readonly string[], describe: (field: string) => string): void {
    const field = fieldOf(context);
    this.errors.push({ type, field, description: describe(field) });
    this.score -= 2; // a net -1 with the +1 every validation step adds at its end
  }

  merge(other: Result): void {
    this.errors.push(...other.errors);
    this.score += other.score;
  }

  increment(): void {
    this.score++;
  }
}

function fieldOf(context: readonly string[]): string {
  const s = context.join(".");
  return s.startsWith("(root).") ? s.slice("(root).".length) : s;
}

function typesText(s: SubSchema): string {
  return s.types.length > 1 ? `[${s.types.join(",")}]` : (s.types[0] ?? "undefined");
}

/** Validates `doc` against the compiled schema. */
/**
 * Validation descends into the document (at most MAX_BUILTIN_NESTING deep,
 * json.ts checks) and, on each node, into subschemas and along $refs: a
 * recursive schema (`properties: {a: {$ref: "#"}}`) takes two steps a level.
 */
const nesting = new Nesting("schema validation", 3 * MAX_BUILTIN_NESTING);

export function validate(root: SubSchema, doc: JNode): SchemaViolation[] {
  const result = new Result();
  nesting.start();
  recurse(root, doc, result, ["(root)"]);
  return result.errors;
}

function sub(s: SubSchema, node: JNode, context: readonly string[]): Result {
  const r = new Result();
  recurse(s, node, r, context);
  return r;
}

function recurse(s: SubSchema, node: JNode, result: Result, context: readonly string[]): void {
  nesting.enter();
  validateNode(s, node, result, context);
  nesting.leave();
}

function validateNode(s: SubSchema, node: JNode, result: Result, context: readonly string[]): void {
  if (s.pass !== undefined) {
    if (!s.pass) result.add("false", context, () => "False always fails validation");
    return;
  }
  if (s.refSchema) {
    recurse(s.refSchema, node, result, context);
    return;
  }
  const typed = s.types.length > 0;
  const typeError = (given: string) =>
    result.add("invalid_type", context, () => `Invalid type. Expected: ${typesText(s)}, given: ${given}`);

  if (node === null) {
    if (typed && !s.types.includes("null")) return typeError("null");
    validateSchema(s, node, result, context);
    validateCommon(s, node, result, context);
  } else if (isJNumber(node)) {
    const isInt = isInteger(node);
    const ok = s.types.includes("number") || (isInt && s.types.includes("integer"));
    if (typed && !ok) return typeError(isInt ? "integer" : "number");
    validateSchema(s, node, result, context);
    validateNumber(s, node, result, context);
    validateCommon(s, node, result, context);
  } else if (Array.isArray(node)) {
    if (typed && !s.types.includes("array")) return typeError("array");
    validateSchema(s, node, result, context);
    validateArray(s, node, result, context);
    validateCommon(s, node, result, context);
  } else if (isJMap(node)) {
    if (typed && !s.types.includes("object")) return typeError("object");
    validateSchema(s, node, result, context);
    validateObject(s, node, result, context);
    validateCommon(s, node, result, context);
    for (const p of s.properties) {
      const next = node.get(p.property);
      if (next !== undefined) recurse(p, next, result, [...context, p.property]);
    }
  } else if (typeof node === "boolean") {
    if (typed && !s.types.includes("boolean")) return typeError("boolean");
    validateSchema(s, node, result, context);
    validateCommon(s, node, result, context);
  } else {
    if (typed && !s.types.includes("string")) return typeError("string");
    validateSchema(s, node, result, context);
    validateCommon(s, node, result, context);
    validateString(s, node, result, context);
  }
  result.increment();
}

/** anyOf, oneOf, allOf, not, dependencies, if/then/else. */
function validateSchema(s: SubSchema, node: JNode, result: Result, context: readonly string[]): void {
  if (s.anyOf.length > 0) {
    let valid = false;
    let best: Result | undefined;
    for (const branch of s.anyOf) {
      const r = sub(branch, node, context);
      if (r.valid) {
        valid = true;
        break;
      }
      if (best === undefined || r.score > best.score) best = r;
    }
    if (!valid) {
      result.add("number_any_of", context, () => "Must validate at least one schema (anyOf)");
      // The closest branch is probably the one the author meant.
      if (best) result.merge(best);
    }
  }

  if (s.oneOf.length > 0) {
    let passed = 0;
    let best: Result | undefined;
    for (const branch of s.oneOf) {
      const r = sub(branch, node, context);
      if (r.valid) passed++;
      else if (passed === 0 && (best === undefined || r.score > best.score)) best = r;
    }
    if (passed !== 1) {
      result.add("number_one_of", context, () => "Must validate one and only one schema (oneOf)");
      if (passed === 0 && best) result.merge(best);
    }
  }

  if (s.allOf.length > 0) {
    let passed = 0;
    for (const branch of s.allOf) {
      const r = sub(branch, node, context);
      if (r.valid) passed++;
      result.merge(r);
    }
    if (passed !== s.allOf.length) result.add("number_all_of", context, () => "Must validate all the schemas (allOf)");
  }

  if (s.not && sub(s.not, node, context).valid) {
    result.add("number_not", context, () => "Must not validate the schema (not)");
  }

  if (s.dependencies && s.dependencies.size > 0 && isJMap(node)) {
    for (const key of node.keys()) {
      const dep = s.dependencies.get(key);
      if (dep === undefined) continue;
      if (Array.isArray(dep)) {
        for (const name of dep) {
          if (!node.has(name)) result.add("missing_dependency", context, () => `Has a dependency on ${name}`);
        }
      } else {
        recurse(dep, node, result, context);
      }
    }
  }

  if (s.if) {
    const condition = sub(s.if, node, context);
    if (s.then && condition.valid) {
      const r = sub(s.then, node, context);
      if (!r.valid) {
        result.add("condition_then", context, () => 'Must validate "then" as "if" was valid');
        result.merge(r);
      }
    }
    if (s.else && !condition.valid) {
      const r = sub(s.else, node, context);
      if (!r.valid) {
        result.add("condition_else", context, () => 'Must validate "else" as "if" was not valid');
        result.merge(r);
      }
    }
  }
  result.increment();
}

/** const, enum, format. */
function validateCommon(s: SubSchema, node: JNode, result: Result, context: readonly string[]): void {
  if (s.constJSON !== undefined) {
    const allowed = s.constJSON;
    if (canonicalJSON(node) !== allowed) result.add("const", context, (field) => `${field} does not match: ${allowed}`);
  }
  if (s.enumPresent && !s.enumJSON.includes(canonicalJSON(node))) {
    const allowed = s.enumJSON.length === 0 ? "(none)" : s.enumJSON.join(", ");
    result.add("enum", context, (field) => `${field} must be one of the following: ${allowed}`);
  }
  if (s.format !== undefined && s.format !== "" && !isFormat(s.format, node)) {
    const format = s.format;
    result.add("format", context, () => `Does not match format '${format}'`);
  }
  result.increment();
}

function validateArray(s: SubSchema, arr: JNode[], result: Result, context: readonly string[]): void {
  const n = arr.length;
  if (s.itemsSingle) {
    const items = s.itemsChildren[0] as SubSchema;
    arr.forEach((v, i) => result.merge(sub(items, v, [...context, String(i)])));
  } else if (s.itemsChildren.length > 0) {
    const count = s.itemsChildren.length;
    for (let i = 0; i < count && i < n; i++) {
      result.merge(sub(s.itemsChildren[i] as SubSchema, arr[i] as JNode, [...context, String(i)]));
    }
    if (count < n) {
      const extra = s.additionalItems;
      if (extra === false) {
        result.add("array_no_additional_items", context, () => "No additional items allowed on array");
      } else if (extra !== undefined && extra !== true) {
        for (let i = count; i < n; i++) result.merge(sub(extra, arr[i] as JNode, [...context, String(i)]));
      }
    }
  }
  if (s.minItems !== undefined && n < s.minItems) {
    const min = s.minItems;
    result.add("array_min_items", context, () => `Array must have at least ${min} items`);
  }
  if (s.maxItems !== undefined && n > s.maxItems) {
    const max = s.maxItems;
    result.add("array_max_items", context, () => `Array must have at most ${max} items`);
  }
  if (s.uniqueItems) {
    const seen = new Map<string, number>();
    arr.forEach((v, j) => {
      const text = canonicalJSON(v);
      const i = seen.get(text);
      if (i !== undefined) result.add("unique", context, () => `array items[${i},${j}] must be unique`);
      seen.set(text, j);
    });
  }
  if (s.contains) {
    let matched = false;
    let best: Result | undefined;
    for (let i = 0; i < n; i++) {
      const r = sub(s.contains, arr[i] as JNode, [...context, String(i)]);
      if (r.valid) {
        matched = true;
        break;
      }
      if (best === undefined || r.score > best.score) best = r;
    }
    if (!matched) {
      result.add("contains", context, () => "At least one of the items must match");
      if (best) result.merge(best);
    }
  }
  result.increment();
}

function validateObject(s: SubSchema, obj: JMap, result: Result, context: readonly string[]): void {
  if (s.minProperties !== undefined && obj.size < s.minProperties) {
    const min = s.minProperties;
    result.add("array_min_properties", context, () => `Must have at least ${min} properties`);
  }
  if (s.maxProperties !== undefined && obj.size > s.maxProperties) {
    const max = s.maxProperties;
    result.add("array_max_properties", context, () => `Must have at most ${max} properties`);
  }
  for (const name of s.required) {
    if (obj.has(name)) result.increment();
    else result.add("required", context, () => `${name} is required`);
  }
  for (const [key, value] of obj) {
    const declared = s.properties.some((p) => p.property === key);
    const matchedPattern = validatePatternProperties(s, key, value, result, context);
    if (!declared && !matchedPattern) {
      const ap = s.additionalProperties;
      if (ap === false) {
        result.add("additional_property_not_allowed", context, () => `Additional property ${key} is not allowed`);
      } else if (ap !== undefined && ap !== true) {
        result.merge(sub(ap, value, [...context, key]));
      }
    }
  }
  if (s.propertyNames) {
    for (const key of obj.keys()) {
      const r = sub(s.propertyNames, key, context);
      if (!r.valid) {
        result.add("invalid_property_name", context, () => `Property name of "${key}" does not match`);
        result.merge(r);
      }
    }
  }
  result.increment();
}

function validatePatternProperties(s: SubSchema, key: string, value: JNode, result: Result, context: readonly string[]): boolean {
  if (!s.patternProperties) return false;
  let matched = false;
  for (const [pattern, schema] of s.patternProperties) {
    if (compileRE2(pattern)?.matcher(key).find()) {
      matched = true;
      result.merge(sub(schema, value, [...context, key]));
    }
  }
  if (matched) result.increment();
  return matched;
}

function validateString(s: SubSchema, str: string, result: Result, context: readonly string[]): void {
  const length = [...str].length;
  if (s.minLength !== undefined && length < s.minLength) {
    const min = s.minLength;
    result.add("string_gte", context, () => `String length must be greater than or equal to ${min}`);
  }
  if (s.maxLength !== undefined && length > s.maxLength) {
    const max = s.maxLength;
    result.add("string_lte", context, () => `String length must be less than or equal to ${max}`);
  }
  if (s.pattern && !s.pattern.re.matcher(str).find()) {
    const source = s.pattern.source;
    result.add("pattern", context, () => `Does not match pattern '${source}'`);
  }
  result.increment();
}

function validateNumber(s: SubSchema, num: number | bigint, result: Result, context: readonly string[]): void {
  const value = toRat(num);
  if (s.multipleOf && !isMultiple(value, s.multipleOf)) {
    const text = formatRat(s.multipleOf);
    result.add("multiple_of", context, () => `Must be a multiple of ${text}`);
  }
  if (s.maximum && compareRats(value, s.maximum) > 0) {
    const text = formatRat(s.maximum);
    result.add("number_lte", context, () => `Must be less than or equal to ${text}`);
  }
  if (s.exclusiveMaximum && compareRats(value, s.exclusiveMaximum) >= 0) {
    const text = formatRat(s.exclusiveMaximum);
    result.add("number_lt", context, () => `Must be less than ${text}`);
  }
  if (s.minimum && compareRats(value, s.minimum) < 0) {
    const text = formatRat(s.minimum);
    result.add("number_gte", context, () => `Must be greater than or equal to ${text}`);
  }
  if (s.exclusiveMinimum && compareRats(value, s.exclusiveMinimum) <= 0) {
    const text = formatRat(s.exclusiveMinimum);
    result.add("number_gt", context, () => `Must be greater than ${text}`);
  }
  result.increment();
}
