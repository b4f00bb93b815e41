/** `caracal eval` and `caracal test`: local authoring with the real binary, no server. */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };

const CARACAL = fileURLToPath(new URL("../../bin/caracal.js", import.meta.url));
let dir: string;

function caracal(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return caracalWithStdin(undefined, ...args);
}

/** The built binary (bin/caracal.js → dist/cli, built by the node project's global setup), `stdin` piped in. */
function caracalWithStdin(stdin: string | undefined, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CARACAL, ...args], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? "");
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "caracal-local-"));
  await writeFile(
    join(dir, "payments.rego"),
    'package payments\n\ndefault allow := false\n\nallow if input.subject.claims.role == "payer"\n\nlimit := data.limits.max\n',
  );
  await writeFile(
    join(dir, "payments_test.rego"),
    'package payments\n\ntest_payer if allow with input as {"subject": {"claims": {"role": "payer"}}}\n\n' +
      'test_viewer if allow with input as {"subject": {"claims": {"role": "viewer"}}}\n',
  );
  await mkdir(join(dir, "bundle/limits"), { recursive: true });
  await writeFile(join(dir, "bundle/limits/data.json"), '{"max": 12345678901234567890}');
  await writeFile(join(dir, "input.json"), '{"subject": {"claims": {"role": "payer"}}}');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("caracal eval", () => {
  it("prints opa eval's JSON shape, false values included", async () => {
    const allowed = await caracal("eval", "-d", "payments.rego", "-i", "input.json", "data.payments.allow");
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toEqual({
      result: [{ expressions: [{ value: true, text: "data.payments.allow", location: { row: 1, col: 1 } }] }],
    });
    const denied = await caracal("eval", "-d", "payments.rego", "data.payments.allow");
    expect(JSON.parse(denied.stdout).result[0].expressions[0].value).toBe(false);
  });

  it("loads data from directories by path, keeps big integers exact, and shows bindings", async () => {
    const res = await caracal("eval", "-d", "payments.rego", "-d", "bundle", "x := data.payments.limit");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"x": 12345678901234567890');
    expect((await caracal("eval", "-d", "payments.rego", "data.payments.nothing")).stdout.trim()).toBe("{}");
  });

  it("reports Rego errors as opa eval does: a JSON errors document by default, else the source line and a caret", async () => {
    const res = await caracal("eval", "x := ");
    expect(res.code).toBe(1);
    const { errors } = JSON.parse(res.stdout);
    expect(errors[0]).toMatchObject({
      code: "rego_parse_error",
      location: { file: "", row: 1, col: 6 },
      details: { line: "x := ", idx: 5 },
    });
    const pretty = await caracal("eval", "-f", "pretty", "x := ");
    expect(pretty.code).toBe(1);
    expect(pretty.stderr).toMatch(/^1 error occurred: 1:6: rego_parse_error: .*\n\tx := \n\t {5}\^\n$/);
    await writeFile(join(dir, "broken.rego"), "package broken\n\nallow if {\n\tx := [1,\n}\n");
    const file = await caracal("eval", "-f", "raw", "-d", "broken.rego", "data.broken.allow");
    expect(file.stderr).toBe("1 error occurred: broken.rego:5: rego_parse_error: unexpected } token\n\t}\n\t^\n");
  });

  it("-f raw|values|bindings|pretty print as opa eval's formats", async () => {
    const query = ["-d", "payments.rego", "-d", "bundle", "x := data.payments.limit"];
    expect((await caracal("eval", "-f", "raw", ...query)).stdout).toBe("true\n");
    expect((await caracal("eval", "-f", "values", ...query)).stdout).toBe("[\n  true\n]\n");
    expect((await caracal("eval", "-f", "bindings", ...query)).stdout).toBe('{\n  "x": 12345678901234567890\n}\n');
    expect((await caracal("eval", "-f", "pretty", ...query)).stdout).toBe(
      "┌──────────────────────┐\n│          x           │\n├──────────────────────┤\n│ 12345678901234567890 │\n└──────────────────────┘\n",
    );
    expect((await caracal("eval", "-f", "raw", '"plain"')).stdout).toBe("plain\n");
    expect((await caracal("eval", "-f", "pretty", "-d", "payments.rego", "data.payments.nothing")).stdout).toBe("undefined\n");
    const bad = await caracal("eval", "-f", "yaml", "true");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are json, raw, pretty, values, bindings/);
  });

  it("reads the input document from standard input with -i - and --stdin-input", async () => {
    const input = '{"subject": {"claims": {"role": "payer"}}}';
    for (const flag of [["-i", "-"], ["--stdin-input"], ["-I"]]) {
      const res = await caracalWithStdin(input, "eval", "-f", "raw", "-d", "payments.rego", ...flag, "data.payments.allow");
      expect(res.stdout, flag.join(" ")).toBe("true\n");
    }
    const yaml = await caracalWithStdin(
      "subject:\n  claims:\n    role: payer\n",
      "eval",
      "-f",
      "raw",
      "-d",
      "payments.rego",
      "-I",
      "data.payments.allow",
    );
    expect(yaml.stdout).toBe("true\n");
    const empty = await caracalWithStdin("", "eval", "-I", "input");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("the input document is empty");
  });
});

