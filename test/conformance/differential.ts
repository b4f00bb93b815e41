/**
 * A differential oracle beyond the conformance suites: OPA's plans are OPA's
 * front end, so for each case that has both OPA's plan and its Rego source,
 * the plan our front end produces must answer as OPA's does — not only on the
 * case's own input and data, but on many mutations of them (scalars changed,
 * keys dropped and added, types swapped, arrays reordered). Both plans run on
 * our evaluator, OPA's plainly (with trace, which turns off its indexes and
 * reused comprehensions), so a difference is a front-end (compile/planner)
 * bug or a shortcut that changed an answer.
 *
 * Seeded and bounded: the same seed always tries the same inputs.
 * `npx tsx test/conformance/differential.ts [--cases N] [--mutations M] [--seed S]`
 * prints every mismatch; the test (differential.test.ts) runs a small slice.
 */
import { fileURLToPath } from "node:url";
import { FORBIDDEN_BUILTINS, RObject, RSet, RegoError, compile, prepare, toJSONText, type Value } from "../../workers/rego/index.js";
import { loadCases, type CaseRecord } from "./cases.js";
import { jsonShape, sameRows } from "./compare.js";
import { expectationOf } from "./judge.js";
import { VENDORED_SUITES } from "./suite-dir.js";

/** Built-ins whose answers differ between two evaluations of the same inputs. */
const NONDETERMINISTIC = new Set(["uuid.rfc4122", "time.now_ns", "opa.runtime", "rand.intn", "http.send"]);
const NOW_NS = 1_700_000_000_000_000_000n;

export interface Mismatch {
  id: string;
  note: string;
  input: string;
  data: string;
  ours: string;
  opa: string;
}

export interface DifferentialReport {
  cases: number;
  runs: number;
  mismatches: Mismatch[];
  /** cases left out, by reason */
  skipped: Map<string, number>;
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS: Value[] = [0, 1, -1, 2, 1.5, "", "a", "x", "foo", true, false, null];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** Every key or index in `v` that can be replaced, with its container. */
function places(v: Value, out: { parent: Value; key: Value | number }[] = [], depth = 0): { parent: Value; key: Value | number }[] {
  if (depth > 6) return out;
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      places(x, out, depth + 1);
    });
  else if (v instanceof RObject)
    for (const [k, x] of v.entries()) {
      out.push({ parent: v, key: k });
      places(x, out, depth + 1);
    }
  return out;
}

function copy(v: Value): Value {
  if (Array.isArray(v)) return v.map(copy);
  if (v instanceof RObject) {
    const o = new RObject();
    for (const [k, x] of v.entries()) o.set(k, copy(x));
    return o;
  }
  if (v instanceof RSet) return RSet.from(v.values().map(copy));
  return v;
}

/** A value of another kind than `v`, or a nearby one of the same kind. */
function variant(r: () => number, v: Value, siblings: Value[]): Value {
  const roll = r();
  if (roll < 0.35) {
    // BigInt(v): the same integer written with an exponent (`3e0`), which OPA reads as no int (value/number.ts).
    if (typeof v === "number") return pick(r, [v + 1, v - 1, -v, v * 2, 0, v + 0.5, Number.isSafeInteger(v) ? BigInt(v) : v]);
    if (typeof v === "string") return pick(r, [`${v}x`, v.slice(1), v.toUpperCase(), "", "a"]);
    if (typeof v === "boolean") return !v;
  }
  if (roll < 0.55 && siblings.length > 0) return copy(pick(r, siblings));
  if (roll < 0.7) return pick(r, [[], new RObject(), [pick(r, SCALARS)], RObject.from([["a", pick(r, SCALARS)]])]);
  return pick(r, SCALARS);
}

