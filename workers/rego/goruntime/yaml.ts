/**
 * YAML as OPA does it through sigs.k8s.io/yaml, which goes through
 * go-yaml v2 and JSON in both directions:
 *
 * - yaml.unmarshal: go-yaml v2 resolves plain scalars with YAML 1.1 rules
 *   (yes/no/on/off are booleans, 0777 is octal, 1e3 without an exponent sign
 *   is a string), then the document is converted to JSON (non-string keys
 *   become strings, integers beyond uint64 become float64, NaN/Inf fail) and
 *   decoded with json.Number. Parsing itself uses the `yaml` package with the
 *   failsafe schema so that every scalar arrives as text with its style.
 * - yaml.marshal: the value is written as JSON, read back by go-yaml (same
 *   resolution) and emitted in go-yaml v2's block style: keys in its natural
 *   order, sequences inside mappings not indented, scalars plain when they
 *   would read back as the same string and quoted otherwise, multi-line
 *   strings as literal blocks, long lines folded at 80 columns.
 */
import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, type Document, type Node as YNode } from "yaml";
import { GoError } from "./errors.js";
import { formatFloat } from "./strconv.js";

export class YAMLError extends GoError {}

// ------------------------------------------------------- scalar resolution

/** A value as go-yaml v2 decodes it into interface{}. */
export type GoYAML =
  | { t: "null" }
  | { t: "bool"; v: boolean }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "str"; v: string }
  | { t: "seq"; v: GoYAML[] }
  | { t: "map"; v: Map<string, GoYAML> }
  /** a timestamp-looking scalar: decoded as its text, but never emitted plain */
  | { t: "timestamp"; v: string };

const RESOLVE_MAP = new Map<string, GoYAML>();
for (const s of ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]) RESOLVE_MAP.set(s, { t: "bool", v: true });
for (const s of ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]) RESOLVE_MAP.set(s, { t: "bool", v: false });
for (const s of ["", "~", "null", "Null", "NULL"]) RESOLVE_MAP.set(s, { t: "null" });
for (const s of [".nan", ".NaN", ".NAN"]) RESOLVE_MAP.set(s, { t: "float", v: NaN });
for (const s of [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]) RESOLVE_MAP.set(s, { t: "float", v: Infinity });
for (const s of ["-.inf", "-.Inf", "-.INF"]) RESOLVE_MAP.set(s, { t: "float", v: -Infinity });

const YAML_STYLE_FLOAT = /^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b and leading-0 octal prefixes). */
function parseGoInt(s: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, body] = m as unknown as [string, string, string];
  if (!signed && sign !== "") return undefined;
  let digits = body;
  if (/^0[0-7]+$/.test(body)) digits = "0o" + body.slice(1);
  let v = BigInt(digits);
  if (sign === "-") v = -v;
  if (signed ? v < INT64_MIN || v > INT64_MAX : v > UINT64_MAX) return undefined;
  return v;
}

/** strconv.ParseFloat for the decimal syntax YAML floats use; undefined when out of range. */
function parseGoFloat(s: string): number | undefined {
  const f = Number(s);
  return Number.isFinite(f) ? f : undefined;
}

/** go-yaml's timestamp check (a quick YYYY- test, then the formats it accepts). */
function isTimestamp(s: string): boolean {
  return /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d{1,9})?))?$/.test(
    s,
  );
}

/** go-yaml v2's resolve for an untagged plain scalar. */
function resolvePlain(s: string): GoYAML {
  const hit = RESOLVE_MAP.get(s);
  if (hit) return hit;
  const c = s[0] ?? "";
  if (c === ".") {
    const f = /^\.[0-9]+(?:[eE][+-]?[0-9]+)?$/.test(s) ? parseGoFloat(s) : undefined;
    return f === undefined ? { t: "str", v: s } : { t: "float", v: f };
  }
  if (c === "+" || c === "-" || (c >= "0" && c <= "9")) {
    if (isTimestamp(s)) return { t: "timestamp", v: s };
    const plain = s.replaceAll("_", "");
    const i = parseGoInt(plain, true) ?? parseGoInt(plain, false);
    if (i !== undefined) return { t: "int", v: i };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return { t: "float", v: f };
    }
    const bin = /^(-?)0b([01]+)$/.exec(plain);
    if (bin) {
      const v = BigInt("0b" + bin[2]) * (bin[1] ? -1n : 1n);
      if (v >= INT64_MIN && v <= UINT64_MAX) return { t: "int", v };
    }
  }
  return { t: "str", v: s };
}

