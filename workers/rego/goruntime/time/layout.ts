/**
 * Go's reference-time layouts ("2006-01-02T15:04:05Z07:00", "Mon Jan _2 …"):
 * formatting (Time.Format), parsing (time.Parse, with Local = UTC as at the
 * edge) and time.ParseDuration, with Go's error messages, since OPA passes
 * them through to the policy author.
 */
import type { Instant } from "./civil.js";
import {
  DAY_NAMES,
  MONTH_NAMES,
  civilFromDays,
  daysBefore,
  daysIn,
  floorDiv,
  isLeap,
  weekdayFromDays,
  wallFromFields,
  yearDay,
} from "./civil.js";
import type { Zone } from "./zone.js";
import { RecentCache } from "../recent-cache.js";
import { quote } from "../strconv.js";
import { GoTimeError } from "./errors.js";

// ---------------------------------------------------------------------------
// Layout elements

type Std =
  | "longMonth" // January
  | "month" // Jan
  | "numMonth" // 1
  | "zeroMonth" // 01
  | "longWeekDay" // Monday
  | "weekDay" // Mon
  | "day" // 2
  | "underDay" // _2
  | "zeroDay" // 02
  | "underYearDay" // __2
  | "zeroYearDay" // 002
  | "hour" // 15
  | "hour12" // 3
  | "zeroHour12" // 03
  | "minute" // 4
  | "zeroMinute" // 04
  | "second" // 5
  | "zeroSecond" // 05
  | "longYear" // 2006
  | "year" // 06
  | "PM" // PM
  | "pm" // pm
  | "TZ" // MST
  | "ISO8601TZ" // Z0700
  | "ISO8601SecondsTZ" // Z070000
  | "ISO8601ShortTZ" // Z07
  | "ISO8601ColonTZ" // Z07:00
  | "ISO8601ColonSecondsTZ" // Z07:00:00
  | "NumTZ" // -0700
  | "NumSecondsTZ" // -070000
  | "NumShortTZ" // -07
  | "NumColonTZ" // -07:00
  | "NumColonSecondsTZ" // -07:00:00
  | "fracSecond0" // .000 (trailing zeros kept)
  | "fracSecond9"; // .999 (trailing zeros dropped)

interface Chunk {
  prefix: string;
  std: Std | undefined;
  /** The layout text of the element. */
  text: string;
  suffix: string;
  /** Fractional seconds: number of digits and separator. */
  digits?: number;
  sep?: string;
}

const ZERO_X: Std[] = ["zeroMonth", "zeroDay", "zeroHour12", "zeroMinute", "zeroSecond", "year"];

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function startsWithLower(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 97 && c <= 122;
}

/** Layouts are few (most policies use one or two) and each is cut the same way every time. */
const chunks = new RecentCache<string, Chunk>(256);

/** Go's nextStdChunk: the text before the first layout element, the element, the rest (read-only: cached). */
function nextChunk(layout: string): Chunk {
  let ch = chunks.get(layout);
  if (ch === undefined) chunks.set(layout, (ch = scanChunk(layout)));
  return ch;
}

/** The chunk whose element is `len` characters at `i`. */
function cut(layout: string, i: number, len: number, std: Std, extra?: Partial<Chunk>): Chunk {
  return { prefix: layout.slice(0, i), std, text: layout.slice(i, i + len), suffix: layout.slice(i + len), ...extra };
}

function scanChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const rest = layout.slice(i);
    switch (c) {
      case "J":
        if (rest.startsWith("Jan")) {
          if (rest.startsWith("January")) return cut(layout, i, 7, "longMonth");
          if (!startsWithLower(rest.slice(3))) return cut(layout, i, 3, "month");
        }
        break;
      case "M":
        if (rest.startsWith("Mon")) {
          if (rest.startsWith("Monday")) return cut(layout, i, 6, "longWeekDay");
          if (!startsWithLower(rest.slice(3))) return cut(layout, i, 3, "weekDay");
        }
        if (rest.startsWith("MST")) return cut(layout, i, 3, "TZ");
        break;
      case "0":
        if (rest.length >= 2 && rest[1]! >= "1" && rest[1]! <= "6") return cut(layout, i, 2, ZERO_X[rest.charCodeAt(1) - 49]!);
        if (rest.startsWith("002")) return cut(layout, i, 3, "zeroYearDay");
        break;
      case "1":
        if (rest.startsWith("15")) return cut(layout, i, 2, "hour");
        return cut(layout, i, 1, "numMonth");
      case "2":
        if (rest.startsWith("2006")) return cut(layout, i, 4, "longYear");
        return cut(layout, i, 1, "day");
      case "_":
        if (rest.startsWith("_2")) {
          // "_2006" is a literal underscore followed by the year.
          if (rest.startsWith("_2006")) return cut(layout, i + 1, 4, "longYear");
          return cut(layout, i, 2, "underDay");
        }
        if (rest.startsWith("__2")) return cut(layout, i, 3, "underYearDay");
        break;
      case "3":
        return cut(layout, i, 1, "hour12");
      case "4":
        return cut(layout, i, 1, "minute");
      case "5":
        return cut(layout, i, 1, "second");
      case "P":
        if (rest.startsWith("PM")) return cut(layout, i, 2, "PM");
        break;
      case "p":
        if (rest.startsWith("pm")) return cut(layout, i, 2, "pm");
        break;
      case "-":
        if (rest.startsWith("-070000")) return cut(layout, i, 7, "NumSecondsTZ");
        if (rest.startsWith("-07:00:00")) return cut(layout, i, 9, "NumColonSecondsTZ");
        if (rest.startsWith("-0700")) return cut(layout, i, 5, "NumTZ");
        if (rest.startsWith("-07:00")) return cut(layout, i, 6, "NumColonTZ");
        if (rest.startsWith("-07")) return cut(layout, i, 3, "NumShortTZ");
        break;
      case "Z":
        if (rest.startsWith("Z070000")) return cut(layout, i, 7, "ISO8601SecondsTZ");
        if (rest.startsWith("Z07:00:00")) return cut(layout, i, 9, "ISO8601ColonSecondsTZ");
        if (rest.startsWith("Z0700")) return cut(layout, i, 5, "ISO8601TZ");
        if (rest.startsWith("Z07:00")) return cut(layout, i, 6, "ISO8601ColonTZ");
        if (rest.startsWith("Z07")) return cut(layout, i, 3, "ISO8601ShortTZ");
        break;
      case ".":
      case ",":
        if (rest.length > 1 && (rest[1] === "0" || rest[1] === "9")) {
          const ch = rest[1];
          let j = 1;
          while (j < rest.length && rest[j] === ch) j++;
          // The run of digits must end here: only a fractional second is all digits.
          if (!isDigitAt(rest, j)) {
            return cut(layout, i, j, ch === "0" ? "fracSecond0" : "fracSecond9", { digits: j - 1, sep: c });
          }
        }
        break;
    }
  }
  return { prefix: layout, std: undefined, text: "", suffix: "" };
}

// ---------------------------------------------------------------------------
// Formatting

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? "-" + s : s;
}

function fracDigits(nsec: number, digits: number, trim: boolean, sep: string): string {
  if (trim && (digits === 0 || nsec === 0)) return "";
  let s = String(nsec).padStart(9, "0");
  if (digits < 9) s = s.slice(0, digits);
  if (trim) s = s.replace(/0+$/, "");
  return s === "" ? "" : sep + s;
}

