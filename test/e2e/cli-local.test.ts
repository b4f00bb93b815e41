/** `caracal eval` and `caracal test`: local authoring with the real binary, no server. */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CARACAL = fileURLToPath(new URL("../../bin/caracal.js", import.meta.url));
let dir: string;

function caracal(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CARACAL, ...args], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
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

  it("reports Rego errors with their location and exit 1", async () => {
    const res = await caracal("eval", "x := ");
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/<query>:1:\d+: rego_parse_error/);
  });
});

describe("caracal test", () => {
  it("prints PASS/FAIL per test and a summary, exiting 1 on a failure", async () => {
    const res = await caracal("test", ".");
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^data\.payments\.test_payer: PASS \(/m);
    expect(res.stdout).toMatch(/^data\.payments\.test_viewer: FAIL \(/m);
    expect(res.stdout).toMatch(/^PASS: 1\/2$/m);
    expect(res.stdout).toMatch(/^FAIL: 1\/2$/m);
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
