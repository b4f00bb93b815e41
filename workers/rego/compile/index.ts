/**
 * The compile stage: parsed modules → a checked program. Places every rule in
 * the rule tree, resolves names, checks safety (reordering bodies as OPA does),
 * rule kinds and recursion, and turns the entrypoints (and an ad-hoc query)
 * into the queries the planner plans. It knows nothing of the planner.
 */
import { RegoError, type RegoErrorInfo } from "../errors.js";
import type { Annotations, Expr, Loc, Module, Term } from "../syntax/ast.js";
import { parseQuery } from "../syntax/index.js";
import { walkExpr } from "../syntax/walk.js";
import { BUILTIN_DECLS } from "../builtins/index.js";
import { type RuleNode, RuleTree } from "./ruletree.js";
import { operatorRef, refName, ROOTS, v1Checks, varTerm } from "./names.js";
import { importAlias, RuleResolver, type ModuleContext } from "./resolve.js";
import { Safety } from "./safety.js";
import { NameSource } from "./scope.js";
import { checkTree } from "./checks.js";
import { optimizeRule } from "./optimize.js";
import { TypeInference } from "./infer-types.js";
import type { QueryPlanSpec } from "./types.js";

export interface CheckRequest {
  /** refs to plan, e.g. `data.payments.allow` (or `payments/allow`) */
  entrypoints: string[];
  /** an ad-hoc query, planned as the plan `eval` */
  query?: string | undefined;
  regoVersion: 0 | 1;
}

/** What the planner needs: every rule in its tree and the queries to plan. */
export interface CheckedProgram {
  tree: RuleTree;
  queries: QueryPlanSpec[];
  /** empty when the program may be planned */
  errors: RegoErrorInfo[];
}

export function checkProgram(modules: Module[], req: CheckRequest): CheckedProgram {
  return new Compilation(modules, req).run();
}

/** `a.b` for `package a.b` (parsed as `[data, "a", "b"]`). */
export function modulePackage(module: Module): string {
  return packagePath(module).join(".");
}

function packagePath(m: Module): string[] {
  return m.package.path.slice(1).map((t) => (t.type === "string" ? t.value : String((t as { value: unknown }).value)));
}

/** `data.payments.allow` and `payments/allow` both name the plan `payments/allow`. */
export function entrypointPlanName(e: string): string {
  if (e.startsWith("data.")) return e.slice(5).split(".").join("/");
  if (e === "data") return "data";
  return e;
}

function entrypointPath(e: string): string[] {
  if (e === "data") return [];
  return e.startsWith("data.") ? e.slice(5).split(".") : e.split("/");
}

class Compilation {
  private readonly errors: RegoErrorInfo[] = [];
  private readonly names = new NameSource();
  private readonly closureLocals = new WeakMap<object, Set<string>>();
  private readonly tree = new RuleTree();

  constructor(
    private readonly modules: Module[],
    private readonly req: CheckRequest,
  ) {}

  run(): CheckedProgram {
    const queries: QueryPlanSpec[] = [];
    try {
      this.resolve();
      if (this.errors.length === 0) checkTree(this.tree, this.errors);
      if (this.errors.length === 0) {
        for (const e of this.req.entrypoints) queries.push(this.entrypointQuery(e));
        if (this.req.query !== undefined) {
          const q = this.adHocQuery(this.req.query);
          if (q) queries.push(q);
        }
      }
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
      this.errors.push(e.toJSON());
    }
    return { tree: this.tree, queries, errors: this.errors };
  }

