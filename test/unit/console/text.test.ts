/** The console's DOM-free text helpers: the version diff and the rule rows explain highlights. */
import { describe, expect, it } from "vitest";
import { diffLines, ruleRows } from "../../../console/text.js";

describe("diffLines", () => {
  it("keeps common lines and marks additions and removals with their line numbers", () => {
    const before = "package p\n\ndefault allow := false\nallow if input.a\n";
    const after = 'package p\n\ndefault allow := false\nallow if input.b\ndeny contains "x" if input.c\n';
    expect(diffLines(before, after).filter((l) => l.kind !== "same")).toEqual([
      { kind: "add", text: "allow if input.b", b: 4 },
      { kind: "add", text: 'deny contains "x" if input.c', b: 5 },
      { kind: "del", text: "allow if input.a", a: 4 },
    ]);
    const same = diffLines(before, after).filter((l) => l.kind === "same");
    expect(same.map((l) => [l.a, l.b])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [5, 6],
    ]);
  });

  it("reports no change for equal texts and everything for disjoint ones", () => {
    expect(diffLines("a\nb", "a\nb").every((l) => l.kind === "same")).toBe(true);
    const d = diffLines("a\nb", "c");
    expect(d.map((l) => l.kind).sort()).toEqual(["add", "del", "del"]);
  });

  it("diffs a change in the middle of a long file without comparing every pair of lines", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const changed = [...lines];
    changed[2500] = "changed";
    const d = diffLines(lines.join("\n"), changed.join("\n"));
    expect(d.filter((l) => l.kind === "add")).toEqual([{ kind: "add", text: "changed", b: 2501 }]);
    expect(d.filter((l) => l.kind === "del")).toEqual([{ kind: "del", text: "line 2500", a: 2501 }]);
  });
});

describe("ruleRows", () => {
  const source = [
    "package p", // 1
    "", // 2
    "allow if {", // 3
    '  input.x == "}"', // 4: a brace in a string
    "  some y in input.ys # {", // 5: a brace in a comment
    "  y > 1", // 6
    "}", // 7
    "deny contains msg if { msg := `{`; input.z }", // 8: one line
    "default allow := false", // 9
  ];

  it("covers a rule's body through its closing brace, ignoring braces in strings and comments", () => {
    expect(ruleRows(source, 3)).toEqual([3, 4, 5, 6, 7]);
  });

  it("covers one line for a one-line rule and nothing outside the source", () => {
    expect(ruleRows(source, 8)).toEqual([8]);
    expect(ruleRows(source, 9)).toEqual([9]);
    expect(ruleRows(source, 42)).toEqual([]);
  });
});
