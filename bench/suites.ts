/**
 * The benchmark suites, in report order. Bundled by run.ts with esbuild as
 * wrangler bundles the Worker, so what is measured is the shipped code shape
 * (e.g. const enums inlined across modules).
 */
import { runCliBench } from "./cli.js";
import { benchBundleData } from "./bundle-data.js";
import { runCredentialsBench } from "./credentials.js";
import { runDistributionBench } from "./distribution.js";
import { runFanOutBench } from "./fan-out.js";
import { benchCompile, benchRbac } from "./rego.js";
import { benchBigPolicy } from "./bigpolicy.js";
import { runReplayBench } from "./replay.js";
import { benchHostile } from "./hostile.js";
import { runStsBench } from "./sts.js";
import { runWasmBench } from "./wasm.js";
import { benchWebCrypto } from "./webcrypto.js";

export const suites: [string, () => Promise<string[]> | string[]][] = [
  ["Rego compile", () => benchCompile()],
  ["Rego evaluation", () => benchRbac()],
  ["Rego hostile policies", () => benchHostile()],
  ["Rego hostile policies, traced as the STS evaluates them", () => benchHostile(5, undefined, true)],
  ["Rego big policy", () => benchBigPolicy()],
  ["WebCrypto in workerd, against its charge", () => benchWebCrypto()],
  ["STS token exchange", () => runStsBench()],
  ["Policy distribution", () => runDistributionBench()],
  ["CLI start-up", () => runCliBench()],
  ["Bundle data", () => benchBundleData()],
  ["Credential invalidation", () => runCredentialsBench()],
  ["Stream fan-out", () => runFanOutBench()],
  ["OPA-Wasm policies", () => runWasmBench()],
  ["Replay", () => runReplayBench()],
];
