/**
 * Time zones for the time built-ins. Go loads the IANA database itself; here
 * the runtime's copy is reached through Intl.DateTimeFormat (Node and workerd
 * both ship full ICU), which gives a zone's UTC offset at any instant.
 *
 * "" and "UTC" are UTC; "Local" is UTC too, which is what the machine's local
 * zone is at the edge.
 *
 * Zone abbreviations (Go's "MST" layout element) are not exposed by ICU the
 * way the tz database spells them, so they are approximated: ICU's en-US
 * short names where they are letters (PST, EST, UTC, GMT, …), a table of
 * common zones' tz abbreviations otherwise, and the tz database's numeric
 * form ("+04", "+0530") for the rest.
 */
import { GoTimeError } from "./errors.js";

export interface Zone {
  readonly name: string;
  /** Seconds east of UTC in effect at the instant `unixSec`. */
  offsetAt(unixSec: number): number;
  /** The zone abbreviation in effect at `unixSec`. */
  abbreviationAt(unixSec: number): string;
}

export const UTC: Zone = {
  name: "UTC",
  offsetAt: () => 0,
  abbreviationAt: () => "UTC",
};

const zones = new Map<string, Zone>();

/** Go's time.LoadLocation as OPA calls it (with "", "UTC" and "Local" handled first). */
export function loadZone(name: string): Zone {
  if (name === "" || name === "UTC" || name === "Local") return UTC;
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = makeZone(name);
    zones.set(name, zone);
  }
  return zone;
}

function makeZone(name: string): Zone {
  if (name.includes("..") || name.startsWith("/") || name.startsWith("\\")) {
    throw new GoTimeError("time: invalid location name");
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
  } catch {
    throw new GoTimeError(`unknown time zone ${name}`);
  }
  // Go's zone files are looked up by exact (case-sensitive) name; ICU is
  // lenient about case and accepts offsets such as "+05:00".
  const resolved = fmt.resolvedOptions().timeZone;
  if (resolved.toLowerCase() === name.toLowerCase() ? resolved !== name : !/^[A-Za-z]/.test(name)) {
    throw new GoTimeError(`unknown time zone ${name}`);
  }
  const abbrevFmt = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "short" });
  const offsetAt = (unixSec: number): number => intlOffset(fmt, unixSec);
  return {
    name,
    offsetAt,
    abbreviationAt(unixSec: number): string {
      const offset = offsetAt(unixSec);
      // Local mean time, before a zone's first standard offset, is not a whole minute.
      if (offset % 60 !== 0) return "LMT";
      const icu = intlAbbreviation(abbrevFmt, unixSec);
      if (icu !== undefined && /^[A-Z]{3,5}$/.test(icu)) return icu;
      const known = KNOWN_ABBREVIATIONS.get(resolved) ?? KNOWN_ABBREVIATIONS.get(name);
      if (known !== undefined) {
        const year = new Date(clampMs(unixSec)).getUTCFullYear();
        const jan = offsetAt(Date.UTC(year, 0, 1) / 1000);
        const jul = offsetAt(Date.UTC(year, 6, 1) / 1000);
        const daylight = jan !== jul && offset === Math.max(jan, jul);
        return daylight ? (known[1] ?? known[0]) : known[0];
      }
      return numericAbbreviation(offset);
    },
  };
}

/** Instants JavaScript dates can hold; beyond them the offset no longer matters. */
function clampMs(unixSec: number): number {
  const limit = 8.64e15;
  return Math.max(-limit, Math.min(limit, unixSec * 1000));
}

function intlOffset(fmt: Intl.DateTimeFormat, unixSec: number): number {
  const sec = Math.floor(unixSec);
  const ms = clampMs(sec);
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of fmt.formatToParts(new Date(ms))) {
    switch (p.type) {
      case "year":
        year = Number(p.value);
        break;
      case "month":
        month = Number(p.value);
        break;
      case "day":
        day = Number(p.value);
        break;
      case "hour":
        hour = Number(p.value);
        break;
      case "minute":
        minute = Number(p.value);
        break;
      case "second":
        second = Number(p.value);
        break;
      case "era":
        bc = p.value.startsWith("B");
        break;
    }
  }
  if (bc) year = 1 - year;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return Math.round((wall.getTime() - ms) / 1000);
}

function intlAbbreviation(fmt: Intl.DateTimeFormat, unixSec: number): string | undefined {
  return fmt.formatToParts(new Date(clampMs(Math.floor(unixSec)))).find((p) => p.type === "timeZoneName")?.value;
}

/** The tz database's name for zones without a letter abbreviation: "+04", "-0330". */
function numericAbbreviation(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = Math.floor((abs % 3600) / 60);
  const ss = abs % 60;
  let out = sign + hh;
  if (mm !== 0 || ss !== 0) out += String(mm).padStart(2, "0");
  if (ss !== 0) out += String(ss).padStart(2, "0");
  return out;
}

