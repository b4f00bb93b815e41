/**
 * Decision-contract checks run when a version is created (docs/architecture.md §4): the STS reads
 * only `allow`, `deny`, `ttl`, `scope` and `claims` of the decision package, so a package that
 * defines neither `allow` nor `deny` denies every exchange, a misspelt rule (`alow`) is never read,
 * and an obligation of the wrong type (`ttl := "300"`) fails every exchange closed. The first is
 * refused, the second warned about, the third refused — when the type can be read off the rule
 * heads: literals, composites and comprehensions (whose container type is known). A value computed
 * by a call, a reference or a variable is not inferred; the STS still checks it per exchange.
 */
import type { Location } from "../rego/index.js";
import type { Module, Rule, Term } from "../rego/syntax/ast.js";
import { DECISION_RULES, type DecisionRule } from "./decision-rules.js";

export interface ContractItem {
  /** `no_decision_rule` or `decision_contract` (errors), `near_miss_rule` (warnings) */
  code: "no_decision_rule" | "decision_contract" | "near_miss_rule";
  message: string;
  location?: Location;
}

/** A version that breaks the contract: the API answers 422 with these items. */
export class ContractViolation extends Error {
  constructor(readonly items: ContractItem[]) {
    super(items.map((i) => i.message).join("; "));
    this.name = "ContractViolation";
  }
}

type Kind = "boolean" | "number" | "string" | "null" | "array" | "set" | "object";
/** What is known of a value: its kind, for a literal its value, for a collection its members' kinds (when all known). */
interface Inferred {
  kind: Kind;
  number?: number;
  members?: (Kind | undefined)[];
  keys?: (Kind | undefined)[];
}

function infer(term: Term | undefined): Inferred | undefined {
  if (!term) return undefined;
  switch (term.type) {
    case "boolean":
    case "string":
    case "null":
      return { kind: term.type };
    case "number":
      return { kind: "number", number: Number(term.text) };
    case "templatestring":
      return { kind: "string" };
    case "array":
    case "set":
      return { kind: term.type, members: term.value.map((t) => infer(t)?.kind) };
    case "object":
      return { kind: "object", keys: term.value.map(([k]) => infer(k)?.kind) };
    case "arraycomprehension":
      return { kind: "array", members: [infer(term.value.term)?.kind] };
    case "setcomprehension":
      return { kind: "set", members: [infer(term.value.term)?.kind] };
    case "objectcomprehension":
      return { kind: "object", keys: [infer(term.value.key)?.kind] };
    default:
      return undefined;
  }
}

/** The value a rule (one definition of an `else` chain) gives its name, as far as its head says. */
function ruleValue(rule: Rule): Inferred | undefined {
  const { head } = rule;
  // `claims.role := …` / `claims[k] := v`: the name is an object built key by key.
  if (head.ref.length > 1) return { kind: "object", keys: [infer(head.ref[1])?.kind] };
  // `deny contains "reason"` (v0 `deny["reason"]`): a set of such members.
  if (head.key && !head.value) return { kind: "set", members: [infer(head.key)?.kind] };
  return infer(head.value);
}

const stringsOnly = (kinds: (Kind | undefined)[] | undefined) => (kinds ?? []).every((k) => k === undefined || k === "string");

