/**
 * `# METADATA` comment blocks: YAML parsed into Annotations, attached to the
 * package or rule that follows, as OPA does (v1/ast/annotations.go).
 *
 * A block starts at a comment whose text begins with `METADATA` and continues
 * over comments on the following lines that start in column 1. Without an
 * explicit `scope`, a block before a package applies to the package and one
 * before a rule to that rule (`document` when it declares an entrypoint).
 */
import { parse as parseYaml } from "yaml";
import type { RegoErrorInfo } from "../errors.js";
import type { Annotations, Comment, Loc, Rule, Term } from "./ast.js";
import type { Statement } from "./rules.js";
import { groundPrefix, sameRef } from "./term-utils.js";

/** Parses a ref-like string (`input.x`, `schema.a`) into its path; provided by the parser. */
export type RefParser = (text: string) => string[] | null;

interface Block {
  loc: Loc;
  lines: string[];
  comments: Comment[];
}

type Scope = Annotations["scope"];

const SCOPES = new Set(["rule", "document", "package", "subpackages"]);

function locError(file: string, loc: { row: number; col: number }, message: string): RegoErrorInfo {
  return { code: "rego_parse_error", message, location: { file, row: loc.row, col: loc.col } };
}

/** Groups comments into METADATA blocks. */
function findBlocks(comments: Comment[]): Block[] {
  const blocks: Block[] = [];
  let curr: Block | null = null;
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i] as Comment;
    if (curr) {
      const prev = comments[i - 1] as Comment;
      if (c.loc.row === prev.loc.row + 1 && c.loc.col === 1) {
        curr.lines.push(c.text.startsWith(" ") ? c.text.slice(1) : c.text);
        curr.comments.push(c);
        continue;
      }
      curr = null;
    }
    if (c.text.trim().startsWith("METADATA")) {
      curr = { loc: c.loc, lines: [], comments: [] };
      blocks.push(curr);
    }
  }
  return blocks;
}

function asString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "object") return undefined;
  return String(v);
}

function describe(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** `Name <email>` or `{name, email}`. */
function parseAuthor(v: unknown): { name?: string; email?: string } | string {
  if (typeof v === "string") {
    const parts = v.split(/\s+/).filter(Boolean);
    if (parts.length === 0) return "author is an empty string";
    const last = parts[parts.length - 1] as string;
    let email: string | undefined;
    if (last.length >= 2 && last.startsWith("<") && last.endsWith(">")) {
      email = last.slice(1, -1);
      parts.pop();
    }
    const out: { name?: string; email?: string } = { name: parts.join(" ") };
    if (email) out.email = email;
    return out;
  }
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const name = typeof o.name === "string" ? o.name.trim() : "";
    const email = typeof o.email === "string" ? o.email.trim() : "";
    if (!name && !email) return "'name' and/or 'email' values required in object";
    const out: { name?: string; email?: string } = { name };
    if (email) out.email = email;
    return out;
  }
  return "invalid value type, must be string or map";
}

/** A URL string or `{ref, description}`. */
function parseRelatedResource(v: unknown): { ref: string; description?: string } | string {
  if (typeof v === "string") return v.length > 0 ? { ref: v } : "ref URL may not be empty string";
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const ref = typeof o.ref === "string" ? o.ref.trim() : "";
    if (!ref) return "'ref' value required in object";
    const description = typeof o.description === "string" ? o.description.trim() : "";
    return description ? { ref, description } : { ref };
  }
  return "invalid value type, must be string or map";
}

/** A YAML error, located at the comment line it is about (as OPA does). */
function yamlProblem(e: unknown, block: Block): { message: string; loc: Loc } {
  const err = e as { message?: string; linePos?: { line: number; col: number }[] };
  const line = err.linePos?.[0]?.line;
  const message = String(err.message ?? e)
    .split("\n")[0]
    ?.replace(/ at line \d+, column \d+:?$/, "");
  const comment = line !== undefined ? block.comments[Math.min(line, block.comments.length) - 1] : undefined;
  return {
    message: line !== undefined ? `yaml: line ${line}: ${message}` : `yaml: ${message}`,
    loc: comment?.loc ?? block.loc,
  };
}