/** One mutation of `doc` (a fresh copy): change, drop, add, retype or reorder at a random place. */
export function mutate(r: () => number, doc: Value | undefined): Value {
  if (doc === undefined) return pick(r, [RObject.from([["x", pick(r, SCALARS)]]), new RObject(), [1, 2], "s"]);
  const root = copy(doc);
  const spots = places(root);
  if (spots.length === 0) return variant(r, root, []);
  const steps = 1 + Math.floor(r() * 2);
  for (let s = 0; s < steps; s++) {
    const { parent, key } = pick(r, spots);
    const op = r();
    if (Array.isArray(parent)) {
      const i = key as number;
      if (i >= parent.length) continue;
      if (op < 0.2) parent.splice(i, 1);
      else if (op < 0.35) parent.push(copy(parent[i] as Value));
      else if (op < 0.5) parent.reverse();
      else parent[i] = variant(r, parent[i] as Value, parent);
    } else if (parent instanceof RObject) {
      const k = key as Value;
      const current = parent.get(k);
      if (current === undefined) continue;
      if (op < 0.2) parent.delete(k);
      else if (op < 0.35) parent.set(typeof k === "string" ? `${k}_` : pick(r, ["k", "z"]), copy(current));
      else
        parent.set(
          k,
          variant(
            r,
            current,
            [...parent.entries()].map(([, x]) => x),
          ),
        );
    }
  }
  return root;
}

/** The paths under `input` and `data` that a case's source names (`input.user.roles` → ["user", "roles"]). */
export function namedPaths(sources: string[]): { input: string[][]; data: string[][] } {
  const out = { input: [] as string[][], data: [] as string[][] };
  const re = /\b(input|data)((?:\.[A-Za-z_][A-Za-z0-9_]*|\["[^"\\]*"\]|\[[0-9]+\])+)/g;
  for (const src of sources)
    for (const m of src.matchAll(re)) {
      const parts = [...(m[2] as string).matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\["([^"\\]*)"\]|\[([0-9]+)\]/g)].map(
        (p) => p[1] ?? p[2] ?? p[3] ?? "",
      );
      (m[1] === "input" ? out.input : out.data).push(parts);
    }
  return out;
}

/** A random value: a scalar, or a small array or object of scalars. */
function randomValue(r: () => number): Value {
  const roll = r();
  if (roll < 0.6) return pick(r, SCALARS);
  if (roll < 0.8) return Array.from({ length: Math.floor(r() * 3) }, () => pick(r, SCALARS));
  return RObject.from([[pick(r, ["a", "b", "x", "foo"]), pick(r, SCALARS)]]);
}

/** `doc` (copied) with random values written along one to three of `paths`. */
export function populate(r: () => number, doc: Value | undefined, paths: string[][]): Value | undefined {
  if (paths.length === 0) return doc;
  const root: Value = doc instanceof RObject ? copy(doc) : new RObject();
  for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
    const path = pick(r, paths).slice(0, 1 + Math.floor(r() * 4));
    let node = root as RObject;
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        node.set(key, randomValue(r));
        return;
      }
      const next = node.get(key);
      if (next instanceof RObject) node = next;
      else {
        const fresh = new RObject();
        node.set(key, fresh);
        node = fresh;
      }
    });
  }
  return root;
}

type Outcome = { rows: Value[] } | { error: string };

/** `plain`: with trace on, which turns off the evaluator's indexes and reused comprehensions. */
async function run(plan: unknown, input: Value | undefined, data: Value, strict: boolean, plain = false): Promise<Outcome> {
  try {
    const doc = input === undefined ? { data } : { input, data };
    const res = await prepare(plan).evaluate("eval", doc, { strict, nowNs: NOW_NS, trace: plain });
    return { rows: res.results };
  } catch (e) {
    if (e instanceof RegoError) return { error: e.code };
    throw e;
  }
}

/**
 * OPA's planner binds the value of a query that is a lone call to a generated
 * `^termN` variable, which it reports as a binding; the query's answer is the
 * same without it, so such bindings are not compared.
 */
function withoutGenerated(row: Value): Value {
  if (!(row instanceof RObject)) return row;
  const o = new RObject();
  for (const [k, v] of row.entries()) if (!(typeof k === "string" && k.startsWith("^"))) o.set(k, v);
  return o;
}

function same(a: Outcome, b: Outcome, sort: boolean): boolean {
  if ("error" in a || "error" in b) return "error" in a && "error" in b && a.error === b.error;
  return sameRows(
    a.rows.map(withoutGenerated),
    b.rows.map((x) => jsonShape(withoutGenerated(x))),
    sort,
  );
}

function show(o: Outcome): string {
  return "error" in o ? `error ${o.error}` : `[${o.rows.map((r) => toJSONText(jsonShape(r))).join(", ")}]`;
}

export interface DifferentialOptions {
  seed?: number;
  /** at most this many cases (chosen by the seed) */
  cases?: number;
  /** mutated documents tried per case */
  mutations?: number;
  dir?: string;
}

