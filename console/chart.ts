/**
 * Stacked bar charts as inline SVG (decisions over time, the shadow report). Colours come from the
 * stylesheet's classes; each bar carries a <title> and the chart a text summary, so the numbers are
 * readable without seeing the colours.
 */
import { h, s } from "./dom.js";

export interface Series {
  key: string;
  label: string;
  /** CSS class giving the fill */
  className: string;
}

export interface Bucket {
  label: string;
  values: Record<string, number>;
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { top: 10, right: 8, bottom: 28, left: 36 };

export function stackedBars(title: string, series: Series[], buckets: Bucket[]): HTMLElement {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const totals = buckets.map((b) => series.reduce((n, se) => n + (b.values[se.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = buckets.length ? plotW / buckets.length : plotW;
  const barW = Math.max(1, Math.min(40, step * 0.8));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const bars = buckets.map((b, i) => {
    let acc = 0;
    const x = PAD.left + i * step + (step - barW) / 2;
    const parts = series.map((se) => {
      const v = b.values[se.key] ?? 0;
      const rect = s("rect", { x, y: y(acc + v), width: barW, height: (v / max) * plotH, class: se.className });
      acc += v;
      return v > 0 ? rect : null;
    });
    const detail = series.map((se) => `${se.label} ${b.values[se.key] ?? 0}`).join(", ");
    return s("g", { class: "bar" }, s("title", {}, `${b.label}: ${detail}`), ...parts);
  });
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  const labels = buckets.map((b, i) =>
    i % every === 0
      ? s("text", { x: PAD.left + i * step + step / 2, y: HEIGHT - 8, "text-anchor": "middle", class: "axis" }, b.label)
      : null,
  );
  const svg = s(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title, class: "chart" },
    s("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0), class: "axis-line" }),
    s("text", { x: PAD.left - 4, y: y(max) + 4, "text-anchor": "end", class: "axis" }, max),
    s("text", { x: PAD.left - 4, y: y(0), "text-anchor": "end", class: "axis" }, 0),
    ...bars,
    ...labels,
  );
  const sums = series.map((se) => [se, buckets.reduce((n, b) => n + (b.values[se.key] ?? 0), 0)] as const);
  return h(
    "figure",
    { className: "chart-figure" },
    h("figcaption", {}, title),
    svg,
    h(
      "ul",
      { className: "chart-legend" },
      ...sums.map(([se, n]) =>
        h(
          "li",
          {},
          s("svg", { width: 12, height: 12, "aria-hidden": "true" }, s("rect", { width: 12, height: 12, class: se.className })),
          ` ${se.label}: ${n}`,
        ),
      ),
    ),
  );
}

/** Buckets of events by time: `width` milliseconds each, `count` buckets ending at `end`. */
export function timeBuckets<T extends { time: string }>(
  items: T[],
  keyOf: (item: T) => string,
  end: number,
  width: number,
  count: number,
): Bucket[] {
  const start = end - width * count;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    label: new Date(start + i * width).toISOString().slice(11, width >= 60_000 ? 16 : 19),
    values: {},
  }));
  for (const item of items) {
    const t = Date.parse(item.time);
    if (!(t >= start && t < end)) continue;
    const bucket = buckets[Math.floor((t - start) / width)];
    if (!bucket) continue;
    const key = keyOf(item);
    bucket.values[key] = (bucket.values[key] ?? 0) + 1;
  }
  return buckets;
}
