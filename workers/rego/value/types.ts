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
import { hashKey, stringKey, type HashKey } from "./hash.js";
import { sortValues } from "./compare.js";

export type Value = null | boolean | number | bigint | string | Value[] | RObject | RSet;

/**
 * Objects of up to this many entries keep them in one flat array (hash key,
 * value, hash key, value, …) searched linearly: most Rego objects (records
 * from JSON, literals, rule results) are this small, and a flat array is a
 * fraction of a Map's memory and lookup cost (one cache line instead of a
 * Map's object, table and bucket chain). Larger objects move to a Map.
 */
const SMALL_OBJECT = 16;

export class RObject {
  /** small form: [hashKey0, value0, hashKey1, value1, …] in insertion order; null once `map` holds the entries */
  private kv: unknown[] | null = [];
  /** large form: hash key → value */
  private map: Map<HashKey, Value> | null = null;
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

  /** An object of distinct string keys and their values, its entries in one array of exactly their size. */
  static fromKeysValues(keys: string[], values: Value[]): RObject {
    const o = new RObject();
    if (keys.length > SMALL_OBJECT) {
      for (let i = 0; i < keys.length; i++) o.set(keys[i] as string, values[i] as Value);
      return o;
    }
    const kv: unknown[] = new Array(2 * keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      kv[2 * i] = hashKey(k);
      kv[2 * i + 1] = values[i];
      if (kv[2 * i] !== k) (o.otherKeys ??= new Map()).set(kv[2 * i] as HashKey, k);
    }
    o.kv = kv;
    return o;
  }

  /** Builds an object from a record of string keys. */
  static fromRecord(rec: Record<string, Value>): RObject {
    const o = new RObject();
    for (const k of Object.keys(rec)) o.set(k, rec[k] as Value);
    return o;
  }

  get size(): number {
    const kv = this.kv;
    return kv !== null ? kv.length >> 1 : (this.map as Map<HashKey, Value>).size;
  }

