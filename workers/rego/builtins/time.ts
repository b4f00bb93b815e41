/**
 * time.* built-ins with Go's semantics, as OPA's topdown/time.go has them.
 * Timestamps are int64 nanoseconds since the epoch; values beyond 2^53 are
 * bigint, and all arithmetic on them is exact.
 */
import type { Value } from "../value/index.js";
import { normalizeInt, typeName } from "../value/index.js";
import { builtinError, goErrors, int, operandError, str, typeError } from "./args.js";
import type { BuiltinTable } from "./types.js";
import type { Instant } from "../goruntime/time/civil.js";
import {
  DAY_NAMES,
  civilFromDays,
  compareInstants,
  daysIn,
  floorDiv,
  instantFromNs,
  nsFromInstant,
  wallFromFields,
  weekdayFromDays,
  INT64_RANGE,
} from "../goruntime/time/civil.js";
import { formatTime, parseDuration, parseTime } from "../goruntime/time/layout.js";
import type { Zone } from "../goruntime/time/zone.js";
import { loadZone } from "../goruntime/time/zone.js";

const RFC3339 = "2006-01-02T15:04:05Z07:00";
const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

/** The layout constants OPA accepts by name in time.parse_ns and time.format. */
const LAYOUT_CONSTANTS: ReadonlyMap<string, string> = new Map([
  ["ANSIC", "Mon Jan _2 15:04:05 2006"],
  ["UnixDate", "Mon Jan _2 15:04:05 MST 2006"],
  ["RubyDate", "Mon Jan 02 15:04:05 -0700 2006"],
  ["RFC822", "02 Jan 06 15:04 MST"],
  ["RFC822Z", "02 Jan 06 15:04 -0700"],
  ["RFC850", "Monday, 02-Jan-06 15:04:05 MST"],
  ["RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"],
  ["RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"],
  ["RFC3339", RFC3339],
  ["RFC3339Nano", RFC3339_NANO],
]);

interface ZonedTime {
  t: Instant;
  zone: Zone;
  layout: string;
}

/**
 * OPA's tzTime: `ns`, `[ns]`, `[ns, tz]` or `[ns, tz, layout]`. Every
 * operand error names operand 1, whichever argument it is (as OPA does).
 */
function zonedTime(v: Value): ZonedTime {
  const shape = "either number (ns) or [number (ns), string (tz)]";
  let n: Value;
  let zone = loadZone("");
  let layout = "";
  if (Array.isArray(v)) {
    if (v.length === 0) throw typeError(`operand 1 must be ${shape} but got ${typeName(v)}`);
    n = v[0] as Value;
    if (typeof n !== "number" && typeof n !== "bigint") throw operandError(1, n, "number");
    if (v.length > 1) {
      const tz = v[1] as Value;
      if (typeof tz !== "string") throw operandError(1, tz, "string");
      zone = goErrors(() => loadZone(tz));
    }
    if (v.length > 2) {
      const lay = v[2] as Value;
      if (typeof lay !== "string") throw operandError(1, lay, "string");
      layout = lay;
    }
  } else if (typeof v === "number" || typeof v === "bigint") {
    n = v;
  } else {
    throw typeError(`operand 1 must be ${shape} but got ${typeName(v)}`);
  }
  const ns = exactInt64(n as number | bigint);
  if (ns === undefined) throw builtinError("timestamp too big");
  return { t: instantFromNs(ns), zone, layout };
}

/** The number as an int64, when it is one exactly (OPA: big.Float → Int64, Exact). */
function exactInt64(n: number | bigint): bigint | undefined {
  let b: bigint;
  if (typeof n === "bigint") b = n;
  else if (Number.isInteger(n)) b = BigInt(n);
  else return undefined;
  return b < INT64_RANGE.min || b > INT64_RANGE.max ? undefined : b;
}

/** OPA's toSafeUnixNano. */
function safeUnixNano(t: Instant): Value {
  const ns = Number.isSafeInteger(t.sec) ? nsFromInstant(t) : undefined;
  if (ns === undefined) throw builtinError("time outside of valid range");
  return normalizeInt(ns);
}