/** Why this value breaks the rule's contract, or undefined when it does not (or cannot be told). */
function violation(rule: DecisionRule, v: Inferred): string | undefined {
  switch (rule) {
    case "allow":
      return v.kind === "boolean" ? undefined : `allow must be a boolean, got a ${v.kind}`;
    case "deny":
      if (v.kind !== "set" && v.kind !== "array")
        return `deny must be a set of strings (its reasons), got a ${v.kind}; write deny contains "reason" if …`;
      return stringsOnly(v.members) ? undefined : "deny must be a set of strings (its reasons), got a non-string member";
    case "ttl":
      if (v.kind !== "number") return `ttl must be a number of seconds, got a ${v.kind}`;
      return v.number !== undefined && !(v.number >= 1) ? `ttl must be a number of seconds >= 1, got ${v.number}` : undefined;
    case "scope":
      if (v.kind !== "set" && v.kind !== "array") return `scope must be a set or array of strings, got a ${v.kind}`;
      return stringsOnly(v.members) ? undefined : "scope must be a set or array of strings, got a non-string member";
    case "claims":
      if (v.kind !== "object") return `claims must be an object, got a ${v.kind}`;
      return stringsOnly(v.keys) ? undefined : "claims must be an object with string keys, got a non-string key";
  }
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length] as number;
}

/**
 * The decision rule `name` is a near miss of, if any: another case (`Allow`), a plural or singular
 * (`denies`, `claim`), or a small edit (`alow`, `scpe`; one edit for the short names ttl and deny,
 * up to two for the others when the name has at least four characters, so `all` is not `allow`).
 */
export function nearMiss(name: string): DecisionRule | undefined {
  const lower = name.toLowerCase().replace(/_+$/, "");
  for (const target of DECISION_RULES) {
    if (name === target) return undefined;
    const forms = [target, `${target}s`, `${target}es`, target.replace(/y$/, "ies"), target.replace(/y$/, "ied"), target.replace(/s$/, "")];
    if (forms.includes(lower)) return target;
    const distance = levenshtein(lower, target);
    if (distance <= 1 || (distance === 2 && target.length >= 5 && lower.length >= 4)) return target;
  }
  return undefined;
}

function locationOf(rule: Rule): Location {
  return { file: rule.loc.file, row: rule.loc.row, col: rule.loc.col };
}

const where = (l: Location) => `${l.file}:${l.row}`;

/**
 * Checks the decision package's rules: throws a ContractViolation for a package without allow or
 * deny and for obligations of a wrong inferable type; returns the near-miss warnings.
 */
export function checkDecisionContract(modules: Module[], pkg: string, packageOf: (m: Module) => string): ContractItem[] {
  const rules = modules.filter((m) => packageOf(m) === pkg).flatMap((m) => m.rules);
  const named = rules.filter((r) => r.head.ref[0]?.type === "var");
  const nameOf = (r: Rule) => (r.head.ref[0] as { value: string }).value;
  const warnings: ContractItem[] = [];
  const misses: string[] = [];
  for (const rule of named) {
    if (rule.head.args) continue; // a function is a helper, never read as a decision
    const name = nameOf(rule);
    const target = nearMiss(name);
    if (!target || misses.some((m) => m.startsWith(`${name} at `))) continue;
    misses.push(`${name} at ${where(locationOf(rule))} looks like ${target}`);
    warnings.push({
      code: "near_miss_rule",
      message: `rule ${name} looks like ${target}, which the STS reads; ${name} is never part of the decision${named.some((r) => nameOf(r) === target) ? "" : ` (and ${target} is not defined)`}`,
      location: locationOf(rule),
    });
  }

  const errors: ContractItem[] = [];
  if (!named.some((r) => !r.head.args && (nameOf(r) === "allow" || nameOf(r) === "deny"))) {
    errors.push({
      code: "no_decision_rule",
      message: `decision package ${pkg} defines neither allow nor deny, so every exchange would be denied${misses.length ? ` (${misses.join("; ")})` : ""}`,
    });
  }
  for (const rule of named) {
    const name = nameOf(rule);
    if (rule.head.args || !(DECISION_RULES as readonly string[]).includes(name)) continue;
    for (let r: Rule | undefined = rule; r; r = r.else) {
      const value = ruleValue(r);
      const why = value && violation(name as DecisionRule, value);
      if (why) errors.push({ code: "decision_contract", message: why, location: locationOf(r) });
    }
  }
  if (errors.length > 0) throw new ContractViolation(errors);
  return warnings;
}
