/**
 * `npx tsx test/conformance/regorus-cases.ts DIR [filter]`: runs the YAML cases of
 * another Rego engine, Microsoft's regorus (`tests/interpreter/cases` of
 * github.com/microsoft/regorus, not kept here), against ours: an oracle written
 * independently of OPA's suites. Not every difference is ours to fix: regorus
 * has no type checker (it evaluates calls OPA rejects), formats numbers and
 * strings as Rust does, reads `-x` as OPA did before 1.16, and has extensions of
 * its own (Azure Policy targets, `units` and `json.patch` supersets); so the
 * run prints each failure for reading, not a verdict.
 *
 * Its format, as regorus's harness reads it: modules are v0 unless the file is
 * `bindings.yaml`; a query with one result gives that result's bindings, or the
 * value of its one expression (a bare ref is asked as `x = ref` here, as our
 * plans give bindings only); `set!`/`object!`/`#undefined`/`many!` encode values.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { RObject, RSet, compile, equals, formatError, prepare, toJSONText, type Value } from "../../workers/rego/index.js";

const VALUE = "regorus__value";

/** A regorus-encoded value; undefined for `#undefined` (dropped from objects and arrays). */
function decode(x: unknown): Value | undefined {
  if (x === "#undefined") return undefined;
  if (typeof x === "bigint") return Number.isSafeInteger(Number(x)) ? Number(x) : x;
  if (Array.isArray(x)) return x.map(decode).filter((v) => v !== undefined) as Value[];
  if (x === null || typeof x !== "object") return x as Value;
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === "set!")
    return RSet.from((o["set!"] as unknown[]).map(decode).filter((v) => v !== undefined) as Value[]);
  const out = new RObject();
  if (keys.length === 1 && keys[0] === "object!") {
    for (const e of o["object!"] as { key: unknown; value: unknown }[]) out.set(decode(e.key) ?? null, decode(e.value) ?? null);
    return out;
  }
  for (const k of keys) {
    const v = decode(o[k]);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

/** `many!: [...]` or a single value, as a list. */
function many(x: unknown): unknown[] {
  return x !== null && typeof x === "object" && !Array.isArray(x) && "many!" in x
    ? ((x as Record<string, unknown>)["many!"] as unknown[])
    : [x];
}

interface RegorusCase {
  note: string;
  modules?: string[];
  query: string;
  data?: unknown;
  input?: unknown;
  want_result?: unknown;
  no_result?: boolean;
  error?: string;
  want_error?: string;
  strict?: boolean;
  skip?: boolean;
  sort_bindings?: boolean;
}

async function run(c: RegorusCase, v0: boolean): Promise<string | null> {
  const asked = c.query.trim();
  const bareRef = /^(data|input)(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(asked);
  const compiled = compile({
    modules: (c.modules ?? []).map((source, i) => ({ name: `rego_${i}`, source })),
    query: bareRef ? `${VALUE} = ${asked}` : asked,
    options: { regoVersion: v0 ? 0 : 1 },
  });
  const wantsError = c.error !== undefined || c.want_error !== undefined;
  const got: Value[] = [];
  let error: string | undefined;
  if (!compiled.plan) error = compiled.errors.map(formatError).join("; ");
  else
    try {
      const policy = prepare(compiled.plan);
      for (const input of c.input === undefined ? [undefined] : many(c.input)) {
        const doc = { input: input === undefined ? undefined : decode(input), data: decode(c.data ?? {}) ?? new RObject() };
        const { results } = await policy.evaluate("eval", doc, { strict: c.strict ?? true });
        for (const row of results) {
          const v = bareRef && row instanceof RObject ? row.getString(VALUE) : row;
          if (v !== undefined) got.push(v);
        }
      }
    } catch (e) {
      error = `${(e as { code?: string }).code ?? "error"}: ${(e as Error).message}`;
    }
  if (wantsError) return error !== undefined ? null : `want an error (${c.error ?? c.want_error}), got ${toJSONText(got)}`;
  if (error !== undefined) return `error ${error}`;
  const want =
    c.want_result === undefined
      ? []
      : many(c.want_result)
          .map(decode)
          .filter((v): v is Value => v !== undefined);
  const empty = got.every((g) => g instanceof RObject && g.size === 0);
  if (c.no_result && c.want_result === undefined) return got.length === 0 || empty ? null : `want no result, got ${toJSONText(got)}`;
  const same =
    want.length === got.length && want.every((w, i) => (c.sort_bindings ? got.some((g) => equals(g, w)) : equals(got[i] as Value, w)));
  return same ? null : `got  ${toJSONText(got).slice(0, 300)}\n    want ${toJSONText(want).slice(0, 300)}`;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? yamlFiles(p) : n.endsWith(".yaml") ? [p] : [];
    });
}

const [dir, filter] = process.argv.slice(2);
if (!dir) throw new Error("usage: regorus-cases.ts DIR [filter]");
let passed = 0;
let failed = 0;
for (const file of yamlFiles(dir)) {
  if (filter && !file.includes(filter)) continue;
  let cases: RegorusCase[];
  try {
    cases = (parse(readFileSync(file, "utf8"), { intAsBigInt: true }) as { cases?: RegorusCase[] }).cases ?? [];
  } catch (e) {
    console.log(`SKIP ${file}: not YAML this parser reads (${(e as Error).message.split("\n")[0]})`);
    continue;
  }
  for (const c of cases) {
    if (c.skip) continue;
    const why = await run(c, !file.endsWith("bindings.yaml"));
    if (why === null) passed++;
    else {
      failed++;
      console.log(`FAIL ${file.slice(dir.length + 1)} :: ${c.note}\n    ${why}`);
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
