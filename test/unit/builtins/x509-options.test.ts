/**
 * crypto.x509.parse_and_verify_certificates_with_options: Go's
 * x509.VerifyOptions as OPA reads them from an object (DNSName, CurrentTime,
 * KeyUsages, MaxConstraintComparisons), on the fixture chain of crypto.test.ts.
 */
import { describe, expect, it } from "vitest";
import { callAsync, failureAsync } from "./harness.js";
import { RObject, RSet, type Value } from "../../../workers/rego/value/index.js";
import fixtures from "./crypto-fixtures.json" with { type: "json" };

const F = fixtures;
const NOW = 1_700_000_000_000_000_000n;
const NAME = "crypto.x509.parse_and_verify_certificates_with_options";
const opts = (entries: [string, Value][]) => RObject.from(entries);
const run = (pem: string, o: RObject) => callAsync(NAME, [pem, o], { nowNs: NOW });
const ok = async (pem: string, o: RObject) => ((await run(pem, o)) as Value[])[0];

describe("crypto.x509.parse_and_verify_certificates_with_options", () => {
  const chain = F.root + F.inter + F.leaf;

  it("verifies as parse_and_verify_certificates does without options", async () => {
    expect(await ok(chain, opts([]))).toBe(true);
    expect(await ok(F.root + F.inter + F.clientOnly, opts([]))).toBe(false);
  });

  it("checks the leaf against DNSName", async () => {
    expect(await ok(chain, opts([["DNSName", "leaf.example.com"]]))).toBe(true);
    expect(await ok(chain, opts([["DNSName", "LEAF.example.com"]]))).toBe(true);
    expect(await ok(chain, opts([["DNSName", "other.example.com"]]))).toBe(false);
  });

  it("accepts the key usages asked for, server auth by default", async () => {
    const client = F.root + F.inter + F.clientOnly;
    expect(await ok(client, opts([["KeyUsages", ["KeyUsageClientAuth"]]]))).toBe(true);
    expect(await ok(client, opts([["KeyUsages", RSet.from(["KeyUsageAny"])]]))).toBe(true);
    expect(await ok(client, opts([["KeyUsages", ["KeyUsageServerAuth"]]]))).toBe(false);
  });

  it("verifies at CurrentTime (nanoseconds) instead of the evaluation's clock", async () => {
    expect(await ok(chain, opts([["CurrentTime", 2051 * 365 * 86400 * 1_000_000_000]]))).toBe(false);
    expect(await ok(chain, opts([["CurrentTime", 1_700_000_000_000_000_000n]]))).toBe(true);
  });

  it("refuses options OPA refuses", async () => {
    const err = async (o: RObject) => (await failureAsync(NAME, [chain, o], { nowNs: NOW })).message;
    expect(await err(opts([["Nope", 1]]))).toBe("invalid key option");
    expect(await err(opts([["DNSName", 1]]))).toBe("'DNSName' should be a string");
    expect(await err(opts([["CurrentTime", "x"]]))).toBe("'CurrentTime' should be a number");
    expect(await err(opts([["KeyUsages", "x"]]))).toBe("'KeyUsages' should be an Array or Set");
    expect(await err(opts([["KeyUsages", ["KeyUsageBogus"]]]))).toBe("invalid entries for 'KeyUsages' found: [KeyUsageBogus]");
  });

  it("is false, not an error, for input that is not certificates", async () => {
    expect(await run("garbage", opts([]))).toEqual([false, []]);
  });
});
