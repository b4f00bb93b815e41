/**
 * The bytes OPA's signed-bundle verification hashes for a file, so that a
 * bundle signed by `opa sign` verifies here and one signed here verifies in
 * OPA (README "Policy bundles", signed bundles).
 *
 * OPA (bundle/verify.go VerifyBundleFile, bundle/hash.go) treats a file as
 * structured when its base name is `data.json`, `data.yaml` or `.manifest`
 * (IsStructuredDoc). A structured file is decoded with util.Unmarshal — a
 * leading UTF-8 BOM dropped; parsed as JSON when it is valid JSON, otherwise
 * converted from YAML to JSON by sigs.k8s.io/yaml; either way decoded with
 * json.Number, so number literals keep their text (`1.50` stays `1.50`, `1e3`
 * stays `1e3`) — and then written canonically: objects with their keys in Go's
 * string order (UTF-8 bytes, i.e. code points), no whitespace, every string and
 * key as encoding/json's Encoder writes it with SetEscapeHTML(false). Every
 * other file (`.rego`, `data.yml`, anything else) is hashed over its bytes.
 */
import { compareStrings, formatJSONFloat, parseYAML, unmarshalJSON, validJSON, type GoYAML, type JSONBuilder } from "../rego/index.js";

/** OPA's IsStructuredDoc (the signatures file, also structured there, is never hashed). */
const STRUCTURED = new Set(["data.json", "data.yaml", ".manifest"]);

export function isStructuredDoc(path: string): boolean {
  return STRUCTURED.has(path.slice(path.lastIndexOf("/") + 1));
}

/** A decoded JSON node that keeps each number's literal text (json.Number). */
type Node = null | boolean | string | { num: string } | Node[] | { keys: string[]; values: Node[] };

const KEEP_NUMBERS: JSONBuilder<Node> = {
  number: (text) => ({ num: text }),
  array: (items) => items,
  object(keys, values) {
    // Duplicate keys: the last one wins, as when Go decodes into a map.
    const last = new Map<string, Node>();
    for (let i = 0; i < keys.length; i++) last.set(keys[i] as string, values[i] as Node);
    return { keys: [...last.keys()], values: [...last.values()] };
  },
};

export class UnhashableFile extends Error {}

/**
 * The text OPA's hasher writes for a structured file (its UTF-8 bytes are what
 * is digested). Throws UnhashableFile when OPA could not decode it either.
 */
export function canonicalStructuredText(content: string): string {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const out: string[] = [];
  try {
    if (validJSON(text, KEEP_NUMBERS)) writeNode(unmarshalJSON(text, KEEP_NUMBERS), out);
    else writeYAML(parseYAML(text), out);
  } catch (e) {
    if (e instanceof RangeError) throw new UnhashableFile("nested too deeply to hash");
    if (e instanceof UnhashableFile) throw e;
    throw new UnhashableFile(e instanceof Error ? e.message : String(e));
  }
  return out.join("");
}

function writeNode(n: Node, out: string[]): void {
  if (n === null) out.push("null");
  else if (typeof n === "boolean") out.push(n ? "true" : "false");
  else if (typeof n === "string") out.push(goQuote(n));
  else if (Array.isArray(n)) {
    out.push("[");
    for (let i = 0; i < n.length; i++) {
      if (i > 0) out.push(",");
      writeNode(n[i] as Node, out);
    }
    out.push("]");
  } else if ("num" in n) out.push(n.num);
  else {
    const order = n.keys.map((_, i) => i).sort((a, b) => compareStrings(n.keys[a] as string, n.keys[b] as string));
    out.push("{");
    order.forEach((i, j) => {
      if (j > 0) out.push(",");
      out.push(goQuote(n.keys[i] as string), ":");
      writeNode(n.values[i] as Node, out);
    });
    out.push("}");
  }
}

/**
 * YAML reaches OPA's hasher as the JSON sigs.k8s.io/yaml writes for go-yaml's
 * value: integers in decimal, floats as encoding/json formats a float64 (NaN
 * and infinities cannot be converted, so OPA refuses the file), keys already
 * strings; that JSON is then decoded with json.Number, which keeps that text.
 */
function writeYAML(v: GoYAML, out: string[]): void {
  switch (v.t) {
    case "null":
      out.push("null");
      return;
    case "bool":
      out.push(v.v ? "true" : "false");
      return;
    case "int":
      out.push(v.v.toString());
      return;
    case "float":
      if (!Number.isFinite(v.v)) throw new UnhashableFile(`YAML value ${v.v} cannot be converted to JSON`);
      out.push(formatJSONFloat(v.v));
      return;
    case "str":
    case "timestamp":
      out.push(goQuote(v.v));
      return;
    case "seq":
      out.push("[");
      v.v.forEach((x, i) => {
        if (i > 0) out.push(",");
        writeYAML(x, out);
      });
      out.push("]");
      return;
    case "map": {
      const keys = [...v.v.keys()].sort(compareStrings);
      out.push("{");
      keys.forEach((k, i) => {
        if (i > 0) out.push(",");
        out.push(goQuote(k), ":");
        writeYAML(v.v.get(k) as GoYAML, out);
      });
      out.push("}");
    }
  }
}

/**
 * A string as Go's json.Encoder writes it with SetEscapeHTML(false): `"` and
 * `\` escaped, \b \f \n \r \t short (Go 1.22 and later), other control
 * characters as lowercase \u00XX, U+2028 and U+2029 escaped, everything else
 * (including <, > and &) as it is. JSON.stringify agrees except for U+2028/9;
 * lone surrogates cannot occur (files are strict UTF-8, and the decoder reads
 * a lone \u escape as U+FFFD, as Go does).
 */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"));
}
