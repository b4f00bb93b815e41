/**
 * Schema loading as gojsonschema does it for OPA (SchemaLoader with automatic
 * draft detection, "hybrid" draft by default, no meta-schema validation,
 * pattern compilation on): the same checks in the same order, so an invalid
 * schema fails with the same message.
 *
 * References resolve within the schema document: "#", JSON pointers,
 * and $id / id anchors. Remote documents cannot be fetched from a policy.
 */
import type { RE2JS } from "re2js";
import { RegexpError, compileRegex } from "../../goruntime/regexp.js";
import type { JMap, JNode, Rat } from "./document.js";
import { canonicalJSON, isInteger, isJMap, isJNumber, toRat } from "./document.js";
import { Nesting } from "../nesting.js";

export class SchemaError extends Error {}

const DRAFT4 = 4;
const DRAFT6 = 6;
const DRAFT7 = 7;
const HYBRID = 2147483647;

const DRAFT_URLS = new Map([
  ["http://json-schema.org/draft-04/schema", DRAFT4],
  ["http://json-schema.org/draft-06/schema", DRAFT6],
  ["http://json-schema.org/draft-07/schema", DRAFT7],
]);

export const JSON_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

export interface SubSchema {
  draft: number;
  property: string;
  parent?: SubSchema;
  id?: string;
  ref?: string;
  refSchema?: SubSchema;
  /** Boolean schemas (draft 6 on): true passes, false fails. */
  pass?: boolean;
  types: string[];
  itemsChildren: SubSchema[];
  itemsSingle: boolean;
  properties: SubSchema[];
  multipleOf?: Rat;
  maximum?: Rat;
  exclusiveMaximum?: Rat;
  minimum?: Rat;
  exclusiveMinimum?: Rat;
  minLength?: number;
  maxLength?: number;
  pattern?: { source: string; re: RE2JS };
  format?: string;
  minProperties?: number;
  maxProperties?: number;
  required: string[];
  dependencies?: Map<string, string[] | SubSchema>;
  additionalProperties?: boolean | SubSchema;
  patternProperties?: Map<string, SubSchema>;
  propertyNames?: SubSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
  contains?: SubSchema;
  additionalItems?: boolean | SubSchema;
  constJSON?: string;
  enumPresent: boolean;
  enumJSON: string[];
  oneOf: SubSchema[];
  anyOf: SubSchema[];
  allOf: SubSchema[];
  not?: SubSchema;
  if?: SubSchema;
  then?: SubSchema;
  else?: SubSchema;
}

function newSchema(property: string, parent: SubSchema | undefined, ref: string | undefined): SubSchema {
  return {
    draft: parent?.draft ?? HYBRID,
    property,
    ...(parent ? { parent } : {}),
    ...(ref !== undefined ? { ref } : {}),
    types: [],
    itemsChildren: [],
    itemsSingle: false,
    properties: [],
    required: [],
    uniqueItems: false,
    enumPresent: false,
    enumJSON: [],
    oneOf: [],
    anyOf: [],
    allOf: [],
  };
}

// ---------------------------------------------------------------------------
// Messages (gojsonschema's default locale)

const err = (message: string) => new SchemaError(message);
const invalidType = (expected: string, given: string) => err(`Invalid type. Expected: ${expected}, given: ${given}`);
const mustBeOfA = (x: string, y: string) => err(`${x} must be of a ${y}`);
const mustBeOfAn = (x: string, y: string) => err(`${x} must be of an ${y}`);
const mustBeOfType = (key: string, type: string) => err(`${key} must be of type ${type}`);
const mustBeGTEZero = (key: string) => err(`${key} must be greater than or equal to 0`);
const itemsMustBeUnique = (key: string) => err(`${key} items must be unique`);
const cannotBeUsedWithout = (x: string, y: string) => err(`${x} cannot be used without ${y}`);

const STRING_SCHEMA = "valid schema";
const ARRAY_OF_SCHEMAS = "array of schemas";

// ---------------------------------------------------------------------------
// References

function hasScheme(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s);
}

/** A reference as gojsonreference prints it: an empty fragment is dropped. */
function normalizeRef(s: string): string {
  if (hasScheme(s)) {
    try {
      s = new URL(s).href;
    } catch {
      // keep as written
    }
  }
  return s.endsWith("#") ? s.slice(0, -1) : s;
}

