/**
 * Text helpers of the console with no DOM: a line diff for the version diff and the rows of a rule
 * for highlighting. Type-checked with the root tsconfig too, so test/unit can test them in Node.
 */

/** A line's net count of opening braces, not counting those in strings, raw strings or comments. */
function braceBalance(line: string): number {
  const code = line.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""').replace(/#.*$/, "");
  let n = 0;
  for (const ch of code) n += ch === "{" ? 1 : ch === "}" ? -1 : 0;
  return n;
}

/**
 * The rows (1-based) of the rule whose body starts at `row`: through the line that closes the
 * braces it opens, or that line alone for a one-line rule. Provenance names where a body starts;
 * the highlight covers the whole rule.
 */
export function ruleRows(lines: string[], row: number): number[] {
  const start = lines[row - 1];
  if (start === undefined) return [];
  const rows = [row];
  let depth = braceBalance(start);
  for (let r = row + 1; r <= lines.length && depth > 0; r++) {
    depth += braceBalance(lines[r - 1] ?? "");
    rows.push(r);
  }
  return rows;
}

export type DiffLine = { kind: "same" | "add" | "del"; text: string; a?: number; b?: number };

/** Lines beyond this many cells of the LCS table are compared as one replaced block (keeps the tab responsive). */
const MAX_CELLS = 4_000_000;

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  // Common head and tail first: most version diffs touch a few lines in the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const out: DiffLine[] = a.slice(0, head).map((text, i) => ({ kind: "same", text, a: i + 1, b: i + 1 }));
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    midA.forEach((text, i) => out.push({ kind: "del", text, a: head + i + 1 }));
    midB.forEach((text, j) => out.push({ kind: "add", text, b: head + j + 1 }));
  } else {
    // lcs[i][j]: length of the LCS of midA[i..] and midB[j..], in one flat array
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i * w + j] = midA[i] === midB[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        out.push({ kind: "same", text: midA[i]!, a: head + i + 1, b: head + j + 1 });
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
        out.push({ kind: "add", text: midB[j]!, b: head + j + 1 });
        j++;
      } else {
        out.push({ kind: "del", text: midA[i]!, a: head + i + 1 });
        i++;
      }
    }
  }
  const offA = a.length - tail;
  const offB = b.length - tail;
  for (let k = 0; k < tail; k++) out.push({ kind: "same", text: a[offA + k]!, a: offA + k + 1, b: offB + k + 1 });
  return out;
}