const TAG = "tag:yaml.org,2002:";

/** go-yaml's resolve with an explicit tag (!!int "5" and friends). */
function resolveTagged(tag: string, s: string, plain: boolean): GoYAML {
  const short = tag.startsWith(TAG) ? "!!" + tag.slice(TAG.length) : tag;
  switch (short) {
    case "!!str":
      return { t: "str", v: s };
    case "!!binary": {
      const bin = base64ToBinaryString(s);
      if (bin === undefined) throw new YAMLError("yaml: !!binary value contains invalid base64 data");
      return { t: "str", v: bin };
    }
    case "!!int":
    case "!!float":
    case "!!bool":
    case "!!null":
    case "!!timestamp": {
      const r = resolvePlain(s);
      const rtag = r.t === "str" ? "!!str" : r.t === "timestamp" ? "!!timestamp" : "!!" + r.t;
      if (rtag === short) return r.t === "timestamp" ? { t: "str", v: s } : r;
      if (short === "!!float" && r.t === "int") return { t: "float", v: Number(r.v) };
      throw new YAMLError(`yaml: cannot decode ${rtag} \`${s}\` as a ${short}`);
    }
    default:
      // Unknown tags are not resolved: the scalar is its text.
      return plain && tag === "" ? resolvePlain(s) : { t: "str", v: s };
  }
}

