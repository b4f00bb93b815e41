/**
 * The "format" checkers of gojsonschema (as OPA vendors it). Dates and times
 * use Go's time.Parse (ours); IP addresses follow net.ParseIP; URIs follow
 * the checks net/url.Parse makes; e-mail addresses approximate
 * net/mail.ParseAddress (addr-spec, optionally in a "Name <addr>" form).
 * Unknown formats always pass, and so do non-string values.
 */
import { parseIP } from "../../goruntime/net.js";
import { isValidRegex } from "../../goruntime/regexp.js";
import { parseTime } from "../../goruntime/time/layout.js";

const RFC3339 = "2006-01-02T15:04:05Z07:00";
const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

function parses(layout: string, s: string): boolean {
  try {
    parseTime(layout, s);
    return true;
  } catch {
    return false;
  }
}

const HOSTNAME = /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]))*$/;
const URI_TEMPLATE = /^([^{]*(\{[^}]*\})?)*$/;
const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/i;
const JSON_POINTER = /^(?:\/(?:[^~/]|~0|~1)*)*$/;
const REL_JSON_POINTER = /^(?:0|[1-9][0-9]*)(?:#|(?:\/(?:[^~/]|~0|~1)*)*)$/;

const CHECKERS: ReadonlyMap<string, (s: string) => boolean> = new Map([
  ["date", (s: string) => parses("2006-01-02", s)],
  ["time", (s: string) => parses("15:04:05Z07:00", s) || parses("15:04:05", s)],
  ["date-time", (s: string) => ["15:04:05", "15:04:05Z07:00", "2006-01-02", RFC3339, RFC3339_NANO].some((l) => parses(l, s))],
  ["hostname", (s: string) => HOSTNAME.test(s) && s.length < 256],
  ["email", isEmail],
  ["idn-email", isEmail],
  ["ipv4", (s: string) => isIP(s) && s.includes(".")],
  ["ipv6", (s: string) => isIP(s) && s.includes(":")],
  ["uri", (s: string) => (parseURL(s)?.scheme ?? "") !== "" && !s.includes("\\")],
  ["uri-reference", (s: string) => parseURL(s) !== undefined && !s.includes("\\")],
  ["iri", (s: string) => (parseURL(s)?.scheme ?? "") !== "" && !s.includes("\\")],
  ["iri-reference", (s: string) => parseURL(s) !== undefined && !s.includes("\\")],
  [
    "uri-template",
    (s: string) => {
      const u = parseURL(s);
      return u !== undefined && !s.includes("\\") && URI_TEMPLATE.test(u.path);
    },
  ],
  ["uuid", (s: string) => UUID.test(s)],
  ["regex", (s: string) => s === "" || isValidRegex(s)],
  ["json-pointer", (s: string) => JSON_POINTER.test(s)],
  ["relative-json-pointer", (s: string) => REL_JSON_POINTER.test(s)],
]);

export function isFormat(format: string, value: unknown): boolean {
  const check = CHECKERS.get(format);
  if (check === undefined || typeof value !== "string") return true;
  return check(value);
}

// ---------------------------------------------------------------------------

/** net.ParseIP accepts it: dotted IPv4 (no leading zeros) or IPv6, without a zone. */
function isIP(s: string): boolean {
  return parseIP(s) !== undefined;
}

// ---------------------------------------------------------------------------

interface ParsedURL {
  scheme: string;
  path: string;
}

function validEscapes(s: string): boolean {
  return !/%(?![0-9a-fA-F]{2})/.test(s);
}

/**
 * The parts of net/url.Parse that decide whether it fails: control
 * characters, bad percent-escapes (outside the query), a colon in the first
 * segment of a scheme-less reference, and a malformed host or port.
 */
export function parseURL(raw: string): ParsedURL | undefined {
  if (/[\x00-\x1f\x7f]/.test(raw)) return undefined;
  let rest = raw;
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  if (!validEscapes(fragment)) return undefined;
  if (raw === "*") return { scheme: "", path: "*" };
  let scheme = "";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = (m[1] as string).toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(":")) {
    return undefined; // missing protocol scheme
  }
  const q = rest.indexOf("?");
  if (q >= 0) rest = rest.slice(0, q);
  if (scheme !== "" && !rest.startsWith("/")) {
    // Opaque URL ("mailto:x"): nothing more is checked.
    return { scheme, path: "" };
  }
  if (rest.startsWith("//") && (scheme !== "" || !rest.startsWith("///"))) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    if (!validAuthority(authority)) return undefined;
  } else if (scheme === "") {
    const colon = rest.indexOf(":");
    const slash = rest.indexOf("/");
    if (colon >= 0 && (slash < 0 || colon < slash)) return undefined; // colon in first path segment
  }
  if (!validEscapes(rest)) return undefined;
  return { scheme, path: decodeSafely(rest) };
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function validAuthority(authority: string): boolean {
  const at = authority.lastIndexOf("@");
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  if (at >= 0 && !/^[A-Za-z0-9\-._~!$&'()*+,;=:%]*$/.test(authority.slice(0, at))) return false;
  if (!validEscapes(host)) return false;
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close < 0) return false;
    const port = host.slice(close + 1);
    return port === "" || /^:[0-9]*$/.test(port);
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && !/^[0-9]*$/.test(host.slice(colon + 1))) return false;
  const name = colon >= 0 ? host.slice(0, colon) : host;
  return /^[A-Za-z0-9\-._~!$&'()*+,;=%]*$/.test(name);
}

// ---------------------------------------------------------------------------

const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]+";
const DOT_ATOM = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const QUOTED = /^"(?:[^"\\\r\n]|\\.)*"$/;
const DOMAIN_LITERAL = /^\[[^[\]\\]*\]$/;

/** net/mail.ParseAddress, approximately: "local@domain" or "Display Name <local@domain>". */
function isEmail(s: string): boolean {
  let addr = s.trim();
  const angle = /^(.*)<([^<>]*)>$/.exec(addr);
  if (angle) addr = (angle[2] as string).trim();
  const at = addr.lastIndexOf("@");
  if (at <= 0) return false;
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  return (DOT_ATOM.test(local) || QUOTED.test(local)) && (DOT_ATOM.test(domain) || DOMAIN_LITERAL.test(domain));
}
