/**
 * Loads OPA's conformance cases (YAML) for the syntax tests: every module,
 * query and input term the suite contains.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { VENDORED_SUITES } from "../../conformance/suite-dir.js";

export const CASES_DIR = `${VENDORED_SUITES}opa-cases/v1`;

export interface CaseSources {
  file: string;
  note: string;
  modules: string[];
  query?: string;
  inputTerm?: string;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (p.endsWith(".yaml") || p.endsWith(".yml")) out.push(p);
  }
  return out;
}

let loaded: CaseSources[] | undefined;

export function loadCases(): CaseSources[] {
  if (loaded) return loaded;
  const out: CaseSources[] = [];
  for (const file of yamlFiles(CASES_DIR)) {
    const doc = parse(readFileSync(file, "utf8")) as { cases?: Record<string, unknown>[] } | null;
    for (const c of doc?.cases ?? []) {
      const src: CaseSources = {
        file: file.slice(CASES_DIR.length + 1),
        note: String(c.note ?? ""),
        modules: ((c.modules as unknown[]) ?? []).map(String),
      };
      if (c.query !== undefined) src.query = String(c.query);
      if (c.input_term !== undefined) src.inputTerm = String(c.input_term);
      out.push(src);
    }
  }
  loaded = out;
  return out;
}
