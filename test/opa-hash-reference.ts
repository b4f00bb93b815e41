/**
 * An independent reimplementation of what OPA hashes for a signed bundle's
 * JSON files (open-policy-agent/opa bundle/hash.go walk + verify.go
 * VerifyBundleFile), written for the tests from OPA's algorithm rather than
 * from workers/bundle/opa-hash.ts: no opa binary exists on this machine, so
 * digests cannot be taken from `opa sign`; this is the second opinion.
 *
 * OPA decodes the file with json.Number (number literals keep their text),
 * then writes `{`, each key in sorted order (Go's byte-wise string order) as
 * json.Encoder with SetEscapeHTML(false) writes a string, `:`, the value,
 * commas between, `}`; arrays likewise; scalars as that Encoder writes them.
 */

type Tree =
  | { kind: "lit"; text: string }
  | { kind: "str"; value: string }
  | { kind: "arr"; items: Tree[] }
  | { kind: "obj"; entries: Map<string, Tree> };

const TOKEN =
  /\s*(?:("(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\]:,]))/y;

function tokens(text: string): { str?: string; num?: string; lit?: string; punct?: string }[] {
  const out: { str?: string; num?: string; lit?: string; punct?: string }[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`reference: bad JSON at ${TOKEN.lastIndex}`);
    if (m[1] !== undefined) out.push({ str: m[1] });
    else if (m[2] !== undefined) out.push({ num: m[2] });
    else if (m[3] !== undefined) out.push({ lit: m[3] });
    else out.push({ punct: m[4] });
  }
  return out;
}

/** Go decodes a lone \u surrogate escape to U+FFFD. */
function decodeString(token: string): string {
  return (JSON.parse(token) as string).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function parse(text: string): Tree {
  const ts = tokens(text.replace(/^\ufeff/, ""));
  let i = 0;
  const next = () => ts[i++] ?? { punct: "<eof>" };
  const value = (): Tree => {
    const t = next();
    if (t.str !== undefined) return { kind: "str", value: decodeString(t.str) };
    if (t.num !== undefined) return { kind: "lit", text: t.num };
    if (t.lit !== undefined) return { kind: "lit", text: t.lit };
    if (t.punct === "[") {
      const items: Tree[] = [];
      if (ts[i]?.punct === "]") {
        i++;
        return { kind: "arr", items };
      }
      for (;;) {
        items.push(value());
        const d = next().punct;
        if (d === "]") return { kind: "arr", items };
        if (d !== ",") throw new Error("reference: expected , or ]");
      }
    }
    if (t.punct === "{") {
      const entries = new Map<string, Tree>();
      if (ts[i]?.punct === "}") {
        i++;
        return { kind: "obj", entries };
      }
      for (;;) {
        const k = next();
        if (k.str === undefined || next().punct !== ":") throw new Error("reference: expected key");
        const key = decodeString(k.str);
        entries.delete(key); // last one wins
        entries.set(key, value());
        const d = next().punct;
        if (d === "}") return { kind: "obj", entries };
        if (d !== ",") throw new Error("reference: expected , or }");
      }
    }
    throw new Error(`reference: unexpected ${JSON.stringify(t)}`);
  };
  const v = value();
  if (i !== ts.length) throw new Error("reference: trailing data");
  return v;
}

const utf8 = new TextEncoder();

function byteOrder(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/** encoding/json's string encoding with SetEscapeHTML(false) (Go 1.22+: \b and \f short). */
function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20) out += "\\u00" + c.toString(16).padStart(2, "0");
    else if (c === 0x2028 || c === 0x2029) out += "\\u" + c.toString(16);
    else out += ch;
  }
  return out + '"';
}

function write(t: Tree): string {
  switch (t.kind) {
    case "lit":
      return t.text;
    case "str":
      return goString(t.value);
    case "arr":
      return "[" + t.items.map(write).join(",") + "]";
    case "obj":
      return (
        "{" +
        [...t.entries.keys()]
          .sort(byteOrder)
          .map((k) => goString(k) + ":" + write(t.entries.get(k) as Tree))
          .join(",") +
        "}"
      );
  }
}

/** The text OPA's hasher digests for a JSON file (data.json, .manifest). */
export function referenceCanonicalJSON(text: string): string {
  return write(parse(text));
}

/** The hex SHA-256 OPA's signature lists for a file: canonical for JSON documents, raw bytes otherwise (a module, policy.wasm). */
export async function referenceFileHash(path: string, content: string | Uint8Array): Promise<string> {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const structured = base === "data.json" || base === ".manifest";
  const text = typeof content === "string" ? content : new TextDecoder().decode(content);
  const bytes = structured ? utf8.encode(referenceCanonicalJSON(text)) : typeof content === "string" ? utf8.encode(content) : content;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Pretty-printed, keys out of order, number literals OPA keeps as written, escapes, unicode, a duplicate key. */
export const VECTOR_JSON = `{
  "zeta": 1.50,
  "alpha": {"exp": 1e3, "neg": -0.0, "big": 12345678901234567890123, "E": 2E-7},
  "text": "caf\\u00e9 é \\"q\\" \\\\ \\n\\t\\b\\f\\u0001 <a&b> \\u2028\\u2029 \\ud83d\\ude00 😀 \u007f \\/ \\ud800",
  "\\ud83d\\ude00": "astral key: sorts after U+FFFF in UTF-8 byte order (before it in UTF-16)",
  "\\uffff": "bmp max",
  "Z": [3, 2.50, {"b": null, "a": true}, []],
  "dup": 1, "dup": 2,
  "empty": {}
}`;

/** What OPA's walk writes for VECTOR_JSON, by hand: keys in byte order, literals kept, Go's escapes. */
export const VECTOR_JSON_CANONICAL =
  '{"Z":[3,2.50,{"a":true,"b":null},[]],"alpha":{"E":2E-7,"big":12345678901234567890123,"exp":1e3,"neg":-0.0},"dup":2,"empty":{},' +
  '"text":"café é \\"q\\" \\\\ \\n\\t\\b\\f\\u0001 <a&b> \\u2028\\u2029 😀 😀 \u007f / \ufffd","zeta":1.50,' +
  '"\uffff":"bmp max","😀":"astral key: sorts after U+FFFF in UTF-8 byte order (before it in UTF-16)"}';