describe("caracal test", () => {
  it("prints what did not pass and a summary as opa test does, exiting 1 on a failure", async () => {
    await rm(join(dir, "broken.rego"), { force: true });
    const res = await caracal("test", ".");
    expect(res.code).toBe(1);
    expect(res.stdout).not.toMatch(/test_payer/);
    expect(res.stdout).toMatch(/^payments_test\.rego:5:\ndata\.payments\.test_viewer: FAIL \([\d.]+(ns|µs|ms|s)\)$/m);
    expect(res.stdout).toMatch(/^PASS: 1\/2$/m);
    expect(res.stdout).toMatch(/^FAIL: 1\/2$/m);
  });

  it("-v lists every test; --run selects by full name; --format json is opa test's JSON", async () => {
    const verbose = await caracal("test", "-v", ".");
    expect(verbose.stdout).toMatch(/^payments_test\.rego:3:\ndata\.payments\.test_payer: PASS \(/m);
    expect(verbose.stdout).toMatch(/^FAILURES$/m);
    const only = await caracal("test", "--run", "payer$", ".");
    expect(only.code).toBe(0);
    expect(only.stdout).toBe("PASS: 1/1\n");
    const json = await caracal("test", "--format", "json", ".");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.map((r: { name: string; fail?: boolean }) => [r.name, r.fail ?? false])).toEqual([
      ["test_payer", false],
      ["test_viewer", true],
    ]);
    expect(report[0]).toMatchObject({ package: "data.payments", location: { file: "payments_test.rego", row: 3, col: 1 } });
    const none = await caracal("test", "--run", "nothing-matches", ".");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no test matches --run nothing-matches");
  });

  it("prints compile errors as opa does, without an error: prefix", async () => {
    await writeFile(join(dir, "broken_test.rego"), "package broken\n\ntest_x if {\n\tx := [1,\n}\n");
    const res = await caracal("test", "broken_test.rego");
    await rm(join(dir, "broken_test.rego"));
    expect(res.code).toBe(1);
    expect(res.stderr).toBe("1 error occurred: broken_test.rego:5: rego_parse_error: unexpected } token\n\t}\n\t^\n");
  });

  it("exits 0 when every test passes", async () => {
    await writeFile(
      join(dir, "payments_test.rego"),
      'package payments\n\ntest_payer if allow with input as {"subject": {"claims": {"role": "payer"}}}\n',
    );
    const res = await caracal("test", "payments.rego", "payments_test.rego");
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^PASS: 1\/1$/m);
  });
});

describe("the caracal binary", () => {
  it("prints the package version for --version, -V and version", async () => {
    for (const args of [["--version"], ["-V"], ["version"]]) {
      const res = await caracal(...args);
      expect(res, args.join(" ")).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
    }
  });

  it("reports a mistyped option as unknown, with commander's suggestion, not as a missing required option", async () => {
    const res = await caracal("policy-set", "activate", "ps-x", "--verison", "psv-y");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("error: unknown option '--verison'\n(Did you mean --version?)");
    expect(res.stderr).not.toContain("required option");
    const top = await caracal("--verison");
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("error: unknown option '--verison'\n(Did you mean --version?)");
    const missing = await caracal("policy-set", "activate", "ps-x");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: required option '--version <id>' not specified");
    // --version after a command is that command's option, not the CLI's version
    const activate = await caracal(
      "--api-url",
      "http://127.0.0.1:9",
      "--token",
      "t",
      "--zone",
      "zn-x",
      "policy-set",
      "activate",
      "ps-x",
      "--version",
      "psv-y",
    );
    expect(activate.code).toBe(1);
    expect(activate.stderr).toContain("cannot reach the Caracal API at http://127.0.0.1:9");
  });

  it("answers a duplicate in --policy-versions in its own terms before calling the API", async () => {
    const res = await caracal("--token", "t", "--zone", "zn-x", "policy-set", "version", "ps-x", "--policy-versions", "pv-a,pv-b,pv-a");
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      "error: --policy-versions lists pv-a twice (positions 1 and 3); a policy-set version lists each policy version once\n",
    );
  });
});
