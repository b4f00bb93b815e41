/**
 * Proleptic Gregorian calendar arithmetic, as Go's time package does it.
 *
 * An instant is Unix seconds (an integer JavaScript number: every year from
 * -200000 to 200000 fits exactly) plus nanoseconds 0..999999999, so times that
 * fall outside OPA's int64-nanosecond range can still be represented and then
 * rejected with OPA's message. Nanosecond totals are BigInt.
 */

export interface Instant {
  /** Seconds since 1970-01-01T00:00:00Z, floor-divided. */
  readonly sec: number;
  /** 0..999_999_999 */
  readonly nsec: number;
}

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

const NS_PER_SEC = 1_000_000_000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

export function floorMod(a: number, b: number): number {
  const m = a % b;
  return m < 0 ? m + b : m;
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days before the first of `month` in a non-leap year. */
export function daysBefore(month: number): number {
  let n = 0;
  for (let m = 1; m < month; m++) n += daysIn(m, 2001);
  return n;
}

/** Days since 1970-01-01 of a civil date (month 1..12; day may be any integer). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's algorithm: years start in March so the leap day is last.
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = floorDiv(153 * mp + 2, 5);
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day of the week, 0 = Sunday; 1970-01-01 was a Thursday. */
export function weekdayFromDays(days: number): number {
  return floorMod(days + 4, 7);
}

/** Day of the year, 1-based. */
export function yearDay(d: CivilDate): number {
  return daysFromCivil(d.year, d.month, d.day) - daysFromCivil(d.year, 1, 1) + 1;
}

/** Go's norm: moves overflow of `lo` (in units of `base`) into `hi`. */
function norm(hi: number, lo: number, base: number): [number, number] {
  if (lo < 0) {
    const n = Math.floor((-lo - 1) / base) + 1;
    hi -= n;
    lo += n * base;
  }
  if (lo >= base) {
    const n = Math.floor(lo / base);
    hi += n;
    lo -= n * base;
  }
  return [hi, lo];
}

/**
 * Go's time.Date with every field normalised (month 13 is January of the next
 * year, day 0 the last day of the previous month, …). Returns the wall clock
 * reading as seconds since the epoch as if it were UTC, plus nanoseconds.
 */
export function wallFromFields(year: number, month: number, day: number, hour: number, min: number, sec: number, nsec: number): Instant {
  let m: number;
  [year, m] = norm(year, month - 1, 12);
  [sec, nsec] = norm(sec, nsec, 1e9);
  [min, sec] = norm(min, sec, 60);
  [hour, min] = norm(hour, min, 60);
  [day, hour] = norm(day, hour, 24);
  const days = daysFromCivil(year, m + 1, day);
  return { sec: days * 86400 + hour * 3600 + min * 60 + sec, nsec };
}

export function instantFromNs(ns: bigint): Instant {
  let sec = ns / NS_PER_SEC;
  let nsec = ns % NS_PER_SEC;
  if (nsec < 0n) {
    nsec += NS_PER_SEC;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

/** Nanoseconds since the epoch, or undefined outside int64 (OPA's valid range). */
export function nsFromInstant(t: Instant): bigint | undefined {
  const ns = BigInt(t.sec) * NS_PER_SEC + BigInt(t.nsec);
  return ns < INT64_MIN || ns > INT64_MAX ? undefined : ns;
}

export function compareInstants(a: Instant, b: Instant): number {
  if (a.sec !== b.sec) return a.sec < b.sec ? -1 : 1;
  return a.nsec < b.nsec ? -1 : a.nsec > b.nsec ? 1 : 0;
}

export const INT64_RANGE = { min: INT64_MIN, max: INT64_MAX };
