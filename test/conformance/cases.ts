/**
 * Loading OPA conformance case files (YAML or JSON, `{cases: [...]}`) and the
 * checked-in known-failures lists. Case data keeps big integers exact.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYAML, parseDocument } from "yaml";
import { RObject, parseJSON, type Value } from "../../workers/rego/index.js";

export interface CaseRecord {
  /** `topic/file#index`: notes repeat, so cases are named by where they are */
  id: string;
  topic: string;
  note: string;
  /** the case's fields as Rego values (big integers exact) */
  fields: RObject;
  /** the case's fields as plain data (for the plan JSON) */
  raw: Record<string, unknown>;
}

export function listCaseFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function loadCases(dir: string, filter?: string): CaseRecord[] {
  const records: CaseRecord[] = [];
  for (const file of listCaseFiles(dir)) {
    const rel = relative(dir, file);
    const topic = rel.includes("/") ? (rel.split("/")[0] as string) : "(root)";
    if (filter && !rel.includes(filter)) continue;
    const text = readFileSync(file, "utf8");
    const isJSON = file.endsWith(".json");
    const raw = (isJSON ? JSON.parse(text) : parseYAML(text)) as { cases?: Record<string, unknown>[] };
    const exact = isJSON ? parseJSON(text) : yamlExact(text);
    const exactCases = exact instanceof RObject ? exact.getString("cases") : undefined;
    (raw.cases ?? []).forEach((c, i) => {
      const fields = Array.isArray(exactCases) ? exactCases[i] : undefined;
      records.push({
        id: `${rel}#${i}`,
        topic,
        note: String(c.note ?? ""),
        fields: fields instanceof RObject ? fields : new RObject(),
        raw: c,
      });
    });
  }
  return records;
}

/** YAML → Rego value with integers as exact bigints. */
function yamlExact(text: string): Value {
  const doc = parseDocument(text, { intAsBigInt: true });
  return toValue(doc.toJS({ maxAliasCount: -1 }));
}

function toValue(x: unknown): Value {
  if (typeof x === "bigint") {
    const n = Number(x);
    return Number.isSafeInteger(n) ? n : x;
  }
  if (x === undefined) return null;
  if (x === null || typeof x !== "object") return x as Value;
  if (Array.isArray(x)) return x.map(toValue);
  const o = new RObject();
  for (const [k, v] of Object.entries(x)) o.set(k, toValue(v));
  return o;
}

export interface KnownFailure {
  note: string;
  reason: string;
}

export function loadKnownFailures(file: string): Map<string, KnownFailure> {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as Record<string, KnownFailure>;
    return new Map(Object.entries(data));
  } catch {
    return new Map();
  }
}
