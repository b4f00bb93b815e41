/**
 * Rego values handed to the Go runtime code OPA calls (../goruntime) and
 * taken back from it: the JSON decoder builds Rego values, and YAML goes
 * through go-yaml's interface{} tree in both directions, via JSON as
 * sigs.k8s.io/yaml does.
 */
import type { Value } from "../value/index.js";
import { RObject, RSet, formatNumber, jsonKey, normalizeInt, parseNumber } from "../value/index.js";
import type { JSONBuilder } from "../goruntime/json.js";
import { type GoYAML, YAMLError, emitYAML, parseYAML, resolveJSONNumber } from "../goruntime/yaml.js";
import { formatJSONFloat } from "../goruntime/strconv.js";

/** encoding/json with UseNumber into Rego values: numbers stay exact, a duplicate key's last value wins. */
export const REGO_JSON: JSONBuilder<Value> = {
  number: (text) => parseNumber(text),
  array: (items) => items,
  object(keys, values) {
    const o = new RObject();
    for (let i = 0; i < keys.length; i++) o.set(keys[i] as string, values[i] as Value);
    return o;
  },
};

/** The JSON round trip: go-yaml value → encoding/json → json.Number → Rego value. */
function toRego(v: GoYAML): Value {
  switch (v.t) {
    case "null":
      return null;
    case "bool":
      return v.v;
    case "int":
      return normalizeInt(v.v);
    case "float":
      if (!Number.isFinite(v.v))
        throw new YAMLError(
          `error converting YAML to JSON: json: unsupported value: ${Number.isNaN(v.v) ? "NaN" : v.v > 0 ? "+Inf" : "-Inf"}`,
        );
      return parseNumber(formatJSONFloat(v.v)) as Value;
    case "str":
    case "timestamp":
      return v.v;
    case "seq":
      return v.v.map(toRego);
    case "map": {
      const o = new RObject();
      for (const [k, x] of v.v) o.set(k, toRego(x));
      return o;
    }
  }
}

/** What go-yaml reads back from the JSON OPA writes for a scalar. */
function scalarFromRego(v: Value): GoYAML {
  if (v === null) return { t: "null" };
  switch (typeof v) {
    case "boolean":
      return { t: "bool", v };
    case "string":
      return { t: "str", v };
    default:
      return resolveJSONNumber(formatNumber(v as number | bigint));
  }
}

/**
 * What go-yaml reads back from the JSON OPA writes for a Rego value. Built
 * from an explicit stack, each collection after its members, so values of
 * any depth convert (input may nest arbitrarily deep).
 */
function fromRego(root: Value): GoYAML {
  interface Frame {
    kind: "seq" | "map";
    items: Value[];
    keys: string[];
    i: number;
    out: GoYAML[];
  }
  const open = (v: Value): Frame | GoYAML => {
    if (Array.isArray(v)) return { kind: "seq", items: v, keys: [], i: 0, out: [] };
    if (v instanceof RSet) return { kind: "seq", items: v.values(), keys: [], i: 0, out: [] };
    if (v instanceof RObject) return { kind: "map", items: v.valuesInKeyOrder(), keys: v.keys().map(jsonKey), i: 0, out: [] };
    return scalarFromRego(v);
  };
  const close = (f: Frame): GoYAML => {
    if (f.kind === "seq") return { t: "seq", v: f.out };
    // In key order, as the JSON text lists them: of two keys that print alike, the later wins.
    const m = new Map<string, GoYAML>();
    for (let i = 0; i < f.keys.length; i++) m.set(f.keys[i] as string, f.out[i] as GoYAML);
    return { t: "map", v: m };
  };
  const first = open(root);
  if (!("items" in first)) return first;
  const stack: Frame[] = [first];
  for (;;) {
    const f = stack[stack.length - 1] as Frame;
    if (f.i < f.items.length) {
      const next = open(f.items[f.i++] as Value);
      if ("items" in next) stack.push(next);
      else f.out.push(next);
      continue;
    }
    stack.pop();
    const done = close(f);
    const parent = stack[stack.length - 1];
    if (!parent) return done;
    parent.out.push(done);
  }
}

/** yaml.unmarshal: the first document of the stream (null when there is none); `charge` pays per node. */
export function yamlToValue(src: string, charge?: (steps: number) => void): Value {
  return toRego(parseYAML(src, charge));
}

/** yaml.marshal; `charge` pays for the indentation as it is written (see emitYAML). */
export function valueToYAML(v: Value, charge?: (units: number) => void): string {
  return emitYAML(fromRego(v), charge);
}
