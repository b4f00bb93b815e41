/** A line diff of two policy sources (longest common subsequence), for the version diff view. */
import { h } from "./dom.js";
import { diffLines } from "./text.js";

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
