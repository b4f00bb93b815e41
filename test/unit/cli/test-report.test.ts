/** `caracal test` reports as `opa test` writes them, and the runner's --run filter and print() capture. */
import { describe, expect, it } from "vitest";
import { jsonReport, prettyReport } from "../../../cli/local/test-report.js";
import { checkRunFilter, runTests, type TestResult } from "../../../cli/local/test-runner.js";

function result(rule: string, outcome: TestResult["outcome"], extra: Partial<TestResult> = {}): TestResult {
  const row = { test_a: 3, test_b: 5, todo_test_c: 7, test_d: 9 }[rule] ?? 1;
  return {
    file: "p_test.rego",
    package: "data.p",
    rule,
    name: `data.p.${rule}`,
    location: { file: "p_test.rego", row, col: 1 },
    outcome,
    durationNs: outcome === "SKIPPED" ? 0 : 1_500_000,
    output: [],
    ...extra,
  };
}

const mixed = [
  result("test_a", "PASS", { output: ["hello 2"] }),
  result("test_b", "FAIL", { output: ["checking b", "  indented"] }),
  result("todo_test_c", "SKIPPED"),
  result("test_d", "ERROR", {
    error: {
      code: "eval_conflict_error",
      message: "complete rules must not produce multiple outputs",
      location: { file: "p.rego", row: 4, col: 1 },
    },
  }),
];

describe("pretty report", () => {
  it("shows only the tests that did not pass, under their file:row, with what they printed and the error", () => {
    expect(prettyReport(mixed, false)).toBe(
      [
        "p_test.rego:5:",
        "data.p.test_b: FAIL (1.5ms)",
        "",
        "  checking b",
        "    indented",
        "",
        "p_test.rego:7:",
        "data.p.todo_test_c: SKIPPED",
        "p_test.rego:9:",
        "data.p.test_d: ERROR (1.5ms)",
        "  p.rego:4: eval_conflict_error: complete rules must not produce multiple outputs",
        "-".repeat(80),
        "PASS: 1/4",
        "FAIL: 1/4",
        "SKIPPED: 1/4",
        "ERROR: 1/4",
        "",
      ].join("\n"),
    );
  });

  it("-v shows every test and its output, then the failures", () => {
    const text = prettyReport(mixed, true);
    expect(text.startsWith("p_test.rego:3:\ndata.p.test_a: PASS (1.5ms)\n\n  hello 2\n\np_test.rego:5:\n")).toBe(true);
    expect(text).toContain(`${"-".repeat(80)}\nFAILURES\n${"-".repeat(80)}\ndata.p.test_b: FAIL (1.5ms)\n\n`);
  });

  it("all passing: no rule, only the count; a blank line between files", () => {
    expect(prettyReport([result("test_a", "PASS")], false)).toBe("PASS: 1/1\n");
    const two = [result("test_a", "FAIL"), { ...result("test_b", "FAIL"), location: { file: "q_test.rego", row: 2, col: 1 } }];
    expect(prettyReport(two, false)).toContain("data.p.test_a: FAIL (1.5ms)\n\nq_test.rego:2:\n");
  });
});

describe("json report", () => {
  it("is OPA's array of results: fail/skip/error only when set, duration in ns, output base64", () => {
    const parsed = JSON.parse(jsonReport(mixed));
    expect(parsed[0]).toEqual({
      location: { file: "p_test.rego", row: 3, col: 1 },
      package: "data.p",
      name: "test_a",
      duration: 1_500_000,
      output: Buffer.from("hello 2\n").toString("base64"),
    });
    expect(parsed[1].fail).toBe(true);
    expect(parsed[2]).toMatchObject({ name: "todo_test_c", skip: true, duration: 0 });
    expect(parsed[3].error).toEqual({
      code: "eval_conflict_error",
      message: "complete rules must not produce multiple outputs",
      location: { file: "p.rego", row: 4, col: 1 },
    });
    expect(Object.keys(parsed[1])).toEqual(["location", "package", "name", "fail", "duration", "output"]);
  });
});

describe("the runner", () => {
  const files = {
    modules: [
      { name: "p.rego", source: "package p\n\nallow if input.ok\n" },
      {
        name: "p_test.rego",
        source: 'package p\n\ntest_ok if allow with input as {"ok": true}\n\ntest_not_ok if not allow\n\ntest_other if 1 == 2\n',
      },
    ],
    data: {},
  };

  it("--run keeps the tests whose full name the RE2 expression matches anywhere", async () => {
    const run = await runTests(files, { regoVersion: 1, run: "ok$" });
    expect(run.ok && run.results.map((r) => [r.name, r.outcome])).toEqual([
      ["data.p.test_ok", "PASS"],
      ["data.p.test_not_ok", "PASS"],
    ]);
    const all = await runTests(files, { regoVersion: 1, run: "data\\.p\\.test_o" });
    expect(all.ok && all.results.map((r) => r.rule)).toEqual(["test_ok", "test_other"]);
  });

  it("records each test rule's location", async () => {
    const run = await runTests(files, { regoVersion: 1 });
    expect(run.ok && run.results.map((r) => r.location.row)).toEqual([3, 5, 7]);
  });

  it("an invalid --run expression is reported before anything runs", () => {
    expect(checkRunFilter("(")).toMatch(/missing closing \)/);
    expect(checkRunFilter("^test_")).toBeUndefined();
  });
});
