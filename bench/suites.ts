/**
 * The benchmark suites, in report order. Bundled by run.ts with esbuild as
 * wrangler bundles the Worker, so what is measured is the shipped code shape
 * (e.g. const enums inlined across modules).
 */
import { runDistributionBench } from "./distribution.js";
import { benchCompile, benchRbac } from "./rego.js";
import { benchHostile } from "./hostile.js";
import { runStsBench } from "./sts.js";

export const suites: [string, () => Promise<string[]> | string[]][] = [
  ["Rego compile", () => benchCompile()],
  ["Rego evaluation", () => benchRbac()],
  ["Rego hostile policies", () => benchHostile()],
  ["STS token exchange", () => runStsBench()],
  ["Policy distribution", () => runDistributionBench()],
];