/** Base64 (go-yaml's !!binary) to a string of the decoded bytes read as UTF-8. */
function base64ToBinaryString(s: string): string | undefined {
  try {
    const bin = atob(s.replace(/\s+/g, ""));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- loading

/** go-yaml-like message for a parse error reported by the `yaml` package. */
function parseErrorMessage(src: string, err: { code: string; message: string; pos: [number, number] }): string {
  const lineOf = (offset: number) => src.slice(0, offset).split("\n").length;
  // go-yaml reports unterminated constructs at the line break it forces after the input.
  const endLine = (src.match(/\n/g)?.length ?? 0) + (src.endsWith("\n") ? 0 : 1);
  const m = err.message;
  let line = lineOf(err.pos[0]);
  let msg: string;
  if (/Flow sequence/.test(m)) {
    msg = "did not find expected ',' or ']'";
    line = endLine;
  } else if (/Flow map/.test(m)) {
    msg = "did not find expected ',' or '}'";
    line = endLine;
  } else if (/closing.*quote/i.test(m)) {
    msg = "found unexpected end of stream";
    line = endLine;
  } else if (err.code === "TAB_AS_INDENT") msg = "found character that cannot start any token";
  else if (err.code === "BLOCK_AS_IMPLICIT_KEY") msg = "mapping values are not allowed in this context";
  else if (err.code === "BAD_INDENT" || err.code === "UNEXPECTED_TOKEN") msg = "did not find expected key";
  else msg = m.replace(/ at line \d+, column \d+.*$/s, "");
  return `yaml: line ${line}: ${msg}`;
}

/** How deep a document may nest (aliases expanded): deeper is refused before anything recurses that far. */
export const YAML_MAX_DEPTH = 200;
const DEPTH_ERROR = `yaml: document nested deeper than ${YAML_MAX_DEPTH}`;

/**
 * An upper bound of a text's nesting, found without parsing it: the `yaml`
 * package composes nodes recursively, and out of stack it has aborted V8
 * (compiling a RegExp at the stack's edge), so a text that might nest deeper
 * than YAML_MAX_DEPTH never reaches it. Flow brackets outside quotes and
 * comments count one level each; block levels are an indentation stack in
 * which each compact `- ` or `? ` indicator opens a level of its own; the
 * content of block scalars (`|`, `>`) is skipped.
 */
function nestingBound(src: string): number {
  const indents: number[] = [];
  let flow = 0;
  let quote = "";
  let scalarParent = -1; // the indent of the line that opened a block scalar, while in one
  let max = 0;
  for (const line of src.split("\n")) {
    let i = 0;
    while (line[i] === " ") i++;
    const blank = i === line.length || line[i] === "#" || line[i] === "\r";
    if (scalarParent >= 0) {
      if (blank || i > scalarParent) continue;
      scalarParent = -1;
    }
    if (quote === "" && flow === 0) {
      if (blank) continue;
      const indent = i;
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      while ((line[i] === "-" || line[i] === "?") && (i + 1 === line.length || line[i + 1] === " " || line[i + 1] === "\t")) {
        indents.push(i);
        i += 2;
        while (line[i] === " ") i++;
      }
      // A flow collection's level is its bracket's.
      if (i < line.length && line[i] !== "[" && line[i] !== "{") indents.push(i);
      if (BLOCK_SCALAR_HEADER.test(line)) scalarParent = indent;
    }
    for (; i < line.length; i++) {
      const c = line[i] as string;
      if (quote !== "") {
        if (c === "\\" && quote === '"') i++;
        else if (c === quote) quote = "";
      } else if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) break;
      else if ((c === '"' || c === "'") && (i === 0 || TOKEN_START.includes(line[i - 1] as string))) quote = c;
      else if (c === "[" || c === "{") max = Math.max(max, indents.length + ++flow);
      else if ((c === "]" || c === "}") && flow > 0) flow--;
    }
    max = Math.max(max, indents.length + flow);
  }
  return max;
}
const BLOCK_SCALAR_HEADER = /(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$/;
/** what may stand before a quote that opens a quoted scalar */
const TOKEN_START = " \t[{,:-?";

/**
 * One conversion's state. Counts nodes decoded and those decoded through
 * aliases, to refuse alias bombs ("billion laughs") as go-yaml v2 does
 * (decoder.go, allowedAliasRatio); and charges each node converted: aliases
 * expand, so a few lines can stand for many nodes, and the yaml package
 * resolves each alias by visiting the document up to it.
 */
interface Decoding {
  nodes: number;
  aliased: number;
  aliasDepth: number;
  chargeNode: ((alias: boolean) => void) | undefined;
}

function allowedAliasRatio(nodes: number): number {
  if (nodes <= 400_000) return 0.99;
  if (nodes >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (nodes - 400_000)) / 3_600_000;
}

/** Converts a parsed node to go-yaml's interface{} value. */
function toGoYAML(doc: Document, node: unknown, depth: number, d: Decoding): GoYAML {
  if (depth > YAML_MAX_DEPTH) throw new YAMLError(DEPTH_ERROR);
  d.chargeNode?.(isAlias(node));
  d.nodes++;
  if (d.aliasDepth > 0) d.aliased++;
  if (d.aliased > 100 && d.nodes > 1000 && d.aliased / d.nodes > allowedAliasRatio(d.nodes))
    throw new YAMLError("yaml: document contains excessive aliasing");
  if (node === null || node === undefined) return { t: "null" };
  if (isAlias(node)) {
    d.aliasDepth++;
    try {
      return toGoYAML(doc, node.resolve(doc), depth + 1, d);
    } finally {
      d.aliasDepth--;
    }
  }
  if (isScalar(node)) {
    const text = String(node.value ?? "");
    const plain = node.type === "PLAIN";
    if (node.tag) return resolveTagged(node.tag, text, plain);
    if (!plain) return { t: "str", v: text };
    const r = resolvePlain(text);
    return r.t === "timestamp" ? { t: "str", v: text } : r;
  }
  if (isSeq(node)) return { t: "seq", v: node.items.map((x) => toGoYAML(doc, x, depth + 1, d)) };
  if (isMap(node)) {
    const out = new Map<string, GoYAML>();
    for (const pair of node.items) {
      const keyNode = pair.key as YNode | null;
      // Merge keys (<<) bring in the entries of the referenced mapping(s).
      if (isScalar(keyNode) && keyNode.type === "PLAIN" && keyNode.value === "<<" && !keyNode.tag) {
        const src = toGoYAML(doc, pair.value, depth + 1, d);
        const maps = src.t === "seq" ? [...src.v].reverse() : [src];
        for (const m of maps) {
          if (m.t !== "map") throw new YAMLError("yaml: map merge requires map or sequence of maps as the value");
          for (const [k, v] of m.v) out.set(k, v);
        }
        continue;
      }
      const key = toGoYAML(doc, keyNode, depth + 1, d);
      out.set(keyString(key), toGoYAML(doc, pair.value, depth + 1, d));
    }
    return { t: "map", v: out };
  }
  throw new YAMLError("yaml: unsupported node");
}

/** sigs.k8s.io/yaml's conversion of a map key to a JSON object key. */
function keyString(k: GoYAML): string {
  switch (k.t) {
    case "str":
    case "timestamp":
      return k.v;
    case "int":
      if (k.v > INT64_MAX) break;
      return k.v.toString();
    case "float": {
      const s = formatFloat32(k.v);
      return s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s;
    }
    case "bool":
      return k.v ? "true" : "false";
  }
  throw new YAMLError(`error converting YAML to JSON: unsupported map key of type: ${k.t}`);
}

/** strconv.FormatFloat(f, 'g', -1, 32): shortest digits that read back as the same float32. */
function formatFloat32(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf";
  const target = Math.fround(f);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(target.toPrecision(p));
    if (Math.fround(candidate) === target) return formatFloat(candidate, "g", -1);
  }
  return formatFloat(target, "g", -1);
}

/**
 * yaml.unmarshal's parse: the first document of the stream (null when there is
 * none), as go-yaml decodes it.
 */
export function parseYAML(src: string, charge?: (units: number) => void): GoYAML {
  if (nestingBound(src) > YAML_MAX_DEPTH) throw new YAMLError(DEPTH_ERROR);
  const docs = parseAllDocuments(src, { schema: "failsafe", uniqueKeys: false, merge: false, version: "1.1", prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0] as Document | undefined;
  if (!doc) return { t: "null" };
  const err = doc.errors[0] as unknown as { code: string; message: string; pos: [number, number] } | undefined;
  if (err) throw new YAMLError("error converting YAML to JSON: " + parseErrorMessage(src, err));
  let stopped: unknown;
  const chargeNode =
    charge &&
    ((alias: boolean) => {
      try {
        // a node is one unit; an alias also a unit per 2 characters of the text its resolution visits
        charge(alias ? 1 + (src.length >> 1) : 1);
      } catch (e) {
        stopped = e;
        throw e;
      }
    });
  try {
    return toGoYAML(doc, doc.contents, 0, { nodes: 0, aliased: 0, aliasDepth: 0, chargeNode });
  } catch (e) {
    // The yaml package reports problems such as unknown aliases by throwing; the charge's own error passes.
    if (e === stopped || e instanceof YAMLError || !(e instanceof Error)) throw e;
    throw new YAMLError(`error converting YAML to JSON: yaml: ${e.message}`);
  }
}

// ---------------------------------------------------------------- emitting

/** go-yaml v2's map key order: numbers within keys compare numerically. */
function naturalLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  const isLetter = (c: string) => /\p{L}/u.test(c);
  const isDigit = (c: string) => /\p{Nd}/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i] as string);
    const bl = isLetter(br[i] as string);
    if (al && bl) return (ar[i] as string).codePointAt(0)! < (br[i] as string).codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ar[i] as string).codePointAt(0)! < (br[i] as string).codePointAt(0)!;
  }
  return ar.length < br.length;
}

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

