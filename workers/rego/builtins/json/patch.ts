/**
 * json.patch: RFC 6902 operations with OPA's semantics (topdown/json.go over
 * its EditTree). Documents may contain sets: a set member is addressed by the
 * member itself, and adding to a set requires the key to equal the value.
 * Each operation rebuilds the path it touches and shares the rest; any
 * failure makes the whole patch undefined.
 */
import type { Value } from "../../value/index.js";
import { RObject, RSet, equals, isFloatForm, isOpaIntText } from "../../value/index.js";
import { parsePath } from "./paths.js";

class PatchFailed extends Error {}

function fail(message: string): never {
  throw new PatchFailed(message);
}

/** Marks a document whose root a "remove" with an empty path has deleted. */
const DELETED = Symbol("deleted");
type Doc = Value | typeof DELETED;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The EditTree's toIndex: an integer, "-" (one past the end), or a string
 * that Go's ParseInt accepts without leading zeros.
 */
function toIndex(length: number, seg: Value): number {
  let n: bigint;
  if (typeof seg === "number") {
    if (!Number.isInteger(seg)) fail("invalid number type for indexing");
    n = BigInt(seg);
  } else if (typeof seg === "bigint") {
    // OPA reads the index from the number's text: `1e0` is none.
    if (isFloatForm(seg)) fail("invalid number type for indexing");
    n = seg;
  } else if (typeof seg === "string") {
    if (seg === "-") return length;
    // Also from the text, so `1.0` and `+1` are 1 (OPA 1.20's util.Atoi64).
    if (!isOpaIntText(seg)) fail("invalid string for indexing");
    n = BigInt(seg.replace(/\.0*$/, ""));
    if (seg !== "0" && seg.startsWith("0")) fail("leading zeros are not allowed in JSON paths");
  } else {
    return fail("invalid type for indexing");
  }
  if (n < INT64_MIN || n > INT64_MAX) fail("invalid number type for indexing");
  // Out-of-range values only need to compare as out of range.
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < -1n ? -1 : Number(n);
}

/** The member of a set equal to `seg` (the set's own copy), if any. */
function setMember(s: RSet, seg: Value): Value | undefined {
  return s.has(seg) ? seg : undefined;
}

/** The value at `path`; fails when any step is missing. */
function valueAt(doc: Doc, path: Value[]): Value {
  if (doc === DELETED) return fail("nil value encountered where composite value was expected");
  let node: Value = doc;
  for (const seg of path) {
    let next: Value | undefined;
    if (node instanceof RObject) next = node.get(seg);
    else if (node instanceof RSet) next = setMember(node, seg);
    else if (Array.isArray(node)) {
      const i = toIndex(node.length, seg);
      next = i >= 0 && i < node.length ? node[i] : undefined;
    } else fail("expected composite type");
    if (next === undefined) fail("path does not exist");
    node = next as Value;
  }
  return node;
}

/**
 * Rebuilds `node` with `fn` applied to the value at `path` (which must
 * exist): down the path to find each node, then up it to copy each with its
 * new child, so a path of any length costs no stack and no copies of the path.
 */
function modifyAt(node: Value, path: Value[], fn: (v: Value) => Value): Value {
  // along[i] is the node at depth i; keys[i] the key (or set member) of along[i + 1] in it.
  const along: Value[] = [node];
  const keys: Value[] = [];
  for (const seg of path) {
    const cur = along[along.length - 1] as Value;
    let key: Value;
    let child: Value | undefined;
    if (cur instanceof RObject) {
      child = cur.get(seg);
      if (child === undefined) fail("path does not exist in object");
      key = seg;
    } else if (cur instanceof RSet) {
      child = setMember(cur, seg);
      if (child === undefined) fail("path does not exist in set");
      key = child as Value;
    } else if (Array.isArray(cur)) {
      const i = toIndex(cur.length, seg);
      if (i < 0 || i >= cur.length) fail("path does not exist in array");
      child = cur[i];
      key = i;
    } else return fail("expected composite type");
    keys.push(key);
    along.push(child as Value);
  }
  let v = fn(along[along.length - 1] as Value);
  for (let d = keys.length - 1; d >= 0; d--) {
    const parent = along[d] as Value;
    const key = keys[d] as Value;
    if (parent instanceof RObject) {
      const out = parent.clone();
      out.set(key, v);
      v = out;
    } else if (parent instanceof RSet) {
      const out = parent.clone();
      out.delete(key);
      out.add(v);
      v = out;
    } else {
      const out = (parent as Value[]).slice();
      out[key as number] = v;
      v = out;
    }
  }
  return v;
}