/** gojsonreference's Inherits: `child` resolved against `base` (whose fragment is ignored). */
function resolveRef(base: string, child: string): string {
  if (hasScheme(child)) return normalizeRef(child);
  const baseURL = base.split("#")[0] as string;
  if (child.startsWith("#")) return normalizeRef(baseURL + child);
  if (hasScheme(baseURL)) {
    try {
      return normalizeRef(new URL(child, baseURL).href);
    } catch {
      return normalizeRef(child);
    }
  }
  return normalizeRef(child);
}

interface PoolDocument {
  doc: JNode;
  draft: number | undefined;
}

function draftOf(doc: JNode): number | undefined {
  if (typeof doc === "boolean") return undefined;
  if (!isJMap(doc)) throw err("schema is invalid");
  const s = doc.get("$schema");
  if (s === undefined) return undefined;
  if (typeof s !== "string") throw mustBeOfType("$schema", "string");
  return DRAFT_URLS.get(normalizeRef(s));
}

/** Documents by reference, and every $id / id inside them (gojsonschema's schemaPool). */
class Pool {
  private readonly docs = new Map<string, PoolDocument>();

  add(doc: JNode, ref: string): void {
    const draft = draftOf(doc);
    this.walk(doc, ref, draft);
    this.docs.set(ref, { doc, draft });
  }

  /** Registers ids and rewrites every $ref to its absolute form, in place. */
  private walk(node: JNode, ref: string, draft: number | undefined): void {
    if (Array.isArray(node)) {
      for (const v of node) this.walk(v, ref, draft);
      return;
    }
    if (!isJMap(node)) return;
    let local = ref;
    const idKey = node.has("id") ? "id" : "$id";
    const id = node.get(idKey);
    if (typeof id === "string") {
      local = resolveRef(ref, id);
      if (!this.docs.has(local)) this.docs.set(local, { doc: node, draft });
    }
    const r = node.get("$ref");
    if (typeof r === "string") node.set("$ref", resolveRef(local, r));
    for (const [k, v] of node) {
      // const and enum are data; properties & co. are maps of schemas, not schemas.
      if (k === "const" || k === "enum") continue;
      if (k === "properties" || k === "dependencies" || k === "patternProperties") {
        if (isJMap(v)) for (const child of v.values()) this.walk(child, local, draft);
      } else {
        this.walk(v, local, draft);
      }
    }
  }

  get(ref: string): PoolDocument {
    const hit = this.docs.get(ref);
    if (hit) return hit;
    const hash = ref.indexOf("#");
    const base = hash < 0 ? ref : ref.slice(0, hash);
    const cached = this.docs.get(base);
    if (cached) {
      const doc = pointerGet(cached.doc, hash < 0 ? "" : ref.slice(hash + 1));
      const found = { doc, draft: cached.draft };
      this.docs.set(ref, found);
      return found;
    }
    if (!hasScheme(ref)) throw err(`Reference ${ref} must be canonical`);
    throw err(`Could not load schema ${ref}: remote references are not available to policies`);
  }
}

/** A JSON pointer (URL fragment form) into `doc`, with gojsonpointer's messages. */
function pointerGet(doc: JNode, fragment: string): JNode {
  let pointer: string;
  try {
    pointer = decodeURIComponent(fragment);
  } catch {
    pointer = fragment;
  }
  if (pointer === "") return doc;
  if (!pointer.startsWith("/")) throw err('JSON pointer must be empty or start with a "/"');
  let node = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (isJMap(node)) {
      const next = node.get(token);
      if (next === undefined) throw err(`Object has no key '${token}'`);
      node = next;
    } else if (Array.isArray(node)) {
      if (!/^[+-]?[0-9]+$/.test(token)) throw err(`Invalid array index '${token}'`);
      const i = Number(token);
      if (i < 0 || i >= node.length) throw err(`Out of bound array[0,${node.length - 1}] index '${i}'`);
      node = node[i] as JNode;
    } else {
      throw err(`Invalid token reference '${token}'`);
    }
  }
  return node;
}

// ---------------------------------------------------------------------------
// Parsing

interface Compiled {
  root: SubSchema;
}

/** gojsonschema's SchemaLoader.Compile for a document given inline. */
export function compileSchema(doc: JNode): Compiled {
  const pool = new Pool();
  pool.add(doc, "");
  const draft = draftOf(doc) ?? HYBRID;
  const parser = new Parser(pool);
  const root = newSchema("(root)", undefined, undefined);
  root.draft = draft;
  parser.parse(doc, root, true);
  return { root };
}

