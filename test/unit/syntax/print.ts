/**
 * Compact printing of parsed rules for assertions, on top of the syntax
 * module's own term and body printers, so tests read like Rego.
 */
import type { Head, Module, Rule } from "../../../workers/rego/syntax/index.js";
import { bodyString, refString, termString } from "../../../workers/rego/syntax/term-utils.js";

export { bodyString as bodyStr, exprString as exprStr, termString as termStr } from "../../../workers/rego/syntax/term-utils.js";

export function headStr(h: Head): string {
  let s = refString(h.ref);
  if (h.args) s += `(${h.args.map(termString).join(", ")})`;
  if (h.key) s += ` contains ${termString(h.key)}`;
  if (h.value) s += ` ${h.assign ? ":=" : "="} ${termString(h.value)}`;
  return s;
}

export function ruleStr(r: Rule): string {
  let s = `${r.default ? "default " : ""}${headStr(r.head)} { ${bodyString(r.body)} }`;
  if (r.else) s += ` else ${ruleStr(r.else)}`;
  return s;
}

export function moduleRules(m: Module): string[] {
  return m.rules.map(ruleStr);
}
