/**
 * Entry points of the Rego front end's syntax stage. None of them throws:
 * problems come back as `rego_parse_error`s with file, row and column.
 */
import type { Location, RegoErrorInfo } from "../errors.js";
import type { Body, Comment, Module, ParseOptions, Term } from "./ast.js";
import { processAnnotations } from "./annotations.js";
import { scan, type ScanResult } from "./lexer.js";
import { DEPTH_ERROR, MAX_ERRORS } from "./parser-base.js";
import { checkNesting } from "./nesting.js";
import { QueryParser } from "./query.js";
import { ModuleParser } from "./rules.js";

export type * from "./ast.js";

function parseError(message: string, location?: Location): RegoErrorInfo {
  return location ? { code: "rego_parse_error", message, location } : { code: "rego_parse_error", message };
}

function scanErrors(file: string, scanned: ScanResult): RegoErrorInfo[] {
  return scanned.errors.map((e) => parseError(e.message, { file, row: e.row, col: e.col }));
}

/** Errors in source order (stable), at most MAX_ERRORS. */
function finish(errors: RegoErrorInfo[]): RegoErrorInfo[] {
  const sorted = errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => {
      const la = a.e.location;
      const lb = b.e.location;
      return (la?.row ?? 0) - (lb?.row ?? 0) || (la?.col ?? 0) - (lb?.col ?? 0) || a.i - b.i;
    })
    .map((x) => x.e);
  // the same message at the same place twice says nothing new
  const seen = new Set<string>();
  const out: RegoErrorInfo[] = [];
  for (const e of sorted) {
    const key = `${e.location?.row}:${e.location?.col}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length === MAX_ERRORS) break;
  }
  return out;
}

/** Turns an unexpected exception (e.g. a stack overflow on absurd input) into an error. */
function crashError(file: string, e: unknown): RegoErrorInfo {
  if (e instanceof RangeError) return parseError(DEPTH_ERROR, { file, row: 1, col: 1 });
  return parseError(`internal parser error: ${e instanceof Error ? e.message : String(e)}`, { file, row: 1, col: 1 });
}

/** Parses a Rego module. `opts.regoVersion` defaults to 1. */
export function parseModule(file: string, source: string, opts: ParseOptions = {}): { module?: Module; errors: RegoErrorInfo[] } {
  try {
    const regoVersion = opts.regoVersion ?? 1;
    const scanned = scan(source);
    const p = new ModuleParser(file, scanned.tokens, regoVersion);
    p.errors.push(...scanErrors(file, scanned));
    p.parseStatements();
    const errors = p.errors;
    const tooDeep = checkNesting(file, p.rules);
    if (tooDeep) errors.push(tooDeep);

    const comments: Comment[] = scanned.comments.map((c) => ({
      text: c.text,
      loc: { file, row: c.row, col: c.col, offset: c.start, length: c.end - c.start },
    }));

    const first = p.statements[0];
    if (!first) {
      if (errors.length === 0) errors.push(parseError("empty module", { file, row: 1, col: 1 }));
    } else if (first.kind !== "package") {
      errors.push(parseError("package expected", { file, row: first.node.loc.row, col: first.node.loc.col }));
    }

    const annotated = processAnnotations(file, comments, p.statements, p.rules, refPath);
    errors.push(...annotated.errors);

    const result = finish(errors);
    if (result.length > 0 || !p.pkg) return { errors: result.length ? result : [parseError("package expected")] };
    const module: Module = {
      file,
      regoVersion,
      package: p.pkg,
      imports: p.imports,
      rules: p.rules,
      comments,
      annotations: annotated.annotations,
    };
    return { module, errors: [] };
  } catch (e) {
    return { errors: [crashError(file, e)] };
  }
}

/** Parses a query (a body). An empty query gives an empty body. */
export function parseQuery(source: string, opts: ParseOptions & { file?: string } = {}): { body?: Body; errors: RegoErrorInfo[] } {
  const file = opts.file ?? "";
  try {
    const scanned = scan(source);
    const p = new QueryParser(file, scanned.tokens, opts.regoVersion ?? 1);
    p.errors.push(...scanErrors(file, scanned));
    const body = p.parseQueryStatements();
    const tooDeep = body ? checkNesting(file, [], body) : undefined;
    if (tooDeep) p.errors.push(tooDeep);
    const errors = finish(p.errors);
    if (errors.length > 0 || !body) return { errors: errors.length ? errors : [parseError("invalid query")] };
    return { body, errors: [] };
  } catch (e) {
    return { errors: [crashError(file, e)] };
  }
}

/** Parses a single term, e.g. OPA's `input_term` strings such as `{1, 2, {"a": set()}}`. */
export function parseTerm(source: string, opts: ParseOptions & { file?: string } = {}): { term?: Term; errors: RegoErrorInfo[] } {
  const file = opts.file ?? "";
  try {
    const scanned = scan(source);
    const p = new QueryParser(file, scanned.tokens, opts.regoVersion ?? 1);
    p.errors.push(...scanErrors(file, scanned));
    const term = p.parseSingleTerm();
    const errors = finish(p.errors);
    if (errors.length > 0 || !term) return { errors: errors.length ? errors : [parseError("invalid term")] };
    return { term, errors: [] };
  } catch (e) {
    return { errors: [crashError(file, e)] };
  }
}

/**
 * A ref written as a string (annotation schema paths: `input.x`,
 * `schema["a"]`) as its list of names, or null if it is not a ref.
 */
function refPath(text: string): string[] | null {
  const { term } = parseTerm(text);
  if (!term) return null;
  const parts = term.type === "ref" ? term.value : term.type === "var" ? [term] : null;
  if (!parts) return null;
  const out: string[] = [];
  for (const [i, t] of parts.entries()) {
    if (i === 0 && t.type === "var") out.push(t.value);
    else if (i > 0 && t.type === "string") out.push(t.value);
    else return null;
  }
  return out;
}