class Parser {
  /** Schemas by reference, so recursive references terminate. */
  private readonly refs = new Map<string, SubSchema>();
  /** Parsing follows $refs as it meets them: a chain of them nests however deep the document does not. */
  private readonly nesting = new Nesting("schema");

  constructor(private readonly pool: Pool) {}

  parse(node: JNode, s: SubSchema, isRoot = false): void {
    this.nesting.enter();
    this.parseSchema(node, s, isRoot);
    this.nesting.leave();
  }

  private parseSchema(node: JNode, s: SubSchema, isRoot: boolean): void {
    if (s.draft >= DRAFT6 && typeof node === "boolean") {
      s.pass = node;
      return;
    }
    if (!isJMap(node)) throw err(`Expected: ${STRING_SCHEMA}, given: Invalid JSON`);
    const m = node;
    if (isRoot) {
      s.ref = "";
      s.id = "";
    }
    if (s.id === undefined && s.parent) s.id = s.parent.id;

    const idKey = s.draft === DRAFT4 ? "id" : s.draft === HYBRID && m.has("id") ? "id" : "$id";
    const id = getString(m, idKey);
    if (id !== undefined) s.id = isRoot ? normalizeRef(id) : resolveRef(s.parent?.id ?? "", id);

    const defs = m.get("definitions");
    if (defs !== undefined) {
      if (!isJMap(defs)) throw invalidType(ARRAY_OF_SCHEMAS, "definitions");
      for (const dv of defs.values()) {
        if (typeof dv !== "boolean" && !isJMap(dv)) throw invalidType(ARRAY_OF_SCHEMAS, "definitions");
        this.parse(dv, newSchema("definitions", s, undefined));
      }
    }

    getString(m, "title");
    getString(m, "description");

    const ref = getString(m, "$ref");
    if (ref !== undefined) {
      s.ref = normalizeRef(ref);
      const known = this.refs.get(s.ref);
      if (known) s.refSchema = known;
      else return this.parseReference(s);
    }

    const type = m.get("type");
    if (type !== undefined) {
      if (typeof type === "string") addType(s, type);
      else if (Array.isArray(type)) {
        for (const t of type) {
          if (typeof t !== "string") throw invalidType("type", "string/array of strings");
          addType(s, t);
        }
      } else throw invalidType("type", "string/array of strings");
    }

    const props = m.get("properties");
    if (props !== undefined) {
      if (!isJMap(props)) throw mustBeOfType("properties", "object");
      for (const [k, v] of props) {
        const child = newSchema(k, s, s.ref);
        s.properties.push(child);
        this.parse(v, child);
      }
    }

    const ap = m.get("additionalProperties");
    if (ap !== undefined) {
      if (typeof ap === "boolean") s.additionalProperties = ap;
      else if (isJMap(ap)) {
        const child = newSchema("additionalProperties", s, s.ref);
        s.additionalProperties = child;
        this.parse(ap, child);
      } else throw invalidType("boolean/" + STRING_SCHEMA, "additionalProperties");
    }

    const pp = m.get("patternProperties");
    if (pp !== undefined) {
      if (!isJMap(pp)) throw invalidType(STRING_SCHEMA, "patternProperties");
      if (pp.size > 0) {
        s.patternProperties = new Map();
        for (const [k, v] of pp) {
          if (compileRE2(k) === undefined) throw err(`Invalid regex pattern '${k}'`);
          const child = newSchema(k, s, s.ref);
          this.parse(v, child);
          s.patternProperties.set(k, child);
        }
      }
    }

    const pn = m.get("propertyNames");
    if (pn !== undefined && s.draft >= DRAFT6) {
      if (typeof pn !== "boolean" && !isJMap(pn)) throw invalidType(STRING_SCHEMA, "patternProperties");
      s.propertyNames = newSchema("propertyNames", s, s.ref);
      this.parse(pn, s.propertyNames);
    }

    const deps = m.get("dependencies");
    if (deps !== undefined) this.parseDependencies(deps, s);

    const items = m.get("items");
    if (items !== undefined) {
      if (Array.isArray(items)) {
        for (const it of items) {
          if (typeof it !== "boolean" && !isJMap(it)) throw invalidType(STRING_SCHEMA + "/" + ARRAY_OF_SCHEMAS, "items");
          const child = newSchema("items", s, s.ref);
          s.itemsChildren.push(child);
          this.parse(it, child);
          s.itemsSingle = false;
        }
      } else if (typeof items === "boolean" || isJMap(items)) {
        const child = newSchema("items", s, s.ref);
        s.itemsChildren.push(child);
        this.parse(items, child);
        s.itemsSingle = true;
      } else throw invalidType(STRING_SCHEMA + "/" + ARRAY_OF_SCHEMAS, "items");
    }

    const ai = m.get("additionalItems");
    if (ai !== undefined) {
      if (typeof ai === "boolean") s.additionalItems = ai;
      else if (isJMap(ai)) {
        const child = newSchema("additionalItems", s, s.ref);
        s.additionalItems = child;
        this.parse(ai, child);
      } else throw invalidType("boolean/" + STRING_SCHEMA, "additionalItems");
    }

    this.parseNumberKeywords(m, s);
    this.parseStringKeywords(m, s);
    this.parseObjectKeywords(m, s);
    this.parseArrayKeywords(m, s);

    const cv = m.get("const");
    if (cv !== undefined && s.draft >= DRAFT6) s.constJSON = canonicalJSON(cv);

    const en = getSlice(m, "enum");
    s.enumPresent = m.has("enum");
    for (const v of en) {
      const text = canonicalJSON(v);
      if (s.enumJSON.includes(text)) throw itemsMustBeUnique("enum");
      s.enumJSON.push(text);
    }

    for (const [key, list] of [
      ["oneOf", s.oneOf],
      ["anyOf", s.anyOf],
      ["allOf", s.allOf],
    ] as const) {
      for (const v of getSlice(m, key)) {
        const child = newSchema(key, s, s.ref);
        list.push(child);
        this.parse(v, child);
      }
    }

    const not = m.get("not");
    if (not !== undefined) {
      if (typeof not !== "boolean" && !isJMap(not)) throw mustBeOfAn("not", "object");
      s.not = newSchema("not", s, s.ref);
      this.parse(not, s.not);
    }

    if (s.draft >= DRAFT7) {
      for (const key of ["if", "then", "else"] as const) {
        const v = m.get(key);
        if (v === undefined) continue;
        if (typeof v !== "boolean" && !isJMap(v)) throw mustBeOfAn(key, "object");
        const child = newSchema(key, s, s.ref);
        s[key] = child;
        this.parse(v, child);
      }
    }
  }