type Style = "plain" | "single" | "double" | "literal";

/** libyaml's analysis of a scalar: which styles can represent it. */
function analyze(s: string) {
  const r = { multiline: false, flowPlain: true, blockPlain: true, single: true, block: true };
  if (s === "") return { multiline: false, flowPlain: false, blockPlain: true, single: true, block: false };
  let blockInd = false;
  let flowInd = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  if (s.startsWith("---") || s.startsWith("...")) blockInd = flowInd = true;
  const cps = Array.from(s);
  let precededByWS = true;
  cps.forEach((ch, i) => {
    const next = cps[i + 1];
    const followedByWS = next === undefined || next === " " || next === "\t" || isBreak(next);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) flowInd = blockInd = true;
      else if (ch === "?" || ch === ":") {
        flowInd = true;
        if (followedByWS) blockInd = true;
      } else if (ch === "-" && followedByWS) flowInd = blockInd = true;
    } else if (",?[]{}".includes(ch)) flowInd = true;
    else if (ch === ":") {
      flowInd = true;
      if (followedByWS) blockInd = true;
    } else if (ch === "#" && precededByWS) flowInd = blockInd = true;
    if (!isPrintable(ch)) special = true;
    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(ch)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = prevBreak = false;
    }
    precededByWS = ch === " " || ch === "\t" || isBreak(ch);
  });
  r.multiline = lineBreaks;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) r.flowPlain = r.blockPlain = false;
  if (trailingSpace) r.block = false;
  if (breakSpace) r.flowPlain = r.blockPlain = r.single = false;
  if (spaceBreak || special) r.flowPlain = r.blockPlain = r.single = r.block = false;
  if (lineBreaks) r.flowPlain = r.blockPlain = false;
  if (flowInd) r.flowPlain = false;
  if (blockInd) r.blockPlain = false;
  return r;
}

function isBreak(ch: string): boolean {
  return ch === "\n" || ch === "\r" || ch === "\u0085" || ch === "\u2028" || ch === "\u2029";
}

