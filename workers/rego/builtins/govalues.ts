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

/** What go-yaml reads back from the JSON OPA writes for a Rego value. */
function fromRego(v: Value): GoYAML {
  if (v === null) return { t: "null" };
  switch (typeof v) {
    case "boolean":
      return { t: "bool", v };
    case "string":
      return { t: "str", v };
    case "number":
    case "bigint":
      return resolveJSONNumber(formatNumber(v));
  }
  if (Array.isArray(v)) return { t: "seq", v: v.map(fromRego) };
  if (v instanceof RSet) return { t: "seq", v: v.values().map(fromRego) };
  const m = new Map<string, GoYAML>();
  for (const [k, x] of (v as RObject).entries()) m.set(jsonKey(k), fromRego(x));
  return { t: "map", v: m };
}

/** yaml.unmarshal: the first document of the stream (null when there is none). */
export function yamlToValue(src: string): Value {
  return toRego(parseYAML(src));
}

/** yaml.marshal. */
export function valueToYAML(v: Value): string {
  return emitYAML(fromRego(v));
}