/** [standard, daylight] abbreviations of common zones ICU's en-US names numerically. */
const KNOWN_ABBREVIATIONS: ReadonlyMap<string, readonly [string, string?]> = (() => {
  const m = new Map<string, readonly [string, string?]>();
  const add = (abbrevs: readonly [string, string?], names: string) => {
    for (const n of names.split(" ")) m.set(n, abbrevs);
  };
  add(
    ["CET", "CEST"],
    "Europe/Amsterdam Europe/Andorra Europe/Belgrade Europe/Berlin Europe/Bratislava Europe/Brussels " +
      "Europe/Budapest Europe/Copenhagen Europe/Gibraltar Europe/Ljubljana Europe/Luxembourg Europe/Madrid " +
      "Europe/Malta Europe/Monaco Europe/Oslo Europe/Paris Europe/Prague Europe/Rome Europe/San_Marino " +
      "Europe/Sarajevo Europe/Skopje Europe/Stockholm Europe/Tirane Europe/Vaduz Europe/Vatican Europe/Vienna " +
      "Europe/Warsaw Europe/Zagreb Europe/Zurich Africa/Ceuta Arctic/Longyearbyen CET",
  );
  add(
    ["EET", "EEST"],
    "Europe/Athens Europe/Bucharest Europe/Chisinau Europe/Helsinki Europe/Kiev Europe/Kyiv Europe/Mariehamn " +
      "Europe/Riga Europe/Sofia Europe/Tallinn Europe/Vilnius Asia/Beirut Asia/Famagusta Asia/Nicosia " +
      "Europe/Nicosia Africa/Cairo Africa/Tripoli Europe/Kaliningrad EET",
  );
  add(["WET", "WEST"], "Europe/Lisbon Atlantic/Canary Atlantic/Faroe Atlantic/Madeira WET");
  add(["GMT", "BST"], "Europe/London Europe/Guernsey Europe/Isle_of_Man Europe/Jersey GB");
  add(["GMT", "IST"], "Europe/Dublin Eire");
  add(["MSK", "MSD"], "Europe/Moscow Europe/Simferopol W-SU");
  add(["IST"], "Asia/Kolkata Asia/Calcutta");
  add(["IST", "IDT"], "Asia/Jerusalem Asia/Tel_Aviv Israel");
  add(["PKT"], "Asia/Karachi");
  add(["JST"], "Asia/Tokyo Japan");
  add(["KST"], "Asia/Seoul Asia/Pyongyang ROK");
  add(["CST"], "Asia/Shanghai Asia/Chongqing Asia/Harbin Asia/Macau Asia/Taipei PRC ROC");
  add(["HKT"], "Asia/Hong_Kong Hongkong");
  add(["PST"], "Asia/Manila");
  add(["WIB"], "Asia/Jakarta Asia/Pontianak");
  add(["WITA"], "Asia/Makassar");
  add(["WIT"], "Asia/Jayapura");
  add(
    ["AEST", "AEDT"],
    "Australia/Sydney Australia/Melbourne Australia/Hobart Australia/Canberra Australia/ACT Australia/NSW Australia/Victoria Australia/Tasmania",
  );
  add(["AEST"], "Australia/Brisbane Australia/Lindeman Australia/Queensland");
  add(["ACST", "ACDT"], "Australia/Adelaide Australia/Broken_Hill Australia/South");
  add(["ACST"], "Australia/Darwin Australia/North");
  add(["AWST"], "Australia/Perth Australia/West");
  add(["NZST", "NZDT"], "Pacific/Auckland Antarctica/McMurdo NZ");
  add(["SAST"], "Africa/Johannesburg Africa/Maseru Africa/Mbabane");
  add(
    ["WAT"],
    "Africa/Lagos Africa/Bangui Africa/Brazzaville Africa/Douala Africa/Kinshasa Africa/Libreville Africa/Luanda Africa/Malabo Africa/Niamey Africa/Porto-Novo Africa/Ndjamena",
  );
  add(
    ["CAT"],
    "Africa/Maputo Africa/Blantyre Africa/Bujumbura Africa/Gaborone Africa/Harare Africa/Juba Africa/Khartoum Africa/Kigali Africa/Lubumbashi Africa/Lusaka Africa/Windhoek",
  );
  add(
    ["EAT"],
    "Africa/Nairobi Africa/Addis_Ababa Africa/Asmara Africa/Dar_es_Salaam Africa/Djibouti Africa/Kampala Africa/Mogadishu Indian/Antananarivo Indian/Comoro Indian/Mayotte",
  );
  add(["HST"], "Pacific/Honolulu");
  // North America, for dates ICU names by offset only.
  add(["PST", "PDT"], "America/Los_Angeles America/Vancouver America/Tijuana US/Pacific PST8PDT");
  add(["MST", "MDT"], "America/Denver America/Edmonton America/Boise America/Ciudad_Juarez US/Mountain MST7MDT");
  add(["MST"], "America/Phoenix US/Arizona MST");
  add(
    ["CST", "CDT"],
    "America/Chicago America/Winnipeg America/Mexico_City America/Havana America/Matamoros America/Menominee US/Central CST6CDT Cuba",
  );
  add(["CST"], "America/Regina America/Costa_Rica America/Guatemala America/El_Salvador America/Tegucigalpa America/Belize");
  add(
    ["EST", "EDT"],
    "America/New_York America/Toronto America/Detroit America/Nassau America/Indiana/Indianapolis America/Kentucky/Louisville US/Eastern EST5EDT",
  );
  add(["EST"], "America/Panama America/Jamaica America/Cancun EST");
  add(["AST", "ADT"], "America/Halifax America/Glace_Bay America/Moncton Atlantic/Bermuda");
  add(["AST"], "America/Puerto_Rico America/Santo_Domingo America/Barbados America/Martinique");
  add(["NST", "NDT"], "America/St_Johns Canada/Newfoundland");
  add(["AKST", "AKDT"], "America/Anchorage America/Juneau America/Sitka America/Nome America/Yakutat US/Alaska");
  add(["HST", "HDT"], "America/Adak US/Aleutian");
  add(["ChST"], "Pacific/Guam Pacific/Saipan");
  add(["SST"], "Pacific/Pago_Pago Pacific/Midway");
  return m;
})();
