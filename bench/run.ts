/**
 * `npm run bench`: every benchmark, reported as medians and p99. Numbers vary
 * with machine load; run on an idle machine for figures worth quoting.
 */
import { benchCompile, benchRbac } from "./rego.js";

const sections: [string, () => Promise<string[]> | string[]][] = [
  ["Rego compile", () => benchCompile()],
  ["Rego evaluation", () => benchRbac()],
];

const only = process.argv.slice(2);
for (const [title, run] of sections) {
  if (only.length > 0 && !only.some((o) => title.toLowerCase().includes(o.toLowerCase()))) continue;
  console.log(`\n## ${title}`);
  for (const l of await run()) console.log(l);
}
