/**
 * "Did you mean …?" suggestions, after gqlparser's validator/core/helpers.go
 * (itself after graphql-js's suggestionList): options within a Levenshtein
 * distance of 40% of the input's length, closest first.
 */
import { byteLength } from "../../goruntime/utf8.js";

/** `"A", "B", or "C"`, at most five. */
export function quotedOrList(items: string[]): string {
  return orList(items.map((i) => `"${i}"`));
}

/** `A, B, or C`, at most five. */
export function orList(items: string[]): string {
  const list = items.slice(0, 5);
  if (list.length === 2) return `${list[0]} or ${list[1]}`;
  let out = "";
  list.forEach((item, i) => {
    if (i !== 0) out += i === list.length - 1 ? ", or " : ", ";
    out += item;
  });
  return out;
}

/** Charged with the work done: one unit per option, plus the edit-distance tables. */
export type Charge = (units: number) => void;

export function suggestionList(input: string, options: string[], charge: Charge): string[] {
  const threshold = Math.max(1, Math.floor(byteLength(input) * 0.4) + 1);
  const scored: [string, number][] = [];
  for (const option of options) {
    charge(1 + Math.floor((input.length * option.length) / 32));
    const d = lexicalDistance(input, option);
    if (d <= threshold) scored.push([option, d]);
  }
  // Array.prototype.sort is stable, as Go's sort is for lists this short.
  scored.sort((a, b) => a[1] - b[1]);
  return scored.map(([option]) => option);
}

/** `message Did you mean "a" or "b"?`, or nothing without suggestions. */
export function suggestQuoted(prefix: string, typed: string, options: string[], charge: Charge): string {
  const s = suggestionList(typed, options, charge);
  return s.length > 0 ? ` ${prefix} ${quotedOrList(s)}?` : "";
}

export function suggestUnquoted(prefix: string, typed: string, options: string[], charge: Charge): string {
  const s = suggestionList(typed, options, charge);
  return s.length > 0 ? ` ${prefix} ${orList(s)}?` : "";
}

/** Edit distance where a change of case alone counts as one edit. */
function lexicalDistance(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return 1;
  return levenshtein([...la], [...lb]);
}

function levenshtein(a: string[], b: string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