/** libyaml's is_printable (with the emitter in unicode mode). */
function isPrintable(ch: string): boolean {
  const c = ch.codePointAt(0) as number;
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

class Emitter {
  out = "";
  column = 0;
  whitespace = true;
  indention = true;

  /** `charge` is paid per line for its padding: a value nested n deep pads each of its lines by about 2n, so the text grows with the square of the depth. */
  constructor(private readonly charge?: (units: number) => void) {}

  private put(s: string): void {
    this.out += s;
    this.column += Array.from(s).length;
  }

  private newline(): void {
    this.out += "\n";
    this.column = 0;
  }

  /** libyaml's write_indent: break the line unless already at the indentation, then pad. */
  writeIndent(indent: number): void {
    const ind = Math.max(indent, 0);
    if (!this.indention || this.column > ind || (this.column === ind && !this.whitespace)) this.newline();
    if (this.column < ind) {
      this.charge?.(ind - this.column);
      this.out += " ".repeat(ind - this.column);
      this.column = ind;
    }
    this.whitespace = true;
    this.indention = true;
  }

  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** The style go-yaml picks for a string, given where it is written. */
  private styleFor(s: string, simpleKey: boolean, canUsePlain: boolean): Style {
    const a = analyze(s);
    let style: Style = s.includes("\n") ? "literal" : canUsePlain ? "plain" : "double";
    if (style === "plain") {
      if (!a.blockPlain || (s === "" && simpleKey)) style = "single";
    }
    if (style === "single" && !a.single) style = "double";
    if (style === "literal" && (!a.block || simpleKey)) style = "double";
    // Breaks other than \n are written escaped.
    if ((style === "single" || style === "plain") && /[\r\u0085\u2028\u2029]/.test(s)) style = "double";
    return style;
  }

  scalar(text: string, indent: number, simpleKey: boolean, canUsePlain: boolean): void {
    const style = this.styleFor(text, simpleKey, canUsePlain);
    const allowBreaks = !simpleKey;
    switch (style) {
      case "plain":
        this.plain(text, indent, allowBreaks);
        break;
      case "single":
        this.single(text, indent, allowBreaks);
        break;
      case "double":
        this.double(text, indent, allowBreaks);
        break;
      case "literal":
        this.literal(text, indent);
        break;
    }
  }

  /** Plain text that go-yaml would never fold or quote (numbers, booleans, null). */
  word(text: string): void {
    if (!this.whitespace) this.put(" ");
    this.put(text);
    this.whitespace = false;
    this.indention = false;
  }

  private plain(s: string, indent: number, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    const cps = Array.from(s);
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i] as string;
      if (ch === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && cps[i + 1] !== " ") this.writeIndent(indent);
        else this.put(ch);
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
      this.indention = false;
    }
    this.whitespace = false;
    this.indention = false;
  }

  private single(s: string, indent: number, allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    const cps = Array.from(s);
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i] as string;
      if (ch === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1 && cps[i + 1] !== " ")
          this.writeIndent(indent);
        else this.put(ch);
        spaces = true;
      } else {
        this.put(ch === "'" ? "''" : ch);
        this.indention = false;
        spaces = false;
      }
    }
    this.indicator("'", false, false, false);
  }

  private double(s: string, indent: number, allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    const cps = Array.from(s);
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const ch = cps[i] as string;
      const c = ch.codePointAt(0) as number;
      if (!isPrintable(ch) || c === 0xfeff || isBreak(ch) || ch === '"' || ch === "\\") {
        this.put("\\" + escapeDouble(c));
        spaces = false;
      } else if (ch === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== cps.length - 1) {
          this.writeIndent(indent);
          if (cps[i + 1] === " ") this.put("\\");
        } else this.put(ch);
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
  }

  private literal(s: string, indent: number): void {
    this.indicator("|", true, false, false);
    // Block scalar hints: an indentation indicator when the text starts with
    // a space or break, and the chomping indicator for its trailing breaks.
    if (s[0] === " " || isBreak(s[0] ?? "")) this.indicator(String(BEST_INDENT), false, false, false);
    let chomp = "";
    if (!s.endsWith("\n")) chomp = "-";
    else if (s === "\n" || s.endsWith("\n\n")) chomp = "+";
    if (chomp) this.indicator(chomp, false, false, false);
    this.newline();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const ch of s) {
      if (ch === "\n") {
        this.newline();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) {
          this.writeIndent(indent);
          breaks = false;
        }
        this.put(ch);
        this.indention = false;
      }
    }
  }
}

