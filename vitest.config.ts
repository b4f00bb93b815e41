import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { buildConsole } from "./scripts/build-console.mjs";
import { buildWasmChild } from "./scripts/build-wasm-child.mjs";
import { testModulesBase64 } from "./test/wasm/build.js";

/** The admin token the "workers" project's Worker is configured with (see test/workers/helpers.ts). */
const TEST_ADMIN_TOKEN = "test-admin-token";
/** A fixed key-encryption key for the test Worker's signing keys (32 bytes, base64); test data only. */
const TEST_KEY_ENCRYPTION_KEY = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";
/**
 * Tests must pass on a loaded 2-core machine (e.g. two `npm test` at once), so no test is bounded
 * by wall time it could exceed there; these caps only end a test that truly hangs.
 */
const SLOW_MACHINE_TIMEOUTS = { testTimeout: 300_000, hookTimeout: 300_000 };

/**
 * The workers project's pool options. The pool asks for them once per test file (each file gets a
 * fresh workerd): built once per run, as the Worker's code does not change during a run.
 */
async function buildWorkersPoolOptions() {
  // The OPA-Wasm child Worker's code, the console and the OPA-ABI test modules are built, not checked in.
  await buildWasmChild();
  await buildConsole();
  return {
    main: "./workers/index.ts",
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        TEST_MIGRATIONS: await readD1Migrations("./schema/migrations"),
        CARACAL_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        CARACAL_KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
        TEST_WASM_MODULES: testModulesBase64(),
        // The STS's configured origin: the tests' requests use this host (test/workers/sts-helpers.ts ORIGIN).
        CARACAL_ISSUER_URL: "http://caracal.test",
      },
    },
  };
}
let workersPoolOptionsOnce: ReturnType<typeof buildWorkersPoolOptions> | undefined;
function workersPoolOptions(): ReturnType<typeof buildWorkersPoolOptions> {
  workersPoolOptionsOnce ??= buildWorkersPoolOptions();
  return workersPoolOptionsOnce;
}

export default defineConfig({
  test: {
    // vitest's default on a 2-core machine is one file at a time; much of a file's time is spent
    // waiting (workerd starting, the e2e tests' child processes), so two overlap well.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "node",
          include: ["test/unit/**/*.test.ts", "test/conformance/**/*.test.ts", "test/e2e/**/*.test.ts"],
          environment: "node",
          // The e2e tests spawn the built CLI (bin/caracal.js → dist/cli): build it first.
          globalSetup: ["./test/build-cli.ts"],
          ...SLOW_MACHINE_TIMEOUTS,
        },
      },
      {
        // Worker integration tests: run inside workerd against a real (local) D1
        // with the checked-in migrations applied by the setup file.
        plugins: [cloudflareTest(workersPoolOptions)],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          setupFiles: ["./test/workers/apply-migrations.ts"],
          ...SLOW_MACHINE_TIMEOUTS,
        },
      },
    ],
  },
});
