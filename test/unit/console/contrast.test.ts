/**
 * The console's text colours against the backgrounds they are drawn on meet WCAG 2.x AA
 * (contrast ratio ≥ 4.5:1 for normal text, 3:1 for chart bars, borders and focus outlines), computed from console/console.css itself: a colour
 * changed there is checked here. The pairs are the ones the stylesheet puts together.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("../../../console/console.css", import.meta.url), "utf8");
const vars = new Map([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1] as string, m[2] as string]));

function colour(c: string): string {
  if (c.startsWith("#")) return c.length === 4 ? `#${[...c.slice(1)].map((x) => x + x).join("")}` : c;
  const v = vars.get(c);
  if (!v) throw new Error(`console.css defines no --${c}`);
  return v;
}

/** WCAG relative luminance of an sRGB colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(fg: string, bg: string): number {
  const [a, b] = [luminance(colour(fg)), luminance(colour(bg))].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

/** [text, background, where]: names are console.css custom properties, or literal colours. */
const PAIRS: [string, string, string][] = [
  ["fg", "bg", "page text"],
  ["fg", "card", "card text"],
  ["muted", "bg", "secondary text on the page"],
  ["muted", "card", "secondary text in cards"],
  ["muted", "#eeeeee", "not-evaluated badge"],
  ["accent", "card", "links"],
  ["accent-fg", "accent", "primary buttons"],
  ["allow", "allow-bg", "allow badge"],
  ["deny", "deny-bg", "deny badge"],
  ["error", "error-bg", "error badge"],
  ["shadow", "shadow-bg", "shadow badge"],
  ["#0b3d91", "#e1ebff", "determining badge"],
  ["fg", "hl", "the deciding line"],
  ["fg", "fired", "lines of rules that fired"],
  ["fg", "#dff3e5", "added diff line"],
  ["fg", "#fbe3e4", "removed diff line"],
  ["fg", "#eef0f3", "source captions"],
  ["#ffffff", "#14213d", "top bar"],
  ["#ffffff", "#23345e", "hovered nav item"],
  ["#ffffff", "#2f4a8a", "current nav item"],
];

/** Graphics and focus indicators (WCAG 1.4.11, non-text contrast ≥ 3:1). */
const GRAPHICS: [string, string, string][] = [
  ["#2e7d4f", "card", "allow bars"],
  ["#c0392b", "card", "deny bars"],
  ["#6a4bc4", "card", "shadow bars"],
  ["#b86e00", "card", "error bars"],
  ["#ffd166", "#14213d", "focus outline in the top bar"],
  ["accent", "bg", "focus outline on the page"],
  ["#8a9099", "card", "form field borders"],
];

describe("console colours", () => {
  it.each(PAIRS)("%s on %s (%s) has a contrast ratio of at least 4.5:1", (fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(GRAPHICS)("%s against %s (%s) has a contrast ratio of at least 3:1", (fg, bg) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(3);
  });

  it("computes WCAG's ratios for known pairs", () => {
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrast("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
  });
});
