/**
 * Compiling a policy version the way the STS will run it: every module of the
 * bundle together (they may import each other), with the decision rules of the
 * decision package as the plan's entrypoints; every other rule is planned too
 * so that errors anywhere are reported at once. Checks that need the parsed
 * modules live here: packages outside the manifest's roots, rules whose path
 * is also set by a data document, and the choice of the decision package.
 */
import { compileParsed, parseSources, type Plan, type RegoErrorInfo } from "../rego/index.js";
import type { Module } from "../rego/syntax/ast.js";
import { type Bundle, dataAt, insideRoots, manifestPackage } from "../bundle/bundle.js";
import { BundleError } from "../bundle/errors.js";
import { folderOf } from "../bundle/paths.js";
import { checkDecisionContract, type ContractItem } from "./contract.js";
import { DECISION_RULES, type DecisionRule } from "./decision-rules.js";

/** A package defining one of these is a candidate decision package. */
const DECIDING_RULES = new Set(["allow", "deny"]);

export interface PolicyModule {
  /** file name used in error locations and provenance, e.g. `payments-policy.rego` */
  file: string;
  source: string;
  regoVersion: 0 | 1;
}

/**
 * A compiled version, with its decision-contract warnings (near-miss rule names); a version that
 * breaks the contract throws a ContractViolation (workers/policy/contract.ts).
 */
export type CompiledPolicy = { ok: true; package: string; plan: Plan; warnings: ContractItem[] } | { ok: false; errors: RegoErrorInfo[] };

/** One module on its own (the bench and the single-source upload): a bundle of one file with no data. */
export function compilePolicy(module: PolicyModule): CompiledPolicy {
  return compileModules([{ name: module.file, source: module.source }], { regoVersion: module.regoVersion });
}

export interface BundleCompileOptions {
  regoVersion: 0 | 1;
  /** the decision package given with the upload (`--package`); else the manifest's, else inferred */
  package?: string;
}

/** Compiles a bundle, or throws a BundleError for its layout problems; Rego errors are returned. */
export function compileBundle(bundle: Bundle, options: BundleCompileOptions): CompiledPolicy {
  const modules = bundle.files.filter((f) => f.kind === "rego").map((f) => ({ name: f.path, source: f.content }));
  return compileModules(modules, options, bundle);
}

function compileModules(modules: { name: string; source: string }[], options: BundleCompileOptions, bundle?: Bundle): CompiledPolicy {
  const parsed = parseSources(modules, { regoVersion: options.regoVersion });
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  if (bundle) checkAgainstData(parsed.modules, bundle);
  const pkg = decisionPackage(parsed.modules, options.package ?? (bundle ? manifestPackage(bundle.manifest) : undefined));
  const result = compileParsed(parsed, {
    entrypoints: DECISION_RULES.map((rule) => decisionEntrypoint(pkg, rule)),
    options: { regoVersion: options.regoVersion },
  });
  if (!result.plan || result.errors.length > 0) return { ok: false, errors: result.errors };
  const warnings = checkDecisionContract(parsed.modules, pkg, (m) => packageSegments(m).join("."));
  return { ok: true, package: pkg, plan: result.plan, warnings };
}

function packageSegments(m: Module): string[] {
  return m.package.path.slice(1).map((t) => (t.type === "string" ? t.value : String((t as { value: unknown }).value)));
}

/** The ground prefix of a rule's path: `data.<package>.<name>[.<string keys>…]`. */
function rulePath(pkg: string[], head: Module["rules"][number]["head"]): string[] {
  const path = [...pkg];
  for (const [i, term] of head.ref.entries()) {
    if (i === 0 && term.type === "var") path.push(term.value);
    else if (i > 0 && term.type === "string") path.push(term.value);
    else break;
  }
  return path;
}

/** Packages must lie inside the manifest's roots, and no rule may sit where a data document puts a value. */
function checkAgainstData(modules: Module[], bundle: Bundle): void {
  const roots = bundle.manifest?.roots ?? [""];
  const dataFiles = bundle.files.filter((f) => f.kind === "data");
  for (const m of modules) {
    const pkg = packageSegments(m);
    if (!insideRoots(pkg, roots))
      throw new BundleError(
        "outside_roots",
        `package ${pkg.join(".")} is outside the manifest's roots (${roots.map((r) => JSON.stringify(r)).join(", ")})`,
        m.file,
      );
    for (const rule of m.rules) {
      const path = rulePath(pkg, rule.head);
      if (!dataAt(bundle.data, path).found) continue;
      const file =
        dataFiles.find((f) => {
          const at = folderOf(f.path);
          return at.every((s, i) => i >= path.length || s === path[i]);
        })?.path ?? "a data document";
      throw new BundleError(
        "data_conflict",
        `rule data.${path.join(".")} at ${m.file}:${rule.loc.row} overlaps the data set by ${file}`,
        m.file,
      );
    }
  }
}

/** The package given, the only package, or the only package defining `allow` or `deny`; otherwise 422 naming the candidates. */
function decisionPackage(modules: Module[], given: string | undefined): string {
  const packages = [...new Set(modules.map((m) => packageSegments(m).join(".")))].sort();
  if (given !== undefined) {
    const name = given.startsWith("data.") ? given.slice(5) : given;
    if (!packages.includes(name))
      throw new BundleError("decision_package", `decision package ${name} is not in the bundle (its packages: ${packages.join(", ")})`);
    return name;
  }
  // A bundle of one package (the single-module upload of before bundles) decides through it.
  if (packages.length === 1) return packages[0] as string;
  const deciding = [
    ...new Set(
      modules
        .filter((m) =>
          m.rules.some((r) => r.head.ref.length === 1 && r.head.ref[0]?.type === "var" && DECIDING_RULES.has(r.head.ref[0].value)),
        )
        .map((m) => packageSegments(m).join(".")),
    ),
  ].sort();
  if (deciding.length === 1) return deciding[0] as string;
  if (deciding.length === 0)
    throw new BundleError(
      "decision_package",
      `no package defines allow or deny; name the decision package with --package (packages: ${packages.join(", ")})`,
    );
  throw new BundleError(
    "decision_package",
    `several packages define allow or deny (${deciding.join(", ")}); name the decision package with --package or the manifest's metadata.package`,
  );
}

/** `data.payments.v1.allow` for package `payments.v1`. */
export function decisionEntrypoint(pkg: string, rule: DecisionRule): string {
  return `data.${pkg}.${rule}`;
}
