/** The compile caches' bound (goruntime/recent-cache.ts): what was used recently stays, the size stays bounded. */
import { describe, expect, it } from "vitest";
import { RecentCache } from "../../../workers/rego/goruntime/recent-cache.js";

describe("RecentCache", () => {
  it("keeps an entry until `generation` other keys were used after it", () => {
    const cache = new RecentCache<string, number>(4);
    cache.set("p", 0);
    for (let i = 0; i < 4; i++) cache.set(`k${i}`, i);
    expect(cache.get("p")).toBe(0); // four others since: still there (now in the old generation, moved back)
    for (let i = 4; i < 8; i++) cache.set(`k${i}`, i);
    expect(cache.get("p")).toBe(0); // the hit above renewed it
    for (let i = 8; i < 17; i++) cache.set(`k${i}`, i);
    expect(cache.get("p")).toBeUndefined(); // nine others without a hit: dropped
  });

  it("holds at most two generations", () => {
    const cache = new RecentCache<number, number>(3);
    for (let i = 0; i < 100; i++) cache.set(i, i);
    const held = Array.from({ length: 100 }, (_, i) => cache.get(i)).filter((v) => v !== undefined);
    expect(held.length).toBeLessThanOrEqual(6);
    expect(held).toContain(99);
  });
});