/** Time.Format of the instant `t` seen in `zone`. */
export function formatTime(t: Instant, zone: Zone, layout: string): string {
  const offset = zone.offsetAt(t.sec);
  const wall = t.sec + offset;
  const days = floorDiv(wall, 86400);
  const secOfDay = wall - days * 86400;
  const date = civilFromDays(days);
  const hour = Math.floor(secOfDay / 3600);
  const min = Math.floor((secOfDay % 3600) / 60);
  const sec = secOfDay % 60;
  let out = "";
  for (;;) {
    const ch = nextChunk(layout);
    out += ch.prefix;
    if (ch.std === undefined) break;
    layout = ch.suffix;
    switch (ch.std) {
      case "year":
        out += pad(Math.abs(date.year) % 100, 2);
        break;
      case "longYear":
        out += pad(date.year, 4);
        break;
      case "month":
        out += MONTH_NAMES[date.month - 1]!.slice(0, 3);
        break;
      case "longMonth":
        out += MONTH_NAMES[date.month - 1]!;
        break;
      case "numMonth":
        out += String(date.month);
        break;
      case "zeroMonth":
        out += pad(date.month, 2);
        break;
      case "weekDay":
        out += DAY_NAMES[weekdayFromDays(days)]!.slice(0, 3);
        break;
      case "longWeekDay":
        out += DAY_NAMES[weekdayFromDays(days)]!;
        break;
      case "day":
        out += String(date.day);
        break;
      case "underDay":
        out += (date.day < 10 ? " " : "") + String(date.day);
        break;
      case "zeroDay":
        out += pad(date.day, 2);
        break;
      case "underYearDay": {
        const yd = yearDay(date);
        out += (yd < 100 ? (yd < 10 ? "  " : " ") : "") + String(yd);
        break;
      }
      case "zeroYearDay":
        out += pad(yearDay(date), 3);
        break;
      case "hour":
        out += pad(hour, 2);
        break;
      case "hour12":
        out += String(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case "zeroHour12":
        out += pad(hour % 12 === 0 ? 12 : hour % 12, 2);
        break;
      case "minute":
        out += String(min);
        break;
      case "zeroMinute":
        out += pad(min, 2);
        break;
      case "second":
        out += String(sec);
        break;
      case "zeroSecond":
        out += pad(sec, 2);
        break;
      case "PM":
        out += hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += hour >= 12 ? "pm" : "am";
        break;
      case "TZ": {
        const name = zone.abbreviationAt(t.sec);
        out += name !== "" ? name : formatOffset(offset, "NumTZ");
        break;
      }
      case "fracSecond0":
      case "fracSecond9":
        out += fracDigits(t.nsec, ch.digits ?? 0, ch.std === "fracSecond9", ch.sep ?? ".");
        break;
      default:
        out += formatOffset(offset, ch.std);
    }
  }
  return out;
}

function formatOffset(offset: number, std: Std): string {
  // The Z variants print "Z" for UTC, as ISO 8601 does.
  if (offset === 0 && std.startsWith("ISO8601")) return "Z";
  const abs = Math.abs(offset);
  const zone = Math.floor(abs / 60);
  let out = (offset < 0 ? "-" : "+") + pad(Math.floor(zone / 60), 2);
  const colon = std.includes("Colon");
  if (colon) out += ":";
  if (!std.includes("Short")) out += pad(zone % 60, 2);
  if (std.includes("Seconds")) out += (colon ? ":" : "") + pad(abs % 60, 2);
  return out;
}

// ---------------------------------------------------------------------------
// Parsing

/** The time package's quote (it cannot import strconv): control and non-ASCII runes as \xNN bytes. */
const timeQuote = (s: string) => quote(s, "bytes");

function parseError(layout: string, value: string, layoutElem: string, valueElem: string, message: string): GoTimeError {
  if (message === "") {
    return new GoTimeError(
      `parsing time ${timeQuote(value)} as ${timeQuote(layout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`,
    );
  }
  return new GoTimeError(`parsing time ${timeQuote(value)}${message}`);
}

class Bad extends Error {}
const bad = new Bad();

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw bad;
  if (!isDigitAt(s, 1)) {
    if (fixed) throw bad;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

/** Go's getnum3: one to three digits (exactly three when fixed). */
function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + (s.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) throw bad;
  return [n, s.slice(i)];
}

/** Go's atoi: an optional sign and digits, nothing else. */
function atoi(s: string): number {
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (!/^[0-9]*$/.test(s)) throw bad;
  const x = s === "" ? 0 : Number(s);
  return neg ? -x : x;
}

function commaOrPeriod(c: string | undefined): boolean {
  return c === "." || c === ",";
}

/** Go's parseNanoseconds: `value` starts with the separator; `n` bytes are used. */
function parseNanoseconds(value: string, n: number): { ns: number; range: string } {
  if (!commaOrPeriod(value[0])) throw bad;
  if (n > 10) n = 10;
  let ns = atoi(value.slice(1, n));
  if (ns < 0) return { ns: 0, range: "fractional second" };
  for (let i = 0; i < 10 - n; i++) ns *= 10;
  return { ns, range: "" };
}

/**
 * Go's skip: removes `prefix` from `value`, treating runs of spaces as
 * equivalent. On a mismatch, `rest` is what was left of `value` there.
 */
function skip(value: string, prefix: string): { rest: string; ok: boolean } {
  while (prefix.length > 0) {
    if (prefix[0] === " ") {
      if (value.length > 0 && value[0] !== " ") return { rest: value, ok: false };
      prefix = prefix.replace(/^ +/, "");
      value = value.replace(/^ +/, "");
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return { rest: value, ok: false };
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return { rest: value, ok: true };
}

/** A name from `table` at the start of `value`, ignoring ASCII case. */
function lookup(table: readonly string[], value: string): [number, string] {
  for (let i = 0; i < table.length; i++) {
    const v = table[i]!;
    if (value.length >= v.length && value.slice(0, v.length).toLowerCase() === v.toLowerCase()) {
      // Go's match compares ASCII letters case-insensitively and nothing else.
      if (/^[A-Za-z]*$/.test(value.slice(0, v.length))) return [i, value.slice(v.length)];
    }
  }
  throw bad;
}

const SHORT_MONTHS = MONTH_NAMES.map((m) => m.slice(0, 3));
const SHORT_DAYS = DAY_NAMES.map((d) => d.slice(0, 3));

/** Go's parseSignedOffset: "+03", "-4"; the length consumed or 0. */
function parseSignedOffset(value: string): number {
  if (value[0] !== "-" && value[0] !== "+") return 0;
  const m = /^[0-9]+/.exec(value.slice(1));
  if (!m) return 0;
  if (Number(m[0]) > 23) return 0;
  return 1 + m[0].length;
}

/** Go's parseTimeZone: the length of a zone abbreviation at the start of `value`, or 0. */
function parseTimeZone(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith("ChST") || value.startsWith("MeST")) return 4;
  if (value.startsWith("GMT")) {
    const rest = value.slice(3);
    return rest.length === 0 ? 3 : 3 + parseSignedOffset(rest);
  }
  if (value[0] === "+" || value[0] === "-") return parseSignedOffset(value);
  let upper = 0;
  while (upper < 6 && upper < value.length && value[upper]! >= "A" && value[upper]! <= "Z") upper++;
  switch (upper) {
    case 5:
      return value[4] === "T" ? 5 : 0;
    case 4:
      return value[3] === "T" || value.startsWith("WITA") ? 4 : 0;
    case 3:
      return 3;
    default:
      return 0;
  }
}

/**
 * Go's time.Parse with Local = UTC. Zone abbreviations other than UTC do not
 * move the instant (Go records them with a zero offset unless the local zone
 * knows them), numeric offsets do.
 */
export function parseTime(layout: string, value: string): Instant {
  const alayout = layout;
  const avalue = value;
  let rangeErr = "";
  let amSet = false;
  let pmSet = false;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let utc = false;
  let zoneOffset = -1;

  for (;;) {
    const ch = nextChunk(layout);
    const skipped = skip(value, ch.prefix);
    value = skipped.rest;
    if (!skipped.ok) throw parseError(alayout, avalue, ch.prefix, value, "");
    if (ch.std === undefined) {
      if (value.length !== 0) throw parseError(alayout, avalue, "", value, `: extra text: ${timeQuote(value)}`);
      break;
    }
    layout = ch.suffix;
    const hold = value;
    try {
      switch (ch.std) {
        case "year": {
          if (value.length < 2) throw bad;
          const p = value.slice(0, 2);
          value = value.slice(2);
          year = atoi(p);
          year += year >= 69 ? 1900 : 2000;
          break;
        }
        case "longYear":
          if (value.length < 4 || !isDigitAt(value, 0)) throw bad;
          year = atoi(value.slice(0, 4));
          value = value.slice(4);
          break;
        case "month":
          [month, value] = lookup(SHORT_MONTHS, value);
          month++;
          break;
        case "longMonth":
          [month, value] = lookup(MONTH_NAMES, value);
          month++;
          break;
        case "numMonth":
        case "zeroMonth":
          [month, value] = getnum(value, ch.std === "zeroMonth");
          if (month <= 0 || month > 12) rangeErr = "month";
          break;
        case "weekDay":
          [, value] = lookup(SHORT_DAYS, value);
          break;
        case "longWeekDay":
          [, value] = lookup(DAY_NAMES, value);
          break;
        case "day":
        case "underDay":
        case "zeroDay":
          if (ch.std === "underDay" && value[0] === " ") value = value.slice(1);
          [day, value] = getnum(value, ch.std === "zeroDay");
          break;
        case "underYearDay":
        case "zeroYearDay":
          for (let i = 0; i < 2; i++) if (ch.std === "underYearDay" && value[0] === " ") value = value.slice(1);
          [yday, value] = getnum3(value, ch.std === "zeroYearDay");
          break;
        case "hour":
          [hour, value] = getnum(value, false);
          if (hour >= 24) rangeErr = "hour";
          break;
        case "hour12":
        case "zeroHour12":
          [hour, value] = getnum(value, ch.std === "zeroHour12");
          if (hour > 12) rangeErr = "hour";
          break;
        case "minute":
        case "zeroMinute":
          [min, value] = getnum(value, ch.std === "zeroMinute");
          if (min >= 60) rangeErr = "minute";
          break;
        case "second":
        case "zeroSecond": {
          [sec, value] = getnum(value, ch.std === "zeroSecond");
          if (sec >= 60) {
            rangeErr = "second";
            break;
          }
          // A fractional second in the value that the layout does not mention.
          if (value.length >= 2 && commaOrPeriod(value[0]) && isDigitAt(value, 1)) {
            const next = nextChunk(layout).std;
            if (next === "fracSecond0" || next === "fracSecond9") break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            const r = parseNanoseconds(value, n);
            nsec = r.ns;
            rangeErr = r.range;
            value = value.slice(n);
          }
          break;
        }
        case "PM":
        case "pm": {
          if (value.length < 2) throw bad;
          const p = value.slice(0, 2);
          value = value.slice(2);
          if (p === (ch.std === "PM" ? "PM" : "pm")) pmSet = true;
          else if (p === (ch.std === "PM" ? "AM" : "am")) amSet = true;
          else throw bad;
          break;
        }
        case "TZ": {
          if (value.startsWith("UTC")) {
            utc = true;
            value = value.slice(3);
            break;
          }
          const n = parseTimeZone(value);
          if (n === 0) throw bad;
          value = value.slice(n);
          break;
        }
        case "fracSecond0": {
          const ndigit = 1 + (ch.digits ?? 0);
          if (value.length < ndigit) throw bad;
          const r = parseNanoseconds(value, ndigit);
          nsec = r.ns;
          rangeErr = r.range;
          value = value.slice(ndigit);
          break;
        }
        case "fracSecond9": {
          if (value.length < 2 || !commaOrPeriod(value[0]) || !isDigitAt(value, 1)) break; // omitted
          let i = 0;
          while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
          const r = parseNanoseconds(value, 1 + i);
          nsec = r.ns;
          rangeErr = r.range;
          value = value.slice(1 + i);
          break;
        }
        default: {
          // Numeric zone offsets; the ISO 8601 forms also accept "Z".
          if (ch.std.startsWith("ISO8601") && value[0] === "Z") {
            value = value.slice(1);
            utc = true;
            break;
          }
          const r = parseOffset(ch.std, value);
          value = r.rest;
          zoneOffset = r.offset;
          // Go reports an offset out of range before a bad sign.
          if (r.range !== "") rangeErr = r.range;
          else if (r.badSign) throw bad;
        }
      }
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      if (rangeErr !== "") throw parseError(alayout, avalue, ch.text, value, `: ${rangeErr} out of range`);
      throw parseError(alayout, avalue, ch.text, hold, "");
    }
    if (rangeErr !== "") throw parseError(alayout, avalue, ch.text, value, `: ${rangeErr} out of range`);
  }

  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    if (isLeap(year)) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) {
        yday--;
      }
    }
    if (yday < 1 || yday > 365) throw parseError(alayout, avalue, "", value, ": day-of-year out of range");
    if (m === 0) {
      m = Math.floor((yday - 1) / 31) + 1;
      if (daysBefore(m + 1) < yday) m++;
      d = yday - daysBefore(m);
    }
    if (month >= 0 && month !== m) throw parseError(alayout, avalue, "", value, ": day-of-year does not match month");
    month = m;
    if (day >= 0 && day !== d) throw parseError(alayout, avalue, "", value, ": day-of-year does not match day");
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw parseError(alayout, avalue, "", value, ": day out of range");

  const wall = wallFromFields(year, month, day, hour, min, sec, nsec);
  if (!utc && zoneOffset !== -1) return { sec: wall.sec - zoneOffset, nsec: wall.nsec };
  return wall;
}