/** Builds an Annotations value from a block's YAML, or explains what is wrong. */
function buildAnnotations(block: Block, parseRef: RefParser): Annotations | string | { message: string; loc: Loc } {
  const text = block.lines.map((l) => l + "\n").join("");
  if (text.trim() === "") return "expected METADATA block, found whitespace";
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: "error" });
  } catch (e) {
    return yamlProblem(e, block);
  }
  const a: Annotations = { scope: "" as Scope, loc: block.loc };
  if (doc === null || doc === undefined) return a;
  if (typeof doc !== "object" || Array.isArray(doc)) return "yaml: unmarshal errors: expected a mapping";
  const raw = doc as Record<string, unknown>;
  if (raw.scope !== undefined) a.scope = (asString(raw.scope) ?? "") as Scope;
  const title = asString(raw.title);
  if (title) a.title = title;
  const description = asString(raw.description);
  if (description) a.description = description;
  if (raw.entrypoint === true) a.entrypoint = true;
  if (Array.isArray(raw.organizations)) a.organizations = raw.organizations.map((o) => String(o));
  if (Array.isArray(raw.related_resources)) {
    a.related_resources = [];
    for (const v of raw.related_resources) {
      const rr = parseRelatedResource(v);
      if (typeof rr === "string") return `invalid related-resource definition ${describe(v)}: ${rr}`;
      a.related_resources.push(rr);
    }
  }
  if (Array.isArray(raw.authors)) {
    a.authors = [];
    for (const v of raw.authors) {
      const au = parseAuthor(v);
      if (typeof au === "string") return `invalid author definition ${describe(v)}: ${au}`;
      a.authors.push(au);
    }
  }
  if (Array.isArray(raw.schemas)) {
    a.schemas = [];
    for (const pair of raw.schemas) {
      if (!pair || typeof pair !== "object" || Array.isArray(pair)) return "invalid schema declaration";
      const [key, value] = Object.entries(pair as Record<string, unknown>)[0] ?? ["", undefined];
      const path = parseRef(key);
      if (!path) return "invalid document reference";
      if (typeof value === "string") {
        const schema = parseRef(value);
        if (schema?.[0] !== "schema") return "invalid schema reference";
        a.schemas.push({ path, schema });
      } else if (value && typeof value === "object" && !Array.isArray(value)) {
        a.schemas.push({ path, definition: value });
      } else {
        return `invalid schema declaration for path "${key}"`;
      }
    }
  }
  if (raw.custom && typeof raw.custom === "object" && !Array.isArray(raw.custom)) {
    a.custom = raw.custom as Record<string, unknown>;
  }
  return a;
}

/** The block's location spans from `# METADATA` to its last line. */
function blockLoc(b: Block): Loc {
  const last = b.comments[b.comments.length - 1];
  if (!last) return b.loc;
  return { ...b.loc, length: last.loc.offset + last.loc.length - b.loc.offset };
}

export interface AnnotationResult {
  annotations: Annotations[];
  errors: RegoErrorInfo[];
}

/**
 * Parses the METADATA blocks among `comments`, attaches each to the statement
 * that follows it, and fills `rule.annotations` for the module's rules.
 */
export function processAnnotations(
  file: string,
  comments: Comment[],
  statements: Statement[],
  rules: Rule[],
  parseRef: RefParser,
): AnnotationResult {
  const errors: RegoErrorInfo[] = [];
  const annotations: Annotations[] = [];
  const targets = new Map<Annotations, Statement | undefined>();
  for (const block of findBlocks(comments)) {
    const a = buildAnnotations(block, parseRef);
    if (typeof a === "string") {
      errors.push(locError(file, block.loc, a));
      continue;
    }
    if (!("scope" in a)) {
      errors.push(locError(file, a.loc, a.message));
      continue;
    }
    a.loc = blockLoc(block);
    const node = statements.find((s) => s.node.loc.row > block.loc.row);
    targets.set(a, node);
    if (!a.scope) {
      if (node?.kind === "rule") a.scope = a.entrypoint ? "document" : "rule";
      else if (node?.kind === "package") a.scope = "package";
      else if (node?.kind === "import") a.scope = "import" as Scope;
    }
    const problem = scopeProblem(a, node);
    if (problem) errors.push(locError(file, a.loc, problem));
    if (a.entrypoint && a.scope !== "document" && a.scope !== "package") {
      errors.push(locError(file, a.loc, `annotation entrypoint applied to non-document or package scope '${a.scope}'`));
    }
    annotations.push(a);
  }
  if (errors.length === 0) attachToRules(annotations, targets, rules);
  return { annotations, errors };
}

function scopeProblem(a: Annotations, node: Statement | undefined): string | null {
  const have = node ? ` (have ${node.kind})` : "";
  switch (a.scope) {
    case "rule":
    case "document":
      return node?.kind === "rule" ? null : `annotation scope '${a.scope}' must be applied to rule${have}`;
    case "package":
    case "subpackages":
      return node?.kind === "package" ? null : `annotation scope '${a.scope}' must be applied to package${have}`;
  }
  if (SCOPES.has(a.scope)) return null;
  return `invalid annotation scope '${a.scope}'. Use one of 'rule', 'document', 'package', or 'subpackages'`;
}

/** The path an annotation is about: the package path, or the ground prefix of the rule's ref. */
function targetPath(node: Statement | undefined): Term[] | null {
  if (!node) return null;
  if (node.kind === "package") return node.node.path;
  if (node.kind === "rule") return groundPrefix(node.node.head.ref);
  return null;
}

/**
 * OPA's attachRuleAnnotations: `document` annotations apply to every rule of
 * the same path; a `rule` annotation applies to the next rule of its path.
 */
function attachToRules(annotations: Annotations[], targets: Map<Annotations, Statement | undefined>, rules: Rule[]): void {
  const pending = [...annotations];
  for (const rule of rules) {
    const path = groundPrefix(rule.head.ref);
    let found = -1;
    pending.forEach((a, i) => {
      const target = targetPath(targets.get(a));
      if (!target || !sameRef(path, target)) return;
      if (a.scope === "document") (rule.annotations ??= []).push(a);
      else if (a.scope === "rule" && rule.loc.row > a.loc.row) {
        found = i;
        (rule.annotations ??= []).push(a);
      }
    });
    if (found >= 0) pending.splice(found, 1);
  }
}
