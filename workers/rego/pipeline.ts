/**
 * The Rego pipeline, as OPA's: source → syntax (parse) → compile (checks and
 * rewrites) → planner (OPA's IR plan). Each stage is called from here; no
 * stage imports a later one.
 *
 * `compile({modules, entrypoints})` → `{plan, errors, packages}`: `plan` is OPA's plan
 * JSON (what `opa build -t plan` emits), present only when there are no errors.
 */
import { RegoError, isStackOverflow, type RegoErrorInfo } from "./errors.js";
import type { Module } from "./syntax/ast.js";
import { parseModule } from "./syntax/index.js";
import { checkProgram, entrypointPlanName, modulePackage } from "./compile/index.js";
import { Planner } from "./planner/planner.js";
import type { Policy } from "./plan/types.js";

/** At most this many errors are reported for one compile, in source order. */
export const MAX_ERRORS = 10;

export interface SourceModule {
  /** file name used in locations (`payments.rego`) */
  name: string;
  source: string;
}

export interface CompileOptions {
  /** 1 (default) or 0 for Rego v0 syntax (`--v0-compatible`) */
  regoVersion?: 0 | 1;
  /** plan every rule, not only those the entrypoints reach (default true) */
  checkAllRules?: boolean;
}

export interface CompileRequest {
  modules: SourceModule[];
  /** refs to plan, e.g. `data.payments.allow` (or `payments/allow`); rows are `{result: value}` */
  entrypoints?: string[];
  /** an ad-hoc query planned as the plan `eval`; rows bind the query's variables */
  query?: string;
  options?: CompileOptions;
}

export interface CompileResult {
  plan?: Policy;
  errors: RegoErrorInfo[];
  /** plan names, in the order of `entrypoints` */
  entrypoints: string[];
  /** each parsed module's package (`a.b`), by module name; known even when a later stage failed */
  packages: Map<string, string>;
}

/** Source modules parsed: the syntax stage's output, which `compileParsed` takes on. */
export interface ParsedSources {
  modules: Module[];
  /** each parsed module's package (`a.b`), by module name */
  packages: Map<string, string>;
  errors: RegoErrorInfo[];
}

export function compile(req: CompileRequest): CompileResult {
  return compileParsed(parseSources(req.modules, req.options), req);
}

/**
 * The last line of defence: a policy that nests beyond what the stages handle
 * without deep recursion, in a way the nesting limit does not count (e.g. a
 * chain of thousands of rules each using the next), is a compile error, not
 * a crash.
 */
function stackError(): RegoErrorInfo {
  return { code: "rego_compile_error", message: "policy too deeply nested to compile (the engine's stack was exhausted)" };
}

/** The syntax stage alone: callers that must know the packages before choosing entrypoints parse once. */
export function parseSources(sources: SourceModule[], options?: CompileOptions): ParsedSources {
  const regoVersion = options?.regoVersion ?? 1;
  const modules: Module[] = [];
  const packages = new Map<string, string>();
  const errors: RegoErrorInfo[] = [];
  for (const m of sources) {
    const parsed = parseModule(m.name, m.source, { regoVersion });
    errors.push(...parsed.errors);
    if (parsed.module) {
      modules.push(parsed.module);
      packages.set(m.name, modulePackage(parsed.module));
    }
  }
  return { modules, packages, errors };
}

/** The compile and plan stages over modules already parsed. */
export function compileParsed(parsed: ParsedSources, req: Omit<CompileRequest, "modules">): CompileResult {
  const entrypoints = (req.entrypoints ?? []).map(entrypointPlanName);
  const packages = parsed.packages;
  const failed = (errors: RegoErrorInfo[]): CompileResult => ({ errors: sortedErrors(errors), entrypoints, packages });
  if (parsed.errors.length > 0) return failed(parsed.errors);

  try {
    return compileChecked(parsed, req, entrypoints, failed);
  } catch (e) {
    if (isStackOverflow(e)) return failed([stackError()]);
    throw e;
  }
}

function compileChecked(
  parsed: ParsedSources,
  req: Omit<CompileRequest, "modules">,
  entrypoints: string[],
  failed: (errors: RegoErrorInfo[]) => CompileResult,
): CompileResult {
  const packages = parsed.packages;
  const regoVersion = req.options?.regoVersion ?? 1;
  const checked = checkProgram(parsed.modules, { entrypoints: req.entrypoints ?? [], query: req.query, regoVersion });
  if (checked.errors.length > 0) return failed(checked.errors);

  try {
    const planner = new Planner(checked.tree);
    const plan = planner.plan(checked.queries);
    if (req.options?.checkAllRules ?? true) planner.planAllRules();
    if (planner.errors.length === 0) return { plan, errors: [], entrypoints, packages };
    return failed(planner.errors.map((e) => e.toJSON()));
  } catch (e) {
    if (!(e instanceof RegoError)) throw e;
    return failed([e.toJSON()]);
  }
}

/** Unique errors by file and position, as OPA lists them; errors without a location last. */
function sortedErrors(errors: RegoErrorInfo[]): RegoErrorInfo[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = `${e.location?.file}:${e.location?.row}:${e.location?.col}:${e.code}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const position = (e: RegoErrorInfo): [string, number, number] =>
    e.location ? [e.location.file, e.location.row, e.location.col] : ["\uffff", 0, 0];
  unique.sort((a, b) => {
    const [fa, ra, ca] = position(a);
    const [fb, rb, cb] = position(b);
    return fa < fb ? -1 : fa > fb ? 1 : ra - rb || ca - cb;
  });
  return unique.slice(0, MAX_ERRORS);
}
