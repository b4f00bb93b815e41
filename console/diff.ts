/** A line diff of two policy sources (longest common subsequence), for the version diff view. */
import { h } from "./dom.js";

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

export function diffView(before: string, after: string, labels: [string, string]): HTMLElement {
  const lines = diffLines(before, after);
  const added = lines.filter((l) => l.kind === "add").length;
  const removed = lines.filter((l) => l.kind === "del").length;
  const sign = { same: " ", add: "+", del: "-" } as const;
  return h(
    "figure",
    { className: "source diff" },
    h(
      "figcaption",
      {},
      `${labels[0]} → ${labels[1]}: `,
      h("span", { className: "add" }, `+${added}`),
      " ",
      h("span", { className: "del" }, `−${removed}`),
    ),
    h(
      "div",
      { className: "scroll", tabindex: 0 },
      h(
        "ol",
        { className: "code", "aria-label": `diff from ${labels[0]} to ${labels[1]}` },
        ...lines.map((l) =>
          h(
            "li",
            { className: `line ${l.kind}` },
            h("span", { className: "ln", "aria-hidden": "true" }, l.a ?? ""),
            h("span", { className: "ln", "aria-hidden": "true" }, l.b ?? ""),
            h(
              "span",
              { className: "sign" },
              h("span", { className: "sr-only" }, l.kind === "same" ? "" : l.kind === "add" ? "added " : "removed "),
              sign[l.kind],
            ),
            h("code", {}, l.text || " "),
          ),
        ),
      ),
    ),
  );
}