/** Cases with both a plan and Rego source, and whose answers can be compared. */
export function comparableCases(dir = `${VENDORED_SUITES}opa-plans/v1`, skipped = new Map<string, number>()): CaseRecord[] {
  const skip = (why: string): false => {
    skipped.set(why, (skipped.get(why) ?? 0) + 1);
    return false;
  };
  return loadCases(dir).filter((c) => {
    const plan = c.raw.plan as { static?: { builtin_funcs?: { name: string }[] } } | undefined;
    if (!plan || typeof c.raw.query !== "string") return skip("no plan or no query");
    const builtins = (plan.static?.builtin_funcs ?? []).map((b) => b.name);
    if (builtins.some((n) => FORBIDDEN_BUILTINS.has(n) || NONDETERMINISTIC.has(n))) return skip("nondeterministic or forbidden built-in");
    return true;
  });
}

export async function differential(o: DifferentialOptions = {}): Promise<DifferentialReport> {
  const seed = o.seed ?? 11;
  const r = rng(seed);
  const skipped = new Map<string, number>();
  let cases = comparableCases(o.dir, skipped);
  // A seeded sample, in a stable order.
  if (o.cases !== undefined && o.cases < cases.length) {
    const order = cases.map((c) => ({ c, k: r() }));
    order.sort((a, b) => a.k - b.k);
    cases = order.slice(0, o.cases).map((x) => x.c);
  }
  const mismatches: Mismatch[] = [];
  let runs = 0;
  let compared = 0;
  for (const c of cases) {
    const want = expectationOf(c, "want_plan_result");
    const modules = (c.raw.modules as string[] | undefined) ?? [];
    const ours = compile({ modules: modules.map((source, i) => ({ name: `test-${i}.rego`, source })), query: c.raw.query as string });
    if (!ours.plan) {
      skipped.set(
        "our front end rejects it (a compile-error case)",
        (skipped.get("our front end rejects it (a compile-error case)") ?? 0) + 1,
      );
      continue;
    }
    compared++;
    const named = namedPaths([...modules, c.raw.query as string]);
    const docs: [Value | undefined, Value][] = [];
    for (let m = 0; m < (o.mutations ?? 8); m++) {
      // Half the documents follow the paths the policy names, half mutate the case's own.
      const fill = r() < 0.5;
      const which = r();
      let input = want.input;
      let data: Value = want.data;
      if (fill) {
        if (which < 0.7) input = populate(r, want.input, named.input);
        if (which >= 0.3) data = populate(r, want.data, named.data) ?? want.data;
      } else {
        if (which < 0.6 || want.input !== undefined) input = mutate(r, want.input);
        if (which >= 0.4) data = mutate(r, want.data);
      }
      docs.push([input, data instanceof RObject ? data : want.data]);
    }
    for (const [input, data] of docs) {
      runs++;
      const a = await run(ours.plan, input, data, want.strict);
      // OPA's plan runs plainly, so the comparison also covers the evaluator's shortcuts.
      const b = await run(c.raw.plan, input, data, want.strict, true);
      if (!same(a, b, want.sort))
        mismatches.push({
          id: c.id,
          note: c.note,
          input: input === undefined ? "(none)" : toJSONText(jsonShape(input)),
          data: toJSONText(jsonShape(data)),
          ours: show(a),
          opa: show(b),
        });
    }
  }
  return { cases: compared, runs, mismatches, skipped };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const opts: DifferentialOptions = {};
  const seed = arg("--seed");
  const cases = arg("--cases");
  const mutations = arg("--mutations");
  if (seed !== undefined) opts.seed = seed;
  if (cases !== undefined) opts.cases = cases;
  if (mutations !== undefined) opts.mutations = mutations;
  const report = await differential(opts);
  const byCase = new Map<string, Mismatch[]>();
  for (const m of report.mismatches) byCase.set(m.id, [...(byCase.get(m.id) ?? []), m]);
  for (const [id, ms] of byCase) {
    const m = ms[0] as Mismatch;
    console.log(`${id} (${m.note}): ${ms.length} mismatches\n  input ${m.input}\n  data  ${m.data}\n  ours  ${m.ours}\n  opa   ${m.opa}`);
  }
  for (const [why, n] of report.skipped) console.log(`skipped ${n}: ${why}`);
  console.log(`${report.cases} cases, ${report.runs} runs, ${report.mismatches.length} mismatches in ${byCase.size} cases`);
}
