/**
 * Explicit-stack versions of compare, equals, canonical, hashCode and
 * termString, which those switch to beyond a few hundred levels of nesting: input and data may
 * nest arbitrarily deep, and recursion would then exhaust the JavaScript
 * stack. They compute exactly what the recursive versions compute (the hash
 * formulas are repeated here and must stay in step with hash.ts).
 */
import type { Value } from "./types.js";
import { RObject, RSet } from "./types.js";
import { compare, rank } from "./compare.js";
import { canonical, hashCode, mix, objectCanonical } from "./hash.js";

type Composite = Value[] | RObject | RSet;

function isComposite(v: Value): v is Composite {
  return v !== null && typeof v === "object";
}

/** An object's keys and values interleaved in key order: k0, v0, k1, v1, … */
function interleaved(o: RObject): Value[] {
  const keys = o.keys();
  const vals = o.valuesInKeyOrder();
  const out: Value[] = new Array(keys.length * 2);
  for (let i = 0; i < keys.length; i++) {
    out[2 * i] = keys[i] as Value;
    out[2 * i + 1] = vals[i] as Value;
  }
  return out;
}

interface CompareFrame {
  xs: Value[];
  ys: Value[];
  i: number;
  n: number;
  /** the result when all of the first n items are equal (the shorter one first) */
  tail: number;
}

export function compareDeep(a: Value, b: Value): number {
  const stack: CompareFrame[] = [];
  // Compares two values directly when neither needs a frame; NaN when a frame was pushed.
  const step = (x: Value, y: Value): number => {
    if (x === y) return 0;
    const rx = rank(x);
    const ry = rank(y);
    if (rx !== ry) return rx < ry ? -1 : 1;
    if (rx < 4) return compare(x, y);
    let xs: Value[];
    let ys: Value[];
    let lx: number;
    let ly: number;
    if (rx === 4) {
      xs = x as Value[];
      ys = y as Value[];
      lx = xs.length;
      ly = ys.length;
    } else if (rx === 5) {
      xs = interleaved(x as RObject);
      ys = interleaved(y as RObject);
      lx = (x as RObject).size;
      ly = (y as RObject).size;
    } else {
      xs = (x as RSet).values();
      ys = (y as RSet).values();
      lx = xs.length;
      ly = ys.length;
    }
    const n = Math.min(xs.length, ys.length);
    stack.push({ xs, ys, i: 0, n, tail: lx < ly ? -1 : lx > ly ? 1 : 0 });
    return Number.NaN;
  };
  let r = step(a, b);
  for (;;) {
    if (r !== 0 && !Number.isNaN(r)) return r;
    const f = stack[stack.length - 1];
    if (!f) return 0;
    if (f.i < f.n) {
      const i = f.i++;
      r = step(f.xs[i] as Value, f.ys[i] as Value);
    } else {
      stack.pop();
      r = f.tail;
    }
  }
}

export function equalsDeep(a: Value, b: Value): boolean {
  const pairs: Value[] = [a, b];
  while (pairs.length > 0) {
    const y = pairs.pop() as Value;
    const x = pairs.pop() as Value;
    if (x === y) continue;
    if (!isComposite(x) || !isComposite(y)) {
      if (isComposite(x) || isComposite(y) || compare(x, y) !== 0) return false;
      continue;
    }
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pairs.push(x[i] as Value, y[i] as Value);
    } else if (x instanceof RObject) {
      if (!(y instanceof RObject) || x.size !== y.size || hashCode(x) !== hashCode(y)) return false;
      const keys = x.keys();
      const vals = x.valuesInKeyOrder();
      for (let i = 0; i < keys.length; i++) {
        const yv = y.get(keys[i] as Value);
        if (yv === undefined) return false;
        pairs.push(vals[i] as Value, yv);
      }
    } else {
      if (!(y instanceof RSet) || x.size !== y.size || hashCode(x) !== hashCode(y)) return false;
      for (const m of x.unorderedValues()) if (!y.has(m)) return false;
    }
  }
  return true;
}

/** A composite whose children are being visited; children's results collect in `acc`. */
interface PostFrame {
  v: Composite;
  kids: Value[];
  i: number;
  acc: (string | number)[];
}

/** Runs `finish` on every composite under `root` after its children, children in order. */
function postOrder<T extends string | number>(
  root: Composite,
  cached: (v: Composite) => T | undefined,
  leaf: (v: Value) => T,
  finish: (v: Composite, acc: T[]) => T,
): T {
  const kidsOf = (v: Composite): Value[] => {
    if (Array.isArray(v)) return v;
    if (v instanceof RSet) return [...v.unorderedValues()];
    const out: Value[] = [];
    v.forEachUnordered((k, x) => out.push(k, x));
    return out;
  };
  const stack: PostFrame[] = [{ v: root, kids: kidsOf(root), i: 0, acc: [] }];
  for (;;) {
    const f = stack[stack.length - 1] as PostFrame;
    if (f.i < f.kids.length) {
      const c = f.kids[f.i++] as Value;
      if (isComposite(c)) {
        const hit = cached(c);
        if (hit !== undefined) f.acc.push(hit);
        else stack.push({ v: c, kids: kidsOf(c), i: 0, acc: [] });
      } else f.acc.push(leaf(c));
      continue;
    }
    stack.pop();
    const r = finish(f.v, f.acc as T[]);
    const parent = stack[stack.length - 1];
    if (!parent) return r;
    parent.acc.push(r);
  }
}

