/**
 * Where OPA's conformance suites are read from. The workspace's
 * `../shared/conformance` is the reference (docs/architecture.md §2) and the runners'
 * default; `test/conformance/opa` is a checked-in copy of it, so that the tests
 * and a clone that has no `../shared` next to it see the same cases the
 * known-failures files were written against.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const VENDORED_SUITES = fileURLToPath(new URL("./opa/", import.meta.url));
const SHARED_SUITES = fileURLToPath(new URL("../../../shared/conformance/", import.meta.url));

/** The runners' default folder for `sub` (e.g. `opa-plans/v1`): shared when present, else the copy. */
export function defaultSuiteDir(sub: string): string {
  const shared = `${SHARED_SUITES}${sub}`;
  return existsSync(shared) ? shared : `${VENDORED_SUITES}${sub}`;
}
