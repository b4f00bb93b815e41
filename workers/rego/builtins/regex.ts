/**
 * regex.* built-ins, with OPA's semantics: Go RE2 syntax (see
 * ../goruntime/regexp.ts and REGEX.md), errors as eval_builtin_error with Go's
 * messages.
 */
import type { Value } from "../value/index.js";
import { builtinError, goErrors, int, str, typeError } from "./args.js";
import { globsIntersect } from "./glob-intersect.js";
import { quote } from "../goruntime/strconv.js";
import { byteLength } from "../goruntime/utf8.js";
import type { RE2JS } from "re2js";
import { compileRegex as compileGoRegexp, findAllIndex, isValidRegex, quoteMeta, replaceAll, splitAll } from "../goruntime/regexp.js";
import type { BuiltinTable } from "./types.js";

/** regexp.Compile; a rejected pattern is an eval_builtin_error with Go's message. */
function compileRegex(pattern: string): RE2JS {
  return goErrors(() => compileGoRegexp(pattern));
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A match count as Go's `int`: negative means all. */
function count(args: Value[], i: number): number {
  const n = int(args, i);
  if (typeof n === "bigint") {
    // OPA reads the operand as an int64; beyond that its conversion fails.
    if (n < INT64_MIN || n > INT64_MAX) throw typeError(`operand ${i + 1} must be integer number but got floating-point number`);
    return n < 0n ? -1 : Number.MAX_SAFE_INTEGER;
  }
  return n;
}

export const regexBuiltins: BuiltinTable = {
  "regex.is_valid": (args) => {
    const p = args[0];
    return typeof p === "string" && isValidRegex(p);
  },

  "regex.match": (args) => {
    const pattern = str(args, 0);
    const value = str(args, 1);
    return compileRegex(pattern).test(value);
  },

  "regex.find_n": (args) => {
    const pattern = str(args, 0);
    const value = str(args, 1);
    const n = count(args, 2);
    const re = compileRegex(pattern);
    return findAllIndex(re, value, n, false).map(([s, e]) => value.slice(s, e));
  },

  "regex.find_all_string_submatch_n": (args) => {
    const pattern = str(args, 0);
    const value = str(args, 1);
    const n = count(args, 2);
    const re = compileRegex(pattern);
    return findAllIndex(re, value, n, true).map((m) => {
      const groups: Value[] = [];
      for (let g = 0; g < m.length; g += 2) {
        const s = m[g] as number;
        groups.push(s >= 0 ? value.slice(s, m[g + 1]) : "");
      }
      return groups;
    });
  },

  "regex.replace": (args) => {
    const base = str(args, 0);
    const pattern = str(args, 1);
    const value = str(args, 2);
    return replaceAll(compileRegex(pattern), base, value);
  },

  "regex.split": (args) => {
    const pattern = str(args, 0);
    const value = str(args, 1);
    return splitAll(compileRegex(pattern), pattern, value);
  },

  "regex.template_match": (args) => {
    const template = str(args, 0);
    const value = str(args, 1);
    const start = str(args, 2);
    const end = str(args, 3);
    // Go measures the delimiters in bytes (and reports the start delimiter's
    // length in both messages).
    const startLen = byteLength(start);
    if (startLen !== 1) throw builtinError(`start delimiter has to be exactly one character long but is ${startLen} long`);
    if (byteLength(end) !== 1) throw builtinError(`end delimiter has to be exactly one character long but is ${startLen} long`);
    return compileRegex(templatePattern(template, start, end)).test(value);
  },

  // Four steps a token pair the walk compares (its calls and star loops are objects of their own).
  "regex.globs_match": (args, ctx) => globsIntersect(str(args, 0), str(args, 1), (n) => ctx.charge(4 * n)),
};

/**
 * The regex a template stands for (gorilla/mux's scheme, as OPA forked it):
 * text outside the delimiters is quoted, each delimited part is a group whose
 * contents must compile on their own; the whole is anchored.
 */
function templatePattern(template: string, open: string, close: string): string {
  const spans = delimiterSpans(template, open, close);
  let pattern = "^";
  let end = 0;
  for (const [from, to] of spans) {
    const raw = template.slice(end, from);
    const inner = template.slice(from + 1, to - 1);
    end = to;
    pattern += `${quoteMeta(raw)}(${inner})`;
    compileRegex(`^${inner}$`);
  }
  return `${pattern}${quoteMeta(template.slice(end))}$`;
}

/** Top-level delimited spans as [start, end) pairs; unbalanced delimiters are an error. */
function delimiterSpans(s: string, open: string, close: string): [number, number][] {
  const spans: [number, number][] = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === open) {
      if (++level === 1) start = i;
    } else if (c === close) {
      if (--level === 0) spans.push([start, i + 1]);
      else if (level < 0) throw builtinError(`unbalanced braces in ${quote(s)}`);
    }
  }
  if (level !== 0) throw builtinError(`unbalanced braces in ${quote(s)}`);
  return spans;
}