  /** The value under hash key `h`. */
  private lookup(h: HashKey): Value | undefined {
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) if (kv[i] === h) return kv[i + 1] as Value;
      return undefined;
    }
    return (this.map as Map<HashKey, Value>).get(h);
  }

  get(key: Value): Value | undefined {
    return this.lookup(hashKey(key));
  }

  /** Fast path for the common case of a string key. */
  getString(key: string): Value | undefined {
    return this.lookup(stringKey(key));
  }

  /**
   * getString for a caller that reads one key from many objects of the same
   * shape (a DotStmt over a collection's records): `hint.slot` remembers
   * where the key was last found, so a record is usually answered by one
   * comparison instead of a scan of the keys before it.
   */
  getStringHinted(key: string, hint: { slot: number }): Value | undefined {
    const kv = this.kv;
    if (kv === null || stringKey(key) !== key) return this.getString(key);
    const s = hint.slot;
    if (s < kv.length && kv[s] === key) return kv[s + 1] as Value;
    for (let i = 0; i < kv.length; i += 2)
      if (kv[i] === key) {
        hint.slot = i;
        return kv[i + 1] as Value;
      }
    return undefined;
  }

  has(key: Value): boolean {
    return this.lookup(hashKey(key)) !== undefined;
  }

  set(key: Value, value: Value): void {
    const h = hashKey(key);
    const kv = this.kv;
    let added: boolean;
    if (kv !== null) {
      let i = 0;
      while (i < kv.length && kv[i] !== h) i += 2;
      added = i === kv.length;
      if (added && i === 2 * SMALL_OBJECT) {
        const map = new Map<HashKey, Value>();
        for (let j = 0; j < kv.length; j += 2) map.set(kv[j] as HashKey, kv[j + 1] as Value);
        map.set(h, value);
        this.map = map;
        this.kv = null;
      } else if (added) kv.push(h, value);
      else kv[i + 1] = value;
    } else {
      const map = this.map as Map<HashKey, Value>;
      const before = map.size;
      map.set(h, value);
      added = map.size !== before;
    }
    if (added) {
      this.sorted = undefined;
      if (h !== key) (this.otherKeys ??= new Map()).set(h, key);
    }
    this.sortedValues = undefined;
    this.canon = undefined;
    this.hash = undefined;
  }

  delete(key: Value): void {
    const h = hashKey(key);
    const kv = this.kv;
    let removed: boolean;
    if (kv !== null) {
      let i = 0;
      while (i < kv.length && kv[i] !== h) i += 2;
      removed = i < kv.length;
      if (removed) kv.splice(i, 2);
    } else removed = (this.map as Map<HashKey, Value>).delete(h);
    if (removed) {
      this.otherKeys?.delete(h);
      this.sorted = undefined;
      this.sortedValues = undefined;
      this.canon = undefined;
      this.hash = undefined;
    }
  }

  /** The original key of hash key `h`. */
  private keyOf(h: HashKey): Value {
    const other = this.otherKeys;
    return other === undefined ? (h as Value) : (other.get(h) ?? (h as Value));
  }

  /** Keys in Rego's order. Cached until the next mutation. */
  keys(): Value[] {
    if (this.sorted === undefined) {
      const keys: Value[] = [];
      const kv = this.kv;
      if (kv !== null) for (let i = 0; i < kv.length; i += 2) keys.push(this.keyOf(kv[i] as HashKey));
      else for (const h of (this.map as Map<HashKey, Value>).keys()) keys.push(this.keyOf(h));
      if (keys.length > 1) sortValues(keys);
      this.sorted = keys;
    }
    return this.sorted;
  }

  /** Values in key order (parallel to `keys()`). Cached until the next mutation. */
  valuesInKeyOrder(): Value[] {
    if (this.sortedValues === undefined) {
      const keys = this.keys();
      const vals: Value[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) vals[i] = this.lookup(hashKey(keys[i] as Value)) as Value;
      this.sortedValues = vals;
    }
    return this.sortedValues;
  }

  /** Entries in key order. */
  *entries(): IterableIterator<[Value, Value]> {
    const keys = this.keys();
    const vals = this.valuesInKeyOrder();
    for (let i = 0; i < keys.length; i++) yield [keys[i] as Value, vals[i] as Value];
  }

  /** Calls `fn` for each entry in key order; stops early when `fn` returns true. */
  some(fn: (key: Value, value: Value) => boolean): boolean {
    const keys = this.keys();
    const vals = this.valuesInKeyOrder();
    for (let i = 0; i < keys.length; i++) if (fn(keys[i] as Value, vals[i] as Value)) return true;
    return false;
  }

  /** Values in insertion order: cheaper when the order does not matter. */
  unorderedValues(): IterableIterator<Value> {
    const kv = this.kv;
    if (kv === null) return (this.map as Map<HashKey, Value>).values();
    const vals: Value[] = new Array(kv.length >> 1);
    for (let i = 1; i < kv.length; i += 2) vals[i >> 1] = kv[i] as Value;
    return vals.values();
  }

  /** Calls `fn` for every entry in insertion order (no allocation per entry). */
  forEachUnordered(fn: (key: Value, value: Value) => void): void {
    const kv = this.kv;
    if (kv !== null) for (let i = 0; i < kv.length; i += 2) fn(this.keyOf(kv[i] as HashKey), kv[i + 1] as Value);
    else (this.map as Map<HashKey, Value>).forEach((v, h) => fn(this.keyOf(h), v));
  }

  /** True when `fn` holds for every entry; visits entries in insertion order. */
  everyUnordered(fn: (key: Value, value: Value) => boolean): boolean {
    const kv = this.kv;
    if (kv !== null) {
      for (let i = 0; i < kv.length; i += 2) if (!fn(this.keyOf(kv[i] as HashKey), kv[i + 1] as Value)) return false;
      return true;
    }
    for (const [h, v] of this.map as Map<HashKey, Value>) if (!fn(this.keyOf(h), v)) return false;
    return true;
  }

  /** A copy that shares nothing mutable: the entries are copied whole (no re-hashing), the cached key order is shared until either changes. */
  clone(): RObject {
    const o = new RObject();
    o.kv = this.kv !== null ? this.kv.slice() : null;
    if (this.map !== null) o.map = new Map(this.map);
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
    const before = this.members.size;
    // One hash lookup instead of has() then set(): a member already there is replaced by an equal value.
    this.members.set(h, v);
    if (this.members.size !== before) {
      this.sorted = undefined;
      this.canon = undefined;
      this.hash = undefined;
    }
  }

  /** Adds every member of `other`, reusing its hash keys. */
  addAll(other: RSet): void {
    const members = this.members;
    const before = members.size;
    // A member already here is replaced by an equal value, as in add().
    other.members.forEach((v, h) => members.set(h, v));
    if (members.size !== before) {
      this.sorted = undefined;
      this.canon = undefined;
      this.hash = undefined;
    }
  }

  /**
   * The characters of its members' hash keys (a string member's own, a
   * composite's canonical text): what finding equal members in another set
   * compares, so the cost model charges set operations by it.
   */
  keyChars(): number {
    let n = 0;
    for (const h of this.members.keys()) n += typeof h === "string" ? h.length : 1;
    return n;
  }

  /** The members also in `other`, by the hash keys both hold: a composite member is not hashed again. */
  intersect(other: RSet): RSet {
    const [small, large] = this.size <= other.size ? [this, other] : [other, this];
    const out = new RSet();
    small.members.forEach((v, h) => {
      if (large.members.has(h)) out.members.set(h, v);
    });
    return out;
  }

  /** The members not in `other`, by the hash keys both hold. */
  minus(other: RSet): RSet {
    const out = new RSet();
    this.members.forEach((v, h) => {
      if (!other.members.has(h)) out.members.set(h, v);
    });
    return out;
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
      if (vs.length > 1) sortValues(vs);
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