function escapeDouble(c: number): string {
  const simple: Record<number, string> = {
    0x00: "0",
    0x07: "a",
    0x08: "b",
    0x09: "t",
    0x0a: "n",
    0x0b: "v",
    0x0c: "f",
    0x0d: "r",
    0x1b: "e",
    0x22: '"',
    0x5c: "\\",
    0x85: "N",
    0xa0: "_",
    0x2028: "L",
    0x2029: "P",
  };
  const s = simple[c];
  if (s !== undefined) return s;
  if (c <= 0xff) return "x" + c.toString(16).toUpperCase().padStart(2, "0");
  if (c <= 0xffff) return "u" + c.toString(16).toUpperCase().padStart(4, "0");
  return "U" + c.toString(16).toUpperCase().padStart(8, "0");
}

/** A node to emit, with its block's indentation, or text the emitter writes before the next one. */
type EmitTask = { v: GoYAML; indent: number; inMapping: boolean } | ((e: Emitter) => void);

/**
 * Emits a node whose first character goes at the current position; `indent`
 * is its block's indentation. Collections are emitted from a work list, so
 * a value of any depth is written in the order recursion would write it.
 */
function emitNode(e: Emitter, root: GoYAML, rootIndent: number, rootInMapping: boolean): void {
  const todo: EmitTask[] = [{ v: root, indent: rootIndent, inMapping: rootInMapping }];
  while (todo.length > 0) {
    const task = todo.pop() as EmitTask;
    if (typeof task === "function") {
      task(e);
      continue;
    }
    const { v, indent, inMapping } = task;
    switch (v.t) {
      case "null":
        e.word("null");
        break;
      case "bool":
        e.word(v.v ? "true" : "false");
        break;
      case "int":
        e.word(v.v.toString());
        break;
      case "float": {
        const s = formatFloat(v.v, "g", -1);
        e.word(s === "+Inf" ? ".inf" : s === "-Inf" ? "-.inf" : s === "NaN" ? ".nan" : s);
        break;
      }
      case "str":
      case "timestamp":
        e.scalar(v.v, indent + BEST_INDENT, false, canUsePlain(v.v));
        break;
      case "seq": {
        if (v.v.length === 0) {
          e.indicator("[]", true, false, false);
          break;
        }
        // Sequences directly inside a mapping are not indented (go-yaml v2).
        const seqIndent = inMapping ? indent : indent + BEST_INDENT;
        const item = (em: Emitter) => {
          em.writeIndent(seqIndent);
          em.indicator("-", true, false, true);
        };
        for (let i = v.v.length - 1; i >= 0; i--) todo.push({ v: v.v[i] as GoYAML, indent: seqIndent, inMapping: false }, item);
        break;
      }
      case "map": {
        if (v.v.size === 0) {
          e.indicator("{}", true, false, false);
          break;
        }
        const mapIndent = indent + BEST_INDENT;
        const keys = [...v.v.keys()].sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i] as string;
          const key = (em: Emitter) => {
            em.writeIndent(mapIndent);
            const simple = Array.from(k).length <= 128 && !/[\n\r\u0085\u2028\u2029]/.test(k);
            if (simple) {
              em.scalar(k, mapIndent + BEST_INDENT, true, canUsePlain(k));
              em.indicator(":", false, false, false);
            } else {
              em.indicator("?", true, false, true);
              em.scalar(k, mapIndent + BEST_INDENT, false, canUsePlain(k));
              em.writeIndent(mapIndent);
              em.indicator(":", true, false, true);
            }
          };
          todo.push({ v: v.v.get(k) as GoYAML, indent: mapIndent, inMapping: true }, key);
        }
        break;
      }
    }
  }
}

/** A string can be written plain only if go-yaml would read it back as that string. */
function canUsePlain(s: string): boolean {
  return resolvePlain(s).t === "str" && !BASE60_FLOAT.test(s);
}

/** How go-yaml reads back a number of the JSON text OPA writes: an int or a float, else a string. */
export function resolveJSONNumber(text: string): GoYAML {
  const r = resolvePlain(text);
  return r.t === "int" || r.t === "float" ? r : { t: "str", v: text };
}

/** yaml.marshal's emitter: go-yaml v2's block style; `charge` pays for the padding of the lines, one unit a byte. */
export function emitYAML(root: GoYAML, charge?: (units: number) => void): string {
  const e = new Emitter(charge);
  // A root collection starts at column 0; a root scalar folds at indentation 2.
  emitNode(e, root, root.t === "map" || root.t === "seq" ? -BEST_INDENT : 0, false);
  return e.out + "\n";
}
