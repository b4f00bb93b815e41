/**
 * Rego's value model. Scalars are plain JavaScript values so the hot path
 * allocates nothing: null, boolean, string, and numbers as `number` (any
 * float, or an integer within ±2^53) or `bigint` (an integer beyond that, kept
 * exact). Collections: arrays are JavaScript arrays; objects and sets are the
 * classes below because their keys may be any value.
 *
 * Collections are built by mutation while an expression is planned out and are
 * treated as immutable once they have been handed on; every mutating method
 * clears the cached sort order and hash.
 */
import { hashKey, type HashKey } from "./hash.js";
import { compare } from "./compare.js";

export type Value = null | boolean | number | bigint | string | Value[] | RObject | RSet;

export class RObject {
  /** hash key → value */
  private values = new Map<HashKey, Value>();
  /** hash key → original key, only for keys whose hash key is not the key itself */
  private otherKeys: Map<HashKey, Value> | undefined;
  private sorted: Value[] | undefined;
  private sortedValues: Value[] | undefined;
  /** canonical encoding, cached for use as a hash key */
  canon: string | undefined;
  /** structural hash (see hashCode), cached */
  hash: number | undefined;

  static from(entries: Iterable<readonly [Value, Value]>): RObject {
    const o = new RObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  /** Builds an object from a record of string keys. */
  static fromRecord(rec: Record<string, Value>): RObject {
    const o = new RObject();
    for (const k of Object.keys(rec)) o.set(k, rec[k] as Value);
    return o;
  }

  get size(): number {
    return this.values.size;
  }

  get(key: Value): Value | undefined {
    return this.values.get(hashKey(key));
  }

  /** Fast path for the common case of a string key. */
  getString(key: string): Value | undefined {
    return this.values.get(key.length > 0 && key.charCodeAt(0) === 0 ? hashKey(key) : key);
  }

  has(key: Value): boolean {
    return this.values.has(hashKey(key));
  }

  set(key: Value, value: Value): void {
    const h = hashKey(key);
    if (!this.values.has(h)) {
      this.sorted = undefined;
      if (h !== key) (this.otherKeys ??= new Map()).set(h, key);
    }
    this.values.set(h, value);
    this.sortedValues = undefined;
    this.canon = undefined;
    this.hash = undefined;
  }

  delete(key: Value): void {
    const h = hashKey(key);
    if (this.values.delete(h)) {
      this.otherKeys?.delete(h);
      this.sorted = undefined;
      this.sortedValues = undefined;
      this.canon = undefined;
      this.hash = undefined;
    }
  }

  /** Keys in Rego's order. Cached until the next mutation. */
  keys(): Value[] {
    if (this.sorted === undefined) {
      const keys: Value[] = [];
      const other = this.otherKeys;
      for (const h of this.values.keys()) keys.push(other?.get(h) ?? (h as Value));
      if (keys.length > 1) keys.sort(compare);
      this.sorted = keys;
    }
    return this.sorted;
  }

  /** Values in key order (parallel to `keys()`). Cached until the next mutation. */
  valuesInKeyOrder(): Value[] {
    if (this.sortedValues === undefined) {
      const keys = this.keys();
      const vals: Value[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) vals[i] = this.values.get(hashKey(keys[i] as Value)) as Value;
      this.sortedValues = vals;
    }
    return this.sortedValues;
  }

  /** Entries in key order. */
  *entries(): IterableIterator<[Value, Value]> {
    for (const k of this.keys()) yield [k, this.values.get(hashKey(k)) as Value];
  }

  /** Calls `fn` for each entry in key order; stops early when `fn` returns true. */
  some(fn: (key: Value, value: Value) => boolean): boolean {
    const keys = this.keys();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as Value;
      if (fn(k, this.values.get(hashKey(k)) as Value)) return true;
    }
    return false;
  }

  /** Values in insertion order: cheaper when the order does not matter. */
  unorderedValues(): IterableIterator<Value> {
    return this.values.values();
  }

  /** Calls `fn` for every entry in insertion order (no allocation per entry). */
  forEachUnordered(fn: (key: Value, value: Value) => void): void {
    const other = this.otherKeys;
    this.values.forEach((v, h) => fn(other?.get(h) ?? (h as Value), v));
  }

  /** True when `fn` holds for every entry; visits entries in insertion order. */
  everyUnordered(fn: (key: Value, value: Value) => boolean): boolean {
    const other = this.otherKeys;
    for (const [h, v] of this.values) {
      if (!fn(other?.get(h) ?? (h as Value), v)) return false;
    }
    return true;
  }

  /** A copy that shares nothing mutable: the maps are copied whole (no re-hashing), the cached key order is shared until either changes. */
  clone(): RObject {
    const o = new RObject();
    o.values = new Map(this.values);
    if (this.otherKeys) o.otherKeys = new Map(this.otherKeys);
    o.sorted = this.sorted;
    return o;
  }
}

export class RSet {
  private members = new Map<HashKey, Value>();
  private sorted: Value[] | undefined;
  canon: string | undefined;
  hash: number | undefined;

  static from(values: Iterable<Value>): RSet {
    const s = new RSet();
    for (const v of values) s.add(v);
    return s;
  }

  get size(): number {
    return this.members.size;
  }

  has(v: Value): boolean {
    return this.members.has(hashKey(v));
  }

  add(v: Value): void {
    const h = hashKey(v);
    if (!this.members.has(h)) {
      this.members.set(h, v);
      this.sorted = undefined;
      this.canon = undefined;
      this.hash = undefined;
    }
  }

  delete(v: Value): void {
    if (this.members.delete(hashKey(v))) {
      this.sorted = undefined;
      this.canon = undefined;
      this.hash = undefined;
    }
  }

  /** Members in Rego's order. Cached until the next mutation. */
  values(): Value[] {
    if (this.sorted === undefined) {
      const vs = [...this.members.values()];
      if (vs.length > 1) vs.sort(compare);
      this.sorted = vs;
    }
    return this.sorted;
  }

  /** Members in insertion order: cheaper when the order does not matter. */
  unorderedValues(): IterableIterator<Value> {
    return this.members.values();
  }

  /** A copy: the member map is copied whole (no re-hashing), the cached order shared until either changes. */
  clone(): RSet {
    const s = new RSet();
    s.members = new Map(this.members);
    s.sorted = this.sorted;
    return s;
  }
}

export type TypeName = "null" | "boolean" | "number" | "string" | "array" | "object" | "set";

export function typeName(v: Value): TypeName {
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
    default:
      if (v === null) return "null";
      if (Array.isArray(v)) return "array";
      return v instanceof RObject ? "object" : "set";
  }
}

export function isNumber(v: Value): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

export function isObject(v: Value): v is RObject {
  return v instanceof RObject;
}

export function isSet(v: Value): v is RSet {
  return v instanceof RSet;
}

export function isArray(v: Value): v is Value[] {
  return Array.isArray(v);
}