function parseOffset(std: Std, value: string): { offset: number; rest: string; range: string; badSign: boolean } {
  let sign: string;
  let hh: string;
  let mm = "00";
  let ss = "00";
  if (std === "ISO8601ColonTZ" || std === "NumColonTZ") {
    if (value.length < 6 || value[3] !== ":") throw bad;
    [sign, hh, mm] = [value.slice(0, 1), value.slice(1, 3), value.slice(4, 6)];
    value = value.slice(6);
  } else if (std === "NumShortTZ" || std === "ISO8601ShortTZ") {
    if (value.length < 3) throw bad;
    [sign, hh] = [value.slice(0, 1), value.slice(1, 3)];
    value = value.slice(3);
  } else if (std === "ISO8601ColonSecondsTZ" || std === "NumColonSecondsTZ") {
    if (value.length < 9 || value[3] !== ":" || value[6] !== ":") throw bad;
    [sign, hh, mm, ss] = [value.slice(0, 1), value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
    value = value.slice(9);
  } else if (std === "ISO8601SecondsTZ" || std === "NumSecondsTZ") {
    if (value.length < 7) throw bad;
    [sign, hh, mm, ss] = [value.slice(0, 1), value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
    value = value.slice(7);
  } else {
    if (value.length < 5) throw bad;
    [sign, hh, mm] = [value.slice(0, 1), value.slice(1, 3), value.slice(3, 5)];
    value = value.slice(5);
  }
  const [h] = getnum(hh, true);
  const [m] = getnum(mm, true);
  const [s] = getnum(ss, true);
  // Go allows 24 hours, 60 minutes, 60 seconds: people write them.
  let range = "";
  if (h > 24) range = "time zone offset hour";
  if (m > 60) range = "time zone offset minute";
  if (s > 60) range = "time zone offset second";
  const offset = (h * 60 + m) * 60 + s;
  return { offset: sign === "-" ? -offset : offset, rest: value, range, badSign: sign !== "+" && sign !== "-" };
}

// ---------------------------------------------------------------------------
// Durations

const UNITS = new Map<string, bigint>([
  ["ns", 1n],
  ["us", 1000n],
  ["\u00b5s", 1000n], // micro sign
  ["\u03bcs", 1000n], // Greek mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

const TWO_63 = 1n << 63n;

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(orig: string): bigint {
  const invalid = () => new GoTimeError(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigitAt(s, 0))) throw invalid();
    // Integer part; overflow beyond 2^63 is an error.
    let v = 0n;
    let i = 0;
    for (; i < s.length && isDigitAt(s, i); i++) {
      if (v > TWO_63 / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // Fraction: digits past the precision of a uint64 are dropped, not an error.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && isDigitAt(s, j); j++) {
        if (overflow) continue;
        if (f > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && !(s[u] === "." || isDigitAt(s, u))) u++;
    if (u === 0) throw new GoTimeError(`time: missing unit in duration ${timeQuote(orig)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS.get(unitName);
    if (unit === undefined) throw new GoTimeError(`time: unknown unit ${timeQuote(unitName)} in duration ${timeQuote(orig)}`);
    if (v > TWO_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // float64 arithmetic, as Go does it, keeps fractions of hours exact to the nanosecond.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    d += v;
    if (d > TWO_63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) throw invalid();
  return d;
}
