/**
 * The invalidation stream's pieces that need no Worker: credential messages
 * (fields and parser), stream-id order, and which entries of the colo's
 * shared window an isolate still has to apply (and when it may have missed
 * some). The shared read itself runs in workerd (test/e2e/hot-path.test.ts).
 */
import { describe, expect, it } from "vitest";
import { credentialsFields, isCredentialsEntry, parseCredentialsInvalidation } from "../../../workers/distribution/credentials-stream.js";
import { compareIds, newerThan, WINDOW, type StreamWindow } from "../../../workers/distribution/shared-tip.js";
import { parseInvalidation } from "../../../workers/distribution/stream.js";

const flat = (fields: Record<string, string>) => Object.entries(fields).flat();

describe("credential messages", () => {
  it("round-trip through their fields and are not policy invalidations", () => {
    const fields = flat(credentialsFields({ zone: "zn-abc123", what: "client", seq: 7 }));
    expect(isCredentialsEntry(fields)).toBe(true);
    expect(parseCredentialsInvalidation(fields)).toEqual({ zone: "zn-abc123", what: "client", seq: 7 });
    expect(parseInvalidation(fields)).toBeUndefined();
  });

  it("reject malformed entries", () => {
    const ok = { kind: "credentials", zone: "zn-abc123", what: "key", seq: "3" };
    expect(parseCredentialsInvalidation(flat(ok))).toBeDefined();
    for (const bad of [
      { ...ok, zone: "zone-1" },
      { ...ok, what: "everything" },
      { ...ok, seq: "three" },
      { ...ok, kind: "policy" },
    ]) {
      expect(parseCredentialsInvalidation(flat(bad))).toBeUndefined();
    }
    expect(parseCredentialsInvalidation(["kind"])).toBeUndefined();
    expect(parseCredentialsInvalidation("kind credentials")).toBeUndefined();
    expect(isCredentialsEntry(flat({ zone: "zn-a", policy_set_version: "psv-b", shadow: "", seq: "1" }))).toBe(false);
  });
});

describe("the shared window", () => {
  const window = (ids: string[]): StreamWindow => ({
    readAt: 0,
    tip: ids.at(-1) ?? "0-0",
    entries: ids.map((id) => [id, []]),
  });

  it("orders stream ids by time, then sequence", () => {
    expect(compareIds("1700000000000-1", "1700000000000-0")).toBeGreaterThan(0);
    expect(compareIds("999-5", "1000-0")).toBeLessThan(0);
    expect(compareIds("5-5", "5-5")).toBe(0);
  });

  it("gives the entries after an isolate's last id, and no gap while the window reaches back to it", () => {
    expect(newerThan(window(["10-0", "11-0", "12-0"]), "11-0")).toEqual({ entries: [["12-0", []]], gap: false });
    expect(newerThan(window(["10-0", "11-0"]), "11-0")).toEqual({ entries: [], gap: false });
    // A window that is not full holds the whole stream: nothing can have fallen out of it.
    expect(newerThan(window(["10-0", "11-0"]), "5-0").gap).toBe(false);
  });

  it("reports a gap when a full window starts after the last id", () => {
    const ids = Array.from({ length: WINDOW }, (_, i) => `${100 + i}-0`);
    expect(newerThan(window(ids), "50-0").gap).toBe(true);
    expect(newerThan(window(ids), "100-0").gap).toBe(false);
  });
});
