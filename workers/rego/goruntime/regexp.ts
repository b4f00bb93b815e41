/**
 * Go's `regexp` package, as OPA's regex built-ins use it, on top of re2js (a
 * pure-JavaScript port of RE2/J, so the syntax, leftmost-first semantics and
 * error messages are RE2's, and matching is linear-time: no eval, no
 * backtracking blow-up, safe inside workerd).
 *
 * re2js matches over UTF-16 strings; positions here are UTF-16 indices. Go
 * works on UTF-8 bytes, but only whole-rune positions are ever observable
 * through the built-ins, so results are the same. Differences are listed in
 * REGEX.md.
 *
 * (glob.ts in builtins/ compiles globs to RE2 patterns and runs them on re2js too.)
 */
import { RE2JS } from "re2js";
import { GoError } from "./errors.js";
import { RecentCache } from "./recent-cache.js";

/** A pattern Go's regexp.Compile rejects; the message is Go's. */
export class RegexpError extends GoError {}

/**
 * Compiled patterns (or their compile error), shared by all evaluations in the
 * isolate: policies call the same patterns over and over. Bounded: a pattern
 * stays at least until CACHE_GENERATION other patterns were used after it
 * (see recent-cache.ts), at most twice that many are held.
 */
export const CACHE_GENERATION = 500;
const cache = new RecentCache<string, RE2JS | RegexpError>(CACHE_GENERATION);

/** Compiles a Go RE2 pattern; throws RegexpError with Go's message. */
export function compileRegex(pattern: string): RE2JS {
  let entry = cache.get(pattern);
  if (entry === undefined) {
    try {
      entry = RE2JS.compile(pattern);
    } catch (e) {
      // re2js formats syntax errors as Go does ("error parsing regexp: missing
      // closing ]: `[a`"), except that Go quotes the whole pattern after the
      // nesting-depth error.
      let message = e instanceof Error ? e.message : String(e);
      if (message === "error parsing regexp: expression nests too deeply") message += `: \`${pattern}\``;
      entry = new RegexpError(message);
    }
    cache.set(pattern, entry);
  }
  if (entry instanceof RE2JS) return entry;
  throw entry;
}

/** True when `pattern` compiles (regex.is_valid). */
export function isValidRegex(pattern: string): boolean {
  try {
    compileRegex(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * A match: `[start0, end0, start1, end1, …]` for the whole match and each
 * group, -1 for a group that did not take part (Go's index slices).
 */
export type MatchIndex = number[];

/** Width of the character at `pos` in UTF-16 units: 2 for a surrogate pair, 0 at the end. */
function charWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  if (c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length) {
    const d = s.charCodeAt(pos + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

function matchIndex(m: ReturnType<RE2JS["matcher"]>, groups: number): MatchIndex {
  const out: MatchIndex = [m.start(), m.end()];
  for (let g = 1; g <= groups; g++) out.push(m.start(g), m.end(g));
  return out;
}

/**
 * Go's `allMatches`: successive non-overlapping matches, at most `n` (all when
 * n < 0). An empty match right after the previous match is skipped, and the
 * search advances one character past an empty match.
 */
export function findAllIndex(re: RE2JS, s: string, n: number, withGroups: boolean): MatchIndex[] {
  const limit = n < 0 ? s.length + 1 : n;
  const groups = withGroups ? re.groupCount() : 0;
  const out: MatchIndex[] = [];
  const m = re.matcher(s);
  let pos = 0;
  let prevEnd = -1;
  while (out.length < limit && pos <= s.length) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos) {
      // An empty match at the search position.
      if (start === prevEnd) accept = false;
      pos += charWidth(s, pos) || 1;
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(matchIndex(m, groups));
  }
  return out;
}

/** Go's `Regexp.Split(s, -1)`. */
export function splitAll(re: RE2JS, pattern: string, s: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [""];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [start, stop] of findAllIndex(re, s, -1, false) as [number, number][]) {
    end = start;
    if (stop !== 0) out.push(s.slice(beg, end));
    beg = stop;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's `Regexp.ReplaceAllString`: every match replaced by `template`, expanded. */
export function replaceAll(re: RE2JS, src: string, template: string): string {
  const m = re.matcher(src);
  const groups = re.groupCount();
  const names = re.namedGroups();
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    if (!m.find(searchPos)) break;
    const a = matchIndex(m, groups);
    const [start, end] = a as [number, number];
    out += src.slice(lastMatchEnd, start);
    // No replacement for an empty match right after the previous match.
    if (end > lastMatchEnd || start === 0) out += expand(template, src, a, names);
    lastMatchEnd = end;
    // Advance past this match, at least one character.
    const width = charWidth(src, searchPos);
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`. The name
 * after `$` is the longest run of letters, digits and `_`, so `$1x` is the
 * (missing, hence empty) group named "1x", as in Go.
 */
export function expand(template: string, src: string, match: MatchIndex, names: Record<string, number>): string {
  let out = "";
  let t = template;
  for (;;) {
    const dollar = t.indexOf("$");
    if (dollar < 0) break;
    out += t.slice(0, dollar);
    t = t.slice(dollar + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    const ref = extractRef(t);
    if (ref === undefined) {
      out += "$"; // malformed: the $ is kept as text
      continue;
    }
    t = ref.rest;
    const group = ref.num >= 0 ? ref.num : (names[ref.name] ?? -1);
    if (group >= 0 && 2 * group + 1 < match.length) {
      const s = match[2 * group] as number;
      if (s >= 0) out += src.slice(s, match[2 * group + 1]);
    }
  }
  return out + t;
}

function extractRef(str: string): { name: string; num: number; rest: string } | undefined {
  if (str === "") return undefined;
  let s = str;
  const brace = s.startsWith("{");
  if (brace) s = s.slice(1);
  let i = 0;
  for (const ch of s) {
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return undefined;
  const name = s.slice(0, i);
  if (brace) {
    if (s[i] !== "}") return undefined;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name[0] === "0" && name.length > 1) num = -1; // no leading zeros
  return { name, num, rest: s.slice(i) };
}

/** Go's `regexp.QuoteMeta`. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}
