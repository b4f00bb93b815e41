/**
 * The hot path across instances (issue 15), with a real redis-server behind
 * the project's Upstash bridge:
 * - a client disabled through instance A is refused by instance B (another
 *   isolate over the same D1) through the stream, and without Redis through
 *   B's credentials poll (CREDENTIALS_POLL_SECONDS);
 * - isolates of one colo (N instances in one workerd, one Cache API) share one
 *   stream read: Redis sees about as many stream reads from four as from one.
 * Latencies are measured by `npm run bench -- credentials` / `-- fan-out`;
 * here only convergence is asserted, with bounds a loaded machine meets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disablePropagation, startPair } from "../../bench/credentials.js";
import { measureFanOut, startStream, type Stream } from "../../bench/fan-out.js";

let stream: Stream;

beforeAll(async () => {
  stream = await startStream();
});

afterAll(async () => {
  await stream?.stop();
});

describe("credential invalidation across instances", () => {
  it("refuses a client disabled through A on B, through the stream", async () => {
    const pair = await startPair({ ...stream.vars, POLL_SECONDS: "600" });
    try {
      for (let i = 0; i < 5; i++) expect(await disablePropagation(pair, 60_000)).toBeGreaterThan(0);
    } finally {
      await pair.stop();
    }
  });

  it("refuses it without Redis once B's credentials poll comes round", async () => {
    const pair = await startPair({ CREDENTIALS_POLL_SECONDS: "2", POLL_SECONDS: "600" });
    try {
      expect(await disablePropagation(pair, 120_000, 500)).toBeGreaterThan(0);
    } finally {
      await pair.stop();
    }
  });
});

describe("stream fan-out within a colo", () => {
  it("reads the stream about as often with four isolates as with one", async () => {
    const one = await measureFanOut(stream, 1, 4);
    const four = await measureFanOut(stream, 4, 4);
    expect(one.streamReadsPerSecond).toBeGreaterThan(0);
    // Per-isolate reads would be four times as many; a shared read stays near one isolate's count.
    expect(four.streamReadsPerSecond).toBeLessThan(2 * one.streamReadsPerSecond + 1);
  });
});
