/**
 * Runs one benchmark suite, named on the command line (bench/run.ts starts one
 * process per suite); `--list` prints the suites' names.
 */
import { suites } from "./suites.js";

const name = process.argv[2];
if (name === "--list") {
  for (const [title] of suites) console.log(title);
} else {
  const suite = suites.find(([title]) => title === name);
  if (!suite) throw new Error(`no benchmark suite ${name}`);
  for (const l of await suite[1]()) console.log(l);
}
