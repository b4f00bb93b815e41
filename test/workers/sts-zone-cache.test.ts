/** The per-isolate zone snapshot: cached for POLL_SECONDS, replaced on invalidate, immutable once handed out. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ZoneCache } from "../../workers/sts/zone-cache.js";
import { ALLOW_POLICY, call, expectStatus, newPolicy, newPolicySet, newSetVersion, newZone } from "./helpers.js";

describe("zone cache", () => {
  it("keeps a snapshot until the TTL or an invalidation, reusing prepared plans", async () => {
    const zone = await newZone();
    const [a, b] = [await newPolicy(zone), await newPolicy(zone, `${ALLOW_POLICY}\ndeny contains "x" if input.x\n`)];
    const set = await newPolicySet(zone);
    const [v1, v2] = [await newSetVersion(zone, set, [a.versionId]), await newSetVersion(zone, set, [a.versionId, b.versionId])];
    const activate = async (version: string, shadow?: string) =>
      expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version, ...(shadow ? { shadow } : {}) }), 200);

    await activate(v1);
    const cache = new ZoneCache();
    const longTtl = { ...env, POLL_SECONDS: "60" };
    const first = await cache.get(longTtl, zone);
    expect(first).toMatchObject({ zoneId: zone, defaultTokenLifetime: 900, maxTokenLifetime: 3600, shadow: null });
    expect(first?.active?.policySetVersionId).toBe(v1);
    expect(first?.active?.policies.map((p) => [p.policyVersionId, p.package])).toEqual([[a.versionId, "payments"]]);

    // another isolate's activation is not seen before the TTL …
    await activate(v2, v1);
    expect(await cache.get(longTtl, zone)).toBe(first);
    // … but right after an invalidation; the snapshot handed out before is unchanged
    cache.invalidate(zone);
    const second = await cache.get(longTtl, zone);
    expect(second?.active?.policySetVersionId).toBe(v2);
    expect(second?.shadow?.policySetVersionId).toBe(v1);
    expect(first?.active?.policySetVersionId).toBe(v1);
    // the unchanged policy version's plan was prepared once
    expect(second?.active?.policies[0]?.prepared).toBe(first?.active?.policies[0]?.prepared);

    // with a TTL of 0 every get re-reads the pointer
    await activate(v1);
    expect((await cache.get({ ...env, POLL_SECONDS: "0" }, zone))?.active?.policySetVersionId).toBe(v1);
    expect(await cache.get(longTtl, "zn-doesnotexist")).toBeNull();
  });
});