/** Calendar fields of `t` in `zone`. */
function fields(t: Instant, zone: Zone) {
  const wall = t.sec + zone.offsetAt(t.sec);
  const days = floorDiv(wall, 86400);
  const secOfDay = wall - days * 86400;
  return {
    ...civilFromDays(days),
    days,
    hour: Math.floor(secOfDay / 3600),
    min: Math.floor((secOfDay % 3600) / 60),
    sec: secOfDay % 60,
  };
}

/**
 * Go's time.Date in a zone: the wall reading is converted to an instant with
 * the offset in effect then (for a reading that a transition skips or
 * repeats, the same choice Go makes).
 */
function dateInZone(zone: Zone, wall: Instant): Instant {
  let unix = wall.sec;
  const guess = zone.offsetAt(unix);
  if (guess !== 0) unix -= zone.offsetAt(unix - guess);
  return { sec: unix, nsec: wall.nsec };
}

function goParse(layout: string, value: string): Instant {
  return goErrors(() => parseTime(layout, value));
}

export const timeBuiltins: BuiltinTable = {
  "time.now_ns": (_args, ctx) => normalizeInt(ctx.nowNs),

  "time.parse_ns": (args) => {
    const layout = str(args, 0);
    const value = str(args, 1);
    return safeUnixNano(goParse(LAYOUT_CONSTANTS.get(layout) ?? layout, value));
  },

  "time.parse_rfc3339_ns": (args) => safeUnixNano(goParse(RFC3339, str(args, 0))),

  "time.parse_duration_ns": (args) => {
    const text = str(args, 0);
    return normalizeInt(goErrors(() => parseDuration(text)));
  },

  "time.date": (args) => {
    const { t, zone } = zonedTime(args[0] as Value);
    const f = fields(t, zone);
    return [f.year, f.month, f.day];
  },

  "time.clock": (args) => {
    const { t, zone } = zonedTime(args[0] as Value);
    const f = fields(t, zone);
    return [f.hour, f.min, f.sec];
  },

  "time.weekday": (args) => {
    const { t, zone } = zonedTime(args[0] as Value);
    return DAY_NAMES[weekdayFromDays(fields(t, zone).days)] as string;
  },

  "time.format": (args) => {
    const { t, zone, layout } = zonedTime(args[0] as Value);
    const l = layout === "" ? RFC3339_NANO : (LAYOUT_CONSTANTS.get(layout) ?? layout);
    return formatTime(t, zone, l);
  },

  "time.add_date": (args) => {
    const { t, zone } = zonedTime(args[0] as Value);
    const years = Number(int(args, 1));
    const months = Number(int(args, 2));
    const days = Number(int(args, 3));
    const f = fields(t, zone);
    const wall = wallFromFields(f.year + years, f.month + months, f.day + days, f.hour, f.min, f.sec, t.nsec);
    return safeUnixNano(dateInZone(zone, wall));
  },

  "time.diff": (args) => {
    const first = zonedTime(args[0] as Value);
    const second = zonedTime(args[1] as Value);
    // Both times are seen in the first one's zone, the earlier one first.
    const zone = first.zone;
    const [early, late] = compareInstants(first.t, second.t) > 0 ? [second.t, first.t] : [first.t, second.t];
    const x = fields(early, zone);
    const y = fields(late, zone);
    let year = y.year - x.year;
    let month = y.month - x.month;
    let day = y.day - x.day;
    let hour = y.hour - x.hour;
    let min = y.min - x.min;
    let sec = y.sec - x.sec;
    if (sec < 0) {
      sec += 60;
      min--;
    }
    if (min < 0) {
      min += 60;
      hour--;
    }
    if (hour < 0) {
      hour += 24;
      day--;
    }
    if (day < 0) {
      day += daysIn(x.month, x.year);
      month--;
    }
    if (month < 0) {
      month += 12;
      year--;
    }
    return [year, month, day, hour, min, sec];
  },
};