function insertChild(parent: Value, key: Value, value: Value): Value {
  if (parent instanceof RObject) {
    const out = parent.clone();
    out.set(key, value);
    return out;
  }
  if (parent instanceof RSet) {
    if (!equals(key, value)) fail("set key does not equal value to be inserted");
    const out = parent.clone();
    out.add(value);
    return out;
  }
  if (Array.isArray(parent)) {
    const i = toIndex(parent.length, key);
    if (i < 0 || i > parent.length) fail("index for array insertion out of bounds");
    const out = parent.slice();
    out.splice(i, 0, value);
    return out;
  }
  return fail("expected composite type");
}

function deleteChild(parent: Value, key: Value): Value {
  if (parent instanceof RObject || parent instanceof RSet) {
    if (!parent.has(key)) fail("cannot delete child key that does not exist");
    const out = parent.clone();
    out.delete(key);
    return out;
  }
  if (Array.isArray(parent)) {
    const i = toIndex(parent.length, key);
    if (i < 0 || i > parent.length - 1) fail("index for array delete out of bounds");
    const out = parent.slice();
    out.splice(i, 1);
    return out;
  }
  return fail("expected composite type");
}

function insertAt(doc: Doc, path: Value[], value: Value): Doc {
  if (path.length === 0) return value;
  if (doc === DELETED) return fail("nil value encountered where composite value was expected");
  const key = path[path.length - 1] as Value;
  return modifyAt(doc, path.slice(0, -1), (parent) => insertChild(parent, key, value));
}

function deleteAt(doc: Doc, path: Value[]): Doc {
  if (doc === DELETED) return fail("deleted node encountered during delete operation");
  if (path.length === 0) return DELETED;
  const key = path[path.length - 1] as Value;
  return modifyAt(doc, path.slice(0, -1), (parent) => deleteChild(parent, key));
}

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

interface Operation {
  op: string;
  path: Value;
  from?: Value;
  value?: Value;
}

/** OPA's getPatch: "op" and "path" always; "from" for move/copy; "value" for add/replace/test. */
function readOperation(v: Value): Operation {
  if (!(v instanceof RObject)) return fail("must be an array of JSON-Patch objects");
  const attr = (name: string): Value => {
    const a = v.getString(name);
    if (a === undefined) fail(`missing '${name}' attribute`);
    return a as Value;
  };
  const op = attr("op");
  if (typeof op !== "string") fail("attribute 'op' must be a string");
  if (!OPS.has(op as string)) fail(`unrecognized op '${op as string}'`);
  const out: Operation = { op: op as string, path: attr("path") };
  if (op === "move" || op === "copy") out.from = attr("from");
  if (op === "add" || op === "replace" || op === "test") out.value = attr("value");
  return out;
}

function pathOf(v: Value): Value[] {
  try {
    return parsePath(v);
  } catch {
    return fail("invalid path");
  }
}

/** Applies `operations` to `doc`; undefined when any of them fails. */
export function applyPatch(doc: Value, operations: Value[]): Value | undefined {
  let cur: Doc = doc;
  try {
    for (const raw of operations) {
      const o = readOperation(raw);
      const path = pathOf(o.path);
      switch (o.op) {
        case "add":
          cur = insertAt(cur, path, o.value as Value);
          break;
        case "remove":
          cur = deleteAt(cur, path);
          break;
        case "replace":
          cur = insertAt(deleteAt(cur, path), path, o.value as Value);
          break;
        case "move": {
          const from = pathOf(o.from as Value);
          const chunk = valueAt(cur, from);
          cur = insertAt(deleteAt(cur, from), path, chunk);
          break;
        }
        case "copy": {
          const from = pathOf(o.from as Value);
          cur = insertAt(cur, path, valueAt(cur, from));
          break;
        }
        case "test":
          if (!equals(valueAt(cur, path), o.value as Value)) fail("test failed");
          break;
      }
    }
  } catch (e) {
    if (e instanceof PatchFailed) return undefined;
    throw e;
  }
  return cur === DELETED ? undefined : cur;
}
