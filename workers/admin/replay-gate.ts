/**
 * The opt-in replay gate of an activation (`require_replay`): before anything
 * is written, the newest decisions of the recent window are replayed against
 * the version being activated; more flips than `max_flips` refuse the
 * activation with 409 (no pointer change, no history row, no invalidation).
 * The gate replays one page (MAX_REPLAY_LIMIT decisions, newest first), so its
 * cost is bounded like a replay call's.
 */
import type { Env } from "../env.js";
import { Problem } from "../http/problem.js";
import { replayWindow } from "./routes/replay.js";
import { MAX_REPLAY_LIMIT } from "./schemas/replay.js";

export const DEFAULT_GATE_WINDOW_MS = 24 * 60 * 60 * 1000;
const EXAMPLES = 10;

export interface GateOptions {
  require_replay?: boolean | undefined;
  max_flips?: number | undefined;
  replay_since?: string | undefined;
}

export async function enforceReplayGate(env: Env, zone: string, set: string, version: string, gate: GateOptions): Promise<void> {
  if (!gate.require_replay) return;
  const maxFlips = gate.max_flips ?? 0;
  const since = gate.replay_since ?? new Date(Date.now() - DEFAULT_GATE_WINDOW_MS).toISOString();
  const result = await replayWindow(env, zone, set, version, { since, limit: MAX_REPLAY_LIMIT, order: "desc" });
  const flips = result.allow_to_deny + result.deny_to_allow;
  if (flips <= maxFlips) return;
  throw new Problem(
    409,
    "replay-gate",
    "Conflict",
    `replaying the ${result.replayed} newest decisions since ${since} against ${version} flips ${flips} ` +
      `(allow→deny ${result.allow_to_deny}, deny→allow ${result.deny_to_allow}), more than max_flips ${maxFlips}; nothing was activated`,
    result.flips.slice(0, EXAMPLES).map((f) => ({
      code: `${f.from}_to_${f.to}`,
      message: `${f.request_id}: ${f.from} → ${f.to}${f.reasons.length > 0 ? ` (${f.reasons.join("; ")})` : ""}`,
      pointer: "/version",
    })),
  );
}