export function canonicalDeep(root: Composite): string {
  return postOrder<string>(
    root,
    (v) => (Array.isArray(v) ? undefined : v.canon),
    (v) => canonical(v),
    (v, acc) => {
      if (Array.isArray(v)) return "[" + acc.join(",") + "]";
      if (v instanceof RSet) return (v.canon = "<" + acc.sort().join(",") + ">");
      return (v.canon = objectCanonical(acc));
    },
  );
}

export function hashCodeDeep(root: Composite): number {
  return postOrder<number>(
    root,
    (v) => (Array.isArray(v) ? undefined : v.hash),
    (v) => hashCode(v),
    (v, acc) => {
      if (Array.isArray(v)) {
        let h = 0x345678;
        for (const x of acc) h = Math.imul(h ^ x, 0x01000193);
        return h;
      }
      if (v instanceof RSet) {
        let h = 0x736574;
        for (const x of acc) h = (h + mix(x, 0x5bd1e995)) | 0;
        return (v.hash = h);
      }
      let h = 0x6f626a;
      for (let i = 0; i < acc.length; i += 2) h = (h + mix(acc[i] as number, acc[i + 1] as number)) | 0;
      return (v.hash = h);
    },
  );
}

/** Text written between the values termStringDeep prints. */
class Text {
  constructor(readonly s: string) {}
}

const COMMA = new Text(", ");
const COLON = new Text(": ");
const CLOSE_ARRAY = new Text("]");
const CLOSE_BRACE = new Text("}");

/** termString (format.ts) from a work list of values and text, the next on top; `scalar` prints the rest. */
export function termStringDeep(root: Value, scalar: (v: Value) => string): string {
  const out: string[] = [];
  const todo: (Value | Text)[] = [root];
  while (todo.length > 0) {
    const x = todo.pop() as Value | Text;
    if (x instanceof Text) {
      out.push(x.s);
      continue;
    }
    if (!isComposite(x)) {
      out.push(scalar(x));
      continue;
    }
    if (x instanceof RSet && x.size === 0) {
      out.push("set()");
      continue;
    }
    out.push(Array.isArray(x) ? "[" : "{");
    todo.push(Array.isArray(x) ? CLOSE_ARRAY : CLOSE_BRACE);
    if (x instanceof RObject) {
      const keys = x.keys();
      const vals = x.valuesInKeyOrder();
      for (let i = keys.length - 1; i >= 0; i--) {
        todo.push(vals[i] as Value, COLON, keys[i] as Value);
        if (i > 0) todo.push(COMMA);
      }
    } else {
      const items = Array.isArray(x) ? x : x.values();
      for (let i = items.length - 1; i >= 0; i--) {
        todo.push(items[i] as Value);
        if (i > 0) todo.push(COMMA);
      }
    }
  }
  return out.join("");
}

interface MergeFrame {
  out: RObject;
  keys: Value[];
  vals: Value[];
  i: number;
  /** the key whose merged object is being built */
  key: Value;
}

/**
 * A copy of object `a` with object `b` merged in key by key: where both hold
 * objects they merge the same way, otherwise `pick(av, bv)` gives the value
 * (`av` undefined when only `b` has the key). Nested objects merge from an
 * explicit stack, each before it is put into its parent, so objects of any
 * depth merge (object.union, the merge of base and virtual documents).
 * `charge`, when given, is paid the size of each pair of objects merged.
 */
export function mergeDeep(
  a: RObject,
  b: RObject,
  pick: (av: Value | undefined, bv: Value) => Value,
  charge?: (units: number) => void,
): RObject {
  // `charge` pays for each object copied and walked, by its size.
  const frame = (x: RObject, y: RObject): MergeFrame => {
    charge?.(x.size + y.size);
    const keys: Value[] = [];
    const vals: Value[] = [];
    y.forEachUnordered((k, v) => {
      keys.push(k);
      vals.push(v);
    });
    return { out: x.clone(), keys, vals, i: 0, key: null };
  };
  const stack: MergeFrame[] = [frame(a, b)];
  let merged: RObject | undefined;
  for (;;) {
    const f = stack[stack.length - 1] as MergeFrame;
    if (merged) {
      f.out.set(f.key, merged);
      merged = undefined;
    }
    let nested: MergeFrame | undefined;
    while (f.i < f.keys.length && !nested) {
      const k = f.keys[f.i] as Value;
      const bv = f.vals[f.i] as Value;
      f.i++;
      const av = f.out.get(k);
      // An object merged with itself is itself (both picks keep it): the planner merges each level of
      // a document with the level below, which already holds the base document's own objects.
      if (av === bv) continue;
      if (av instanceof RObject && bv instanceof RObject) {
        f.key = k;
        nested = frame(av, bv);
      } else {
        const v = pick(av, bv);
        if (v !== av) f.out.set(k, v);
      }
    }
    if (nested) {
      stack.push(nested);
      continue;
    }
    stack.pop();
    if (stack.length === 0) return f.out;
    merged = f.out;
  }
}
