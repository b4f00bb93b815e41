/**
 * Rules by data path. A node holds the rules whose ground path ends there
 * (`p[x] := …` sits at `p`, with `[x]` as its suffix) and the nodes below it.
 */
import type { TypeDecl } from "../builtins/index.js";
import type { VarTypes } from "./types-check.js";
import type { CompiledRule } from "./types.js";

export class RuleNode {
  readonly children = new Map<string, RuleNode>();
  /** non-default rules, in source order (each may carry an else chain) */
  readonly rules: CompiledRule[] = [];
  defaults: CompiledRule[] = [];
  /** a package lives here: even without rules it is part of data (as `{}`) */
  isPackage = false;

  constructor(readonly path: string[]) {}

  get hasRules(): boolean {
    return this.rules.length > 0 || this.defaults.length > 0;
  }

  /** All rules of this node, defaults included. */
  allRules(): CompiledRule[] {
    return [...this.rules, ...this.defaults];
  }

  /** Functions are not part of the data document. */
  get isFunction(): boolean {
    return this.allRules().some((r) => r.kind === "function");
  }

  get arity(): number {
    return this.allRules()[0]?.args.length ?? 0;
  }

  /** Rules of the nodes below this one (not this one's), with their path relative to it. */
  descendantRules(): { rule: CompiledRule; path: string[] }[] {
    const out: { rule: CompiledRule; path: string[] }[] = [];
    const visit = (n: RuleNode, path: string[]) => {
      for (const key of [...n.children.keys()].sort()) {
        const c = n.children.get(key) as RuleNode;
        for (const rule of c.allRules()) out.push({ rule, path: [...path, key] });
        visit(c, [...path, key]);
      }
    };
    visit(this, []);
    return out;
  }

  child(key: string): RuleNode | undefined {
    return this.children.get(key);
  }

  /** True when this node or any below it has rules or is a package. */
  get isVirtual(): boolean {
    if (this.hasRules || this.isPackage) return true;
    for (const c of this.children.values()) if (c.isVirtual) return true;
    return false;
  }
}

/** Types by variable name or rule key, and how deep the program's rules go (VarTypes.ruleDepth). */
class InferredTypes extends Map<string, TypeDecl> implements VarTypes {
  ruleDepth = 0;
}

export class RuleTree {
  readonly root = new RuleNode([]);
  /** the inferred type of every variable of the program's bodies and of its rules (infer-types.ts), for the type checks */
  readonly inferredTypes = new InferredTypes();

  /** the most parts a rule's path has */
  get ruleDepth(): number {
    return this.inferredTypes.ruleDepth;
  }

  node(path: string[], create = false): RuleNode | undefined {
    let n = this.root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string;
      let c = n.children.get(key);
      if (!c) {
        if (!create) return undefined;
        c = new RuleNode(path.slice(0, i + 1));
        n.children.set(key, c);
      }
      n = c;
    }
    return n;
  }

  add(rule: CompiledRule): void {
    const n = this.node(rule.path, true) as RuleNode;
    this.inferredTypes.ruleDepth = Math.max(this.inferredTypes.ruleDepth, rule.path.length);
    if (rule.default) n.defaults.push(rule);
    else n.rules.push(rule);
  }

  /**
   * The node a dotted operator name (`data.a.f`, without `data.`) stands for.
   * Keys may hold dots themselves (`f.a["b.c"](x)` is `a.f.b.c`), so where the
   * plain split finds nothing, keys are matched against the name's text.
   */
  nodeByName(name: string): RuleNode | undefined {
    const plain = this.node(name === "" ? [] : name.split("."));
    if (plain) return plain;
    const walk = (n: RuleNode, rest: string): RuleNode | undefined => {
      if (rest === "") return n;
      for (const [key, c] of n.children) {
        if (rest === key) return c;
        if (rest.startsWith(key + ".")) {
          const found = walk(c, rest.slice(key.length + 1));
          if (found) return found;
        }
      }
      return undefined;
    };
    return walk(this.root, name);
  }

  /** Every node with rules, depth-first in key order (an explicit stack: nested generators cost each node its depth). */
  nodesWithRules(n: RuleNode = this.root): RuleNode[] {
    const out: RuleNode[] = [];
    const stack = [n];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.hasRules) out.push(node);
      const keys = [...node.children.keys()].sort();
      for (let i = keys.length - 1; i >= 0; i--) stack.push(node.children.get(keys[i] as string) as RuleNode);
    }
    return out;
  }
}
