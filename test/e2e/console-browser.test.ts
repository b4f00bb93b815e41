/**
 * The web console in a real browser: Debian's chromium (/usr/bin/chromium, headless, driven by
 * playwright-core; nothing downloads a browser) against the local stack (`caracal dev`). Signs in,
 * activates a set version through the replay confirmation, watches an exchange made with the CLI
 * appear in the live audit, opens its explain (deciding rule highlighted), runs the playground,
 * shadows a version and reads the shadow report, checks the version diff, and explains a decision
 * of a bundle with data down to the data paths its deciding rule read. Screenshots go to
 * test-output/console/ (git-ignored). Timeouts here are hang caps only, never assertions.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idOf, type LocalStack, ROOT, startLocalStack } from "./local-stack.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(ROOT, "test-output/console");
const HANG_CAP_MS = 120_000;

const PAYMENTS = `package payments

default allow := false

allow if {
  input.subject.claims.role == "payer"
}
`;
const PAYMENTS_V2 = `${PAYMENTS}
deny contains "viewers may not pay" if input.subject.claims.role == "viewer"
`;

/** A bundle's module: who may pay comes from the bundle's data (roles/data.json). */
const PAYERS = `package payments

default allow := false

allow if data.roles.payers[input.subject.claims.role]
`;

let stack: LocalStack;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const ids: Record<string, string> = {};

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** A token exchange with the CLI as `role`; its request id. */
async function exchange(role: string): Promise<string> {
  const token = (
    await stack.ok(
      "token",
      "mint",
      "--key",
      "./idp-key.json",
      "--issuer",
      "https://idp.local.test",
      "--sub",
      `user-${role}`,
      "--claim",
      `role=${role}`,
    )
  ).trim();
  const res = await stack.caracal(
    "token",
    "exchange",
    "--client-id",
    ids.client!,
    "--client-secret",
    ids.secret!,
    "--subject-token",
    token,
  );
  const id = /Request ID: (req-[a-z0-9]{16})/.exec(res.stdout + res.stderr)?.[1];
  expect(id, res.stdout + res.stderr).toBeDefined();
  return id!;
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), "Debian's chromium is needed (.ci/run installs it)").toBe(true);
  await mkdir(SHOTS, { recursive: true });
  stack = await startLocalStack("caracal-console-");
  await writeFile(join(stack.workDir, "payments.rego"), PAYMENTS);
  await writeFile(join(stack.workDir, "payments-v2.rego"), PAYMENTS_V2);
  ids.zone = idOf(await stack.ok("zone", "create", "--name", "console"), "zn");
  stack.env.CARACAL_ZONE_ID = ids.zone;
  const created = await stack.ok("policy", "create", "--name", "payments-policy", "--file", "./payments.rego");
  ids.policy = idOf(created, "pol");
  ids.pv1 = /^Version ID: (pv-[a-z0-9]{12})$/m.exec(created)![1]!;
  ids.pv2 = idOf(await stack.ok("policy", "version", ids.policy, "--file", "./payments-v2.rego"), "pv");
  ids.set = idOf(await stack.ok("policy-set", "create", "--name", "production"), "ps");
  ids.psv1 = idOf(await stack.ok("policy-set", "version", ids.set, "--policy-versions", ids.pv1), "psv");
  ids.psv2 = idOf(await stack.ok("policy-set", "version", ids.set, "--policy-versions", ids.pv2), "psv");
  const client = await stack.ok("client", "create", "--name", "checkout");
  ids.client = /^Client ID: (cl-[a-z0-9]{12})$/m.exec(client)![1]!;
  ids.secret = /^Client secret: (\S+)$/m.exec(client)![1]!;
  const added = await stack.caracal("issuer", "add", "--issuer", "https://idp.local.test", "--generate-key", "./idp-key.json");
  expect(added.code, added.stderr).toBe(0);
  // Decisions recorded before anything is active (denied: no_active_policy_set): the replay has something to replay.
  await exchange("payer");

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(HANG_CAP_MS);
  // (Page code is given as strings: this file is type-checked without the DOM library.)
  // Any script error or CSP violation in the page fails the test at the end.
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of 40[134]/.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe("the web console in chromium", () => {
  it("signs in with the admin token, kept in sessionStorage and never in the URL", async () => {
    const api = stack.env.CARACAL_API_URL!;
    const res = await page.goto(`${api}/console`);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: HANG_CAP_MS }).toContain("refused");
    await page.getByLabel("Admin token").fill(stack.env.CARACAL_ADMIN_TOKEN!);
    await page.getByLabel("Your name for the activation history (optional)").fill("e2e-browser");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Zones" }).waitFor();
    expect(page.url()).not.toContain(stack.env.CARACAL_ADMIN_TOKEN!);
    expect(await page.evaluate("sessionStorage.getItem('caracal.admin-token')")).toBe(stack.env.CARACAL_ADMIN_TOKEN);
    expect(await page.evaluate("localStorage.length")).toBe(0);
    await page.getByRole("link", { name: "console", exact: true }).click();
    await page.getByRole("heading", { name: "Zone console" }).waitFor();
    await shot("01-zone");
  });

  it("activates a set version after the replay confirmation, and shows the timeline", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Policy sets" }).click();
    await page.getByRole("link", { name: "production" }).click();
    await page.getByRole("heading", { name: "Policy set production" }).waitFor();
    // Fits the laptop screen: no horizontal scrolling at 1366 px.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1366);
    // By keyboard: Enter opens the confirmation with focus on Cancel (focus ring shown), Escape cancels.
    const activate = page.locator(`button[data-action="activate"][data-version="${ids.psv1}"]`);
    await activate.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Cancel");
    expect(await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")).toBe("solid");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect(JSON.parse(await stack.ok("policy-set", "get", ids.set!, "--json")).activation).toBeNull();

    await activate.click();
    const dialog = page.getByRole("dialog");
    await dialog.locator(".replay-summary").waitFor();
    expect(await dialog.locator(".replay-summary").textContent()).toMatch(/decisions replayed|No recorded decisions/);
    await shot("02-activate-confirm");
    await dialog.locator("#dialog-confirm").click();
    await page.getByRole("status").filter({ hasText: "Activation #1" }).waitFor();
    await page.locator("table").filter({ hasText: "Activation timeline" }).getByText("e2e-browser").waitFor();
    const active = await stack.ok("policy-set", "get", ids.set!, "--json");
    expect(JSON.parse(active).activation).toMatchObject({ active_version_id: ids.psv1, activated_by: "e2e-browser" });
    await shot("03-set-active");
  });

  it("shows an exchange in the live audit, then its explain with the deciding rule highlighted", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Live audit" }).click();
    await page.getByRole("heading", { name: "Live audit" }).waitFor();
    await page
      .locator("p.live")
      .filter({ hasText: /event|No events/ })
      .waitFor();
    const requestId = await exchange("payer");
    const row = page.locator(`tr[data-request="${requestId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("allow");
    expect(await page.locator("figure.chart-figure").textContent()).toMatch(/allow: [1-9]/);
    await shot("04-live-audit");

    await row.getByRole("link", { name: requestId }).click();
    await page.getByRole("heading", { name: `Explain ${requestId}` }).waitFor();
    const deciding = page.locator(".policy.determining .line.deciding");
    await deciding.first().waitFor();
    expect(await deciding.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("allow if {")]));
    expect(await page.locator(".verdict").textContent()).toContain("data.payments.allow");
    expect(await page.locator("pre.json").textContent()).toContain('"role": "payer"');
    await shot("05-explain");
  });

  it("runs the playground in the browser on the recorded input", async () => {
    await page.getByRole("link", { name: "Try this input in the playground" }).click();
    await page.getByRole("heading", { name: "Playground" }).waitFor();
    const source = page.getByLabel("Policy source", { exact: true });
    await expect.poll(() => source.inputValue(), { timeout: HANG_CAP_MS }).toContain("package payments");
    expect(await page.getByLabel("Input document (JSON)").inputValue()).toContain('"role": "payer"');
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.locator("#pg-decision").filter({ hasText: "allow" }).waitFor();
    expect(await page.locator("#pg-decision").textContent()).toContain("data.payments.allow");
    await page.locator(".result .line.deciding").first().waitFor();
    // An edit that no longer allows the recorded input: the decision flips, evaluated in the page.
    await source.fill(PAYMENTS.replace('"payer"', '"treasurer"'));
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.locator("#pg-decision").filter({ hasText: "deny" }).waitFor();
    // A compile error is shown with its location.
    await source.fill("package payments\n\nallow if {\n  x > 1\n}\n");
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.locator(".result .errors").filter({ hasText: "rego_unsafe_var_error" }).waitFor();
    await source.fill(PAYMENTS.replace('"payer"', '"treasurer"'));
    await page.getByRole("button", { name: "Evaluate" }).click();
    await page.locator("#pg-decision").filter({ hasText: "deny" }).waitFor();
    await shot("06-playground");
  });

  it("shadows a version through the confirmation and charts the shadow report", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Policy sets" }).click();
    await page.getByRole("link", { name: "production" }).click();
    await page.locator(`button[data-action="shadow"][data-version="${ids.psv2}"]`).click();
    const dialog = page.getByRole("dialog");
    await dialog.locator(".replay-summary").waitFor();
    await dialog.locator("#dialog-confirm").click();
    await page
      .getByRole("status")
      .filter({ hasText: `${ids.psv2} in shadow` })
      .waitFor();
    await exchange("viewer");
    await exchange("payer");
    // Reload the set view: the shadow report pairs the new shadow evaluations.
    await page.reload();
    const chart = page.locator("figure.chart-figure").filter({ hasText: "Shadow agreement over time" });
    await chart.waitFor();
    await chart.scrollIntoViewIfNeeded();
    expect(await page.locator("section").filter({ hasText: "Shadow report" }).textContent()).toMatch(/Evaluated\s*2/);
    await shot("07-shadow-report");
  });

  it("shows a policy's versions with the diff between them", async () => {
    await page.goto(`${stack.env.CARACAL_API_URL}/console#/z/${ids.zone}/policies/${ids.policy}/${ids.pv2}`);
    await page.locator("figure.diff").waitFor();
    await page.locator("figure.diff").scrollIntoViewIfNeeded();
    expect(await page.locator("figure.diff .line.add").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('deny contains "viewers may not pay"')]),
    );
    await shot("08-policy-diff");
  });

  it("explains a decision of a bundle with data, listing the data paths the deciding rule read", async () => {
    await mkdir(join(stack.workDir, "payers/roles"), { recursive: true });
    await writeFile(join(stack.workDir, "payers/policy.rego"), PAYERS);
    await writeFile(join(stack.workDir, "payers/roles/data.json"), JSON.stringify({ payers: { treasurer: true } }));
    const pv3 = idOf(await stack.ok("policy", "version", ids.policy!, "--bundle", "./payers"), "pv");
    const psv3 = idOf(await stack.ok("policy-set", "version", ids.set!, "--policy-versions", pv3), "psv");
    await stack.ok("policy-set", "activate", ids.set!, "--version", psv3);
    const requestId = await exchange("treasurer");
    await page.goto(`${stack.env.CARACAL_API_URL}/console#/z/${ids.zone}/explain/${requestId}`);
    await page.getByRole("heading", { name: `Explain ${requestId}` }).waitFor();
    const read = page.locator(".policy.determining").filter({ hasText: "Data read by data.payments.allow" });
    await read.waitFor();
    expect(await read.textContent()).toContain("data.roles.payers.treasurer");
    expect(await page.locator(".policy.determining .line.deciding").allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining("allow if")]),
    );
    await shot("09-explain-data-read");
    expect(problems).toEqual([]);
  });
});