  private parseReference(s: SubSchema): void {
    const ref = s.ref as string;
    const target = newSchema("$ref", s, ref);
    this.refs.set(ref, target);
    const found = this.pool.get(ref);
    target.id = ref;
    if (found.draft !== undefined) target.draft = found.draft;
    if (typeof found.doc !== "boolean" && !isJMap(found.doc)) throw mustBeOfType(STRING_SCHEMA, "object");
    this.parse(found.doc, target);
    s.refSchema = target;
  }

  private parseDependencies(deps: JNode, s: SubSchema): void {
    if (!isJMap(deps)) throw mustBeOfType("dependencies", "object");
    s.dependencies = new Map();
    for (const [k, v] of deps) {
      if (Array.isArray(v)) {
        const names: string[] = [];
        for (const d of v) {
          if (typeof d !== "string") throw mustBeOfType("dependency", "schema or array of strings");
          names.push(d);
          s.dependencies.set(k, names);
        }
      } else if (typeof v === "boolean" || isJMap(v)) {
        const child = newSchema(k, s, s.ref);
        this.parse(v, child);
        s.dependencies.set(k, child);
      } else throw mustBeOfType("dependency", "schema or array of strings");
    }
  }

  private parseNumberKeywords(m: JMap, s: SubSchema): void {
    const mo = m.get("multipleOf");
    if (mo !== undefined) {
      if (!isJNumber(mo)) throw invalidType("number", "multipleOf");
      const r = toRat(mo);
      if (r.n <= 0n) throw err("multipleOf must be strictly greater than 0");
      s.multipleOf = r;
    }
    const min = m.get("minimum");
    if (min !== undefined) {
      if (!isJNumber(min)) throw mustBeOfA("minimum", "number");
      s.minimum = toRat(min);
    }
    this.parseExclusive(m, s, "exclusiveMinimum", "minimum");
    const max = m.get("maximum");
    if (max !== undefined) {
      if (!isJNumber(max)) throw mustBeOfA("maximum", "number");
      s.maximum = toRat(max);
    }
    this.parseExclusive(m, s, "exclusiveMaximum", "maximum");
  }

