/** A policy's source with line numbers; chosen lines highlighted (explain's deciding rule, the playground's). */
import { h } from "./dom.js";
export { ruleRows } from "./text.js";

export interface Marks {
  /** rows (1-based) of the deciding rule's body: highlighted and scrolled to */
  deciding?: number[];
  /** rows of other bodies that fired */
  fired?: number[];
}

export function sourceView(source: string, file: string, marks: Marks = {}): HTMLElement {
  const lines = source.split("\n");
  const deciding = new Set(marks.deciding ?? []);
  const fired = new Set(marks.fired ?? []);
  const body = h(
    "ol",
    { className: "code", "aria-label": `source of ${file}` },
    ...lines.map((line, i) => {
      const row = i + 1;
      const kind = deciding.has(row) ? "deciding" : fired.has(row) ? "fired" : "";
      return h(
        "li",
        { className: kind ? `line ${kind}` : "line", "data-row": row, ...(kind === "deciding" ? { "aria-current": "true" } : {}) },
        h("span", { className: "ln", "aria-hidden": "true" }, row),
        h("code", {}, line || " "),
      );
    }),
  );
  const legend =
    deciding.size || fired.size
      ? h(
          "p",
          { className: "legend" },
          deciding.size ? h("span", { className: "key deciding" }, "deciding rule") : null,
          fired.size ? h("span", { className: "key fired" }, "other rules that produced a value") : null,
        )
      : null;
  return h("figure", { className: "source" }, h("figcaption", {}, file), legend, h("div", { className: "scroll", tabindex: 0 }, body));
}
