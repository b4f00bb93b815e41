/**
 * An exchange in flight finishes on the policy set it started with (issue 6):
 * the request holds the zone snapshot it took; an activation and the
 * invalidation that follows it replace the cache entry, not that snapshot.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fromJS } from "../../workers/rego/index.js";
import { evaluateSet } from "../../workers/sts/decision.js";
import { ZoneCache } from "../../workers/sts/zone-cache.js";
import { ALLOW_POLICY, call, expectStatus, newPolicy, newPolicySet, newSetVersion, newZone } from "./helpers.js";

const DENY_ALL = `package payments
deny contains "paused" if true
`;

describe("in-flight exchanges", () => {
  it("decide with the snapshot they started with while an activation lands", async () => {
    const zone = await newZone();
    const [allow, deny] = [await newPolicy(zone, ALLOW_POLICY), await newPolicy(zone, DENY_ALL)];
    const set = await newPolicySet(zone);
    const [v1, v2] = [await newSetVersion(zone, set, [allow.versionId]), await newSetVersion(zone, set, [deny.versionId])];
    const activate = async (version: string) =>
      expectStatus(await call("POST", `/v1/zones/${zone}/policy-sets/${set}/activate`, { version }), 200);
    await activate(v1);

    const cache = new ZoneCache();
    const startedWith = await cache.get(env, zone); // the request takes its snapshot first …
    await activate(v2); // … an activation commits meanwhile …
    cache.invalidate(zone); // … and reaches this isolate through the stream.
    const input = fromJS({ subject: { claims: { role: "payer" } }, client: { attributes: {} } });
    const options = { nowNs: BigInt(Date.now()) * 1_000_000n };

    const inFlight = await evaluateSet(startedWith?.active ?? null, input, options);
    expect(inFlight.policySetVersionId).toBe(v1);
    expect(inFlight.decision).toBe("allow");
    const next = await evaluateSet((await cache.get(env, zone))?.active ?? null, input, options);
    expect(next.policySetVersionId).toBe(v2);
    expect(next.decision).toBe("deny");
  });
});
