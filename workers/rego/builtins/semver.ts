/**
 * semver.is_valid and semver.compare, with OPA's lenient parser: a leading
 * "v" is dropped, version numbers are Go int64s (leading zeros allowed),
 * pre-release and build identifiers are dot-separated [0-9A-Za-z-]+.
 */
import { compareStrings } from "../value/index.js";
import { builtinError, str } from "./args.js";
import { quote } from "../goruntime/strconv.js";
import type { BuiltinTable } from "./types.js";

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string;
}

const IDENTIFIERS = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = (1n << 63n) - 1n;

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i >= 0 ? [s.slice(0, i), s.slice(i + 1)] : [s, ""];
}

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v > INT64_MAX || v < -INT64_MAX - 1n ? undefined : v;
}

export function parseSemver(text: string): Version | undefined {
  const [withPreRelease, metadata] = cut(text.startsWith("v") ? text.slice(1) : text, "+");
  if (metadata !== "" && !IDENTIFIERS.test(metadata)) return undefined;
  const [version, preRelease] = cut(withPreRelease, "-");
  if (preRelease !== "" && !IDENTIFIERS.test(preRelease)) return undefined;
  const parts = version.split(".");
  if (parts.length !== 3) return undefined;
  const [major, minor, patch] = parts.map(parseInt64);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { major, minor, patch, preRelease };
}

const isAllDecimals = (s: string) => /^[0-9]+$/.test(s);

/** strconv.Atoi as OPA uses it, errors ignored: out-of-range values saturate. */
function atoi(s: string): bigint {
  const v = BigInt(s);
  return v > INT64_MAX ? INT64_MAX : v;
}

const sign = (a: bigint, b: bigint) => (a > b ? 1 : a < b ? -1 : 0);

export function compareSemver(v: Version, o: Version): number {
  const c = sign(v.major, o.major) || sign(v.minor, o.minor) || sign(v.patch, o.patch);
  if (c !== 0) return c;
  if (v.preRelease === o.preRelease) return 0;
  // A release is greater than any of its pre-releases.
  if (v.preRelease === "") return 1;
  if (o.preRelease === "") return -1;
  let [a, afterA] = cut(v.preRelease, ".");
  let [b, afterB] = cut(o.preRelease, ".");
  for (;;) {
    if (a === "" && b !== "") return -1;
    if (a !== "" && b === "") return 1;
    const aNum = isAllDecimals(a);
    const bNum = isAllDecimals(b);
    // Numeric identifiers sort before alphanumeric ones.
    if (aNum && !bNum) return -1;
    if (!aNum && bNum) return 1;
    const d = aNum ? sign(atoi(a), atoi(b)) : compareStrings(a, b);
    if (d !== 0) return d;
    if (afterA !== "" && afterB === "") return 1;
    if (afterA === "" && afterB !== "") return -1;
    [a, afterA] = cut(afterA, ".");
    [b, afterB] = cut(afterB, ".");
  }
}

export const semverBuiltins: BuiltinTable = {
  "semver.is_valid"(args) {
    const v = args[0];
    return typeof v === "string" && parseSemver(v) !== undefined;
  },

  "semver.compare"(args) {
    const a = str(args, 0);
    const b = str(args, 1);
    const va = parseSemver(a);
    if (va === undefined) throw builtinError(`operand 1: string ${quote(a)} is not a valid SemVer`);
    const vb = parseSemver(b);
    if (vb === undefined) throw builtinError(`operand 2: string ${quote(b)} is not a valid SemVer`);
    return compareSemver(va, vb);
  },
};