  private resolve(): void {
    const globals = new Map<string, Set<string>>();
    const pkgOf = packagePath;
    for (const m of this.modules) {
      const key = pkgOf(m).join("\u0000");
      const set = globals.get(key) ?? new Set<string>();
      for (const r of m.rules) {
        const head = r.head.ref[0];
        if (head?.type === "var") set.add(head.value);
      }
      globals.set(key, set);
      // Packages appear in data even without rules (as `{}`).
      (this.tree.node(pkgOf(m), true) as RuleNode).isPackage = true;
    }
    const packageAnnotations = new Map<string, Annotations[]>();
    const subpackageAnnotations = new Map<string, Annotations[]>();
    for (const m of this.modules) {
      for (const a of m.annotations) {
        const target = a.scope === "package" ? packageAnnotations : a.scope === "subpackages" ? subpackageAnnotations : undefined;
        const key = pkgOf(m).join(".");
        if (target) target.set(key, [...(target.get(key) ?? []), a]);
      }
    }
    for (const m of this.modules) {
      const pkg = pkgOf(m);
      const ctx: ModuleContext = {
        packageAnnotations: packageAnnotations.get(pkg.join(".")) ?? [],
        subpackageAnnotations,
        module: m,
        pkg,
        imports: new Map(),
        globals: globals.get(pkg.join("\u0000")) ?? new Set(),
        errors: this.errors,
        names: this.names,
        closureLocals: this.closureLocals,
      };
      for (const imp of m.imports) {
        const root = imp.path.value[0];
        if (root?.type !== "var" || (root.value !== "data" && root.value !== "input")) continue;
        const alias = importAlias(imp);
        if (alias) ctx.imports.set(alias, imp.path);
      }
      const resolver = new RuleResolver(ctx);
      for (const rule of m.rules) {
        const ref = rule.head.ref;
        const path = [...pkg];
        let i = 0;
        for (; i < ref.length; i++) {
          const t = ref[i] as Term;
          if (i === 0 && t.type === "var") path.push(t.value);
          else if (t.type === "string") path.push(t.value);
          else break;
        }
        const first = ref[0] as Term;
        if (v1Checks(m) && first.type === "var" && ROOTS.has(first.value)) {
          this.errors.push(err("rego_compile_error", `rules must not shadow ${first.value} (use a different rule name)`, rule.loc));
          continue;
        }
        for (const a of rule.head.args ?? []) {
          const name = refName(a);
          if (name !== undefined && ROOTS.has(name))
            this.errors.push(err("rego_compile_error", `args must not shadow ${name} (use a different variable name)`, a.loc));
        }
        if (rule.head.args && i < ref.length) {
          this.errors.push(err("rego_type_error", "function name must be a plain ref", rule.head.loc));
          continue;
        }
        const compiled = resolver.resolveRule(rule, path, i);
        this.tree.add(compiled);
      }
    }
    const safety = new Safety({
      errors: this.errors,
      names: this.names,
      closureLocals: this.closureLocals,
      arity: (op) => this.arity(op),
    });
    for (const node of this.tree.nodesWithRules())
      for (const r of node.allRules()) {
        safety.checkRule(r);
        optimizeRule(r);
      }
    this.safety = safety;
    this.types.program();
  }

  private safety: Safety | undefined;
  private readonly types = new TypeInference(this.tree, this.tree.inferredTypes, this.errors, (n) => this.names.original(n));

  private arity(op: string): number | undefined {
    if (op.startsWith("data.")) {
      const node = this.tree.nodeByName(op.slice("data.".length));
      return node?.hasRules ? node.arity : undefined;
    }
    const decl = BUILTIN_DECLS.get(op);
    return decl ? (decl.args?.length ?? 0) : undefined;
  }

  private entrypointQuery(e: string): QueryPlanSpec {
    const path = entrypointPath(e);
    const loc: Loc = { file: "<query>", row: 1, col: 1, offset: 0, length: 0 };
    const result = this.names.fresh("result");
    const ref: Term = { type: "ref", value: [varTerm("data", loc), ...path.map((p) => ({ type: "string" as const, value: p, loc }))], loc };
    const expr: Expr = { index: 0, loc, terms: [operatorRef("eq", loc), varTerm(result, loc), ref] };
    return { name: entrypointPlanName(e), body: [expr], bindings: [["result", result]] };
  }

  private adHocQuery(source: string): QueryPlanSpec | undefined {
    const { body, errors } = parseQuery(source, { regoVersion: this.req.regoVersion, file: "<query>" });
    this.errors.push(...errors);
    if (!body) return undefined;
    // Queries see the root package: names resolve as refs from `data`.
    const ctx: ModuleContext = {
      packageAnnotations: [],
      subpackageAnnotations: new Map(),
      module: this.modules[0] ?? queryModule(this.req.regoVersion),
      pkg: [],
      imports: new Map(),
      globals: new Set(),
      errors: this.errors,
      names: this.names,
      closureLocals: this.closureLocals,
    };
    const resolved = new RuleResolver(ctx).resolveQuery(body);
    const ordered = (this.safety as Safety).reorder(resolved.body, new Set());
    this.types.query(ordered);
    const bindings: [string, string][] = [];
    const seen = new Set<string>();
    for (const e of resolved.body)
      walkExpr(
        e,
        (t) => {
          if (t.type !== "var") return;
          const original = this.names.original(t.value);
          if (original === t.value || original === "_" || original.startsWith("__") || seen.has(t.value)) return;
          seen.add(t.value);
          bindings.push([original, t.value]);
        },
        false,
      );
    bindings.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { name: "eval", body: ordered, bindings };
  }
}

/** The module a query without modules is read in: empty, of the request's Rego version. */
function queryModule(regoVersion: 0 | 1): Module {
  const loc: Loc = { file: "<query>", row: 1, col: 1, offset: 0, length: 0 };
  return {
    file: "<query>",
    regoVersion,
    package: { path: [varTerm("data", loc)], loc },
    imports: [],
    rules: [],
    comments: [],
    annotations: [],
  };
}

function err(code: RegoErrorInfo["code"], message: string, loc: Loc): RegoErrorInfo {
  return { code, message, location: { file: loc.file, row: loc.row, col: loc.col } };
}