  /** Draft 4 makes exclusiveM* a boolean flag on minimum/maximum; later drafts a number. */
  private parseExclusive(m: JMap, s: SubSchema, key: "exclusiveMinimum" | "exclusiveMaximum", base: "minimum" | "maximum"): void {
    const v = m.get(key);
    if (v === undefined) return;
    const asFlag = () => {
      if (s[base] === undefined) throw cannotBeUsedWithout(key, base);
      if (v === true) {
        s[key] = s[base];
        delete s[base];
      }
    };
    if (s.draft === DRAFT4) {
      if (typeof v !== "boolean") throw invalidType("boolean", key);
      asFlag();
    } else if (s.draft === HYBRID) {
      if (typeof v === "boolean") asFlag();
      else if (isJNumber(v)) s[key] = toRat(v);
      else throw invalidType("boolean/number", key);
    } else {
      if (!isJNumber(v)) throw invalidType("number", key);
      s[key] = toRat(v);
    }
  }

  private parseStringKeywords(m: JMap, s: SubSchema): void {
    s.minLength = nonNegativeInt(m, "minLength");
    s.maxLength = nonNegativeInt(m, "maxLength");
    if (s.minLength !== undefined && s.maxLength !== undefined && s.minLength > s.maxLength) {
      throw err("minLength cannot be greater than maxLength");
    }
    const pattern = getString(m, "pattern");
    if (pattern !== undefined) {
      const re = compileRE2(pattern);
      if (re === undefined) throw err("pattern must be a valid regex");
      s.pattern = { source: pattern, re };
    }
    const format = getString(m, "format");
    if (format !== undefined) s.format = format;
  }

  private parseObjectKeywords(m: JMap, s: SubSchema): void {
    s.minProperties = nonNegativeInt(m, "minProperties");
    s.maxProperties = nonNegativeInt(m, "maxProperties");
    if (s.minProperties !== undefined && s.maxProperties !== undefined && s.minProperties > s.maxProperties) {
      throw err("minProperties cannot be greater than maxProperties");
    }
    for (const r of getSlice(m, "required")) {
      if (typeof r !== "string") throw invalidType("string", "required");
      if (s.required.includes(r)) throw itemsMustBeUnique("required");
      s.required.push(r);
    }
  }

  private parseArrayKeywords(m: JMap, s: SubSchema): void {
    s.minItems = nonNegativeInt(m, "minItems");
    s.maxItems = nonNegativeInt(m, "maxItems");
    const unique = m.get("uniqueItems");
    if (unique !== undefined) {
      if (typeof unique !== "boolean") throw mustBeOfA("uniqueItems", "boolean");
      s.uniqueItems = unique;
    }
    const contains = m.get("contains");
    if (contains !== undefined && s.draft >= DRAFT6) {
      s.contains = newSchema("contains", s, s.ref);
      this.parse(contains, s.contains);
    }
  }
}

function addType(s: SubSchema, t: string): void {
  if (!JSON_TYPES.includes(t)) {
    throw err(`has a primitive type that is NOT VALID -- given: /${t}/ Expected valid values are:[${JSON_TYPES.join(" ")}]`);
  }
  if (s.types.includes(t)) throw err(`${t} type is duplicated`);
  s.types.push(t);
}

function getString(m: JMap, key: string): string | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalidType("string", key);
  return v;
}

function getSlice(m: JMap, key: string): JNode[] {
  const v = m.get(key);
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw mustBeOfAn(key, "array");
  return v;
}

/** minLength & co.: an integer (as Go's Int64 reads it), at least 0. */
function nonNegativeInt(m: JMap, key: string): number | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  if (!isJNumber(v) || !isInteger(v) || (typeof v === "bigint" && (v > (1n << 63n) - 1n || v < -(1n << 63n)))) {
    throw mustBeOfAn(key, "integer");
  }
  const n = Number(v);
  if (n < 0) throw mustBeGTEZero(key);
  return n;
}

/** Go's regexp (RE2) syntax, compiled once per isolate; undefined when the pattern does not compile. */
export function compileRE2(pattern: string): RE2JS | undefined {
  try {
    return compileRegex(pattern);
  } catch (e) {
    if (e instanceof RegexpError) return undefined;
    throw e;
  }
}
