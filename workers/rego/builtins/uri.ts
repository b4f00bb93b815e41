/**
 * `uri.parse` and `uri.is_valid` (OPA v1.x, 2026): URI references read as
 * Go's `net/url.Parse` reads them, because OPA's answer is Go's. `uri.parse`
 * gives only the parts that are present: scheme, hostname, port, path,
 * raw_path (the path as written when it differs from its canonical escaping,
 * the path otherwise), raw_query and fragment; a reference Go refuses is an
 * error `parse "<ref>": <reason>`. `uri.is_valid` is false for those, for the
 * empty string and for a non-string.
 *
 * Gaps: IPv6 zone identifiers (`[fe80::1%25en0]`) are accepted without Go's
 * zone escaping rules; userinfo is checked but not returned (OPA drops it).
 */
import { RObject } from "../value/index.js";
import { quote } from "../goruntime/strconv.js";
import { hasSurrogate, runeBytes } from "../goruntime/utf8.js";
import { builtinError, str } from "./args.js";
import type { BuiltinTable } from "./types.js";

interface ParsedURI {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

class ReferenceRefused extends Error {}

type Mode = "path" | "host" | "userinfo" | "fragment";

const HEX = /^[0-9a-fA-F]$/;

function isAlnum(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9");
}

/** Go's shouldEscape for the modes Parse uses. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if (mode === "host") return !"!$&'()*+,;=:[]<>\"-_.~".includes(c);
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    if (mode === "path") return c === "?";
    if (mode === "userinfo") return c === "@" || c === "/" || c === "?" || c === ":";
    return false; // fragment
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

function unescapeURI(s: string, mode: Mode): string {
  // Nothing escaped and nothing for the UTF-8 round trip to replace: the text as it is.
  if (mode !== "host" && !s.includes("%") && !hasSurrogate(s)) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i] as string;
    if (c === "%") {
      const h1 = s[i + 1];
      const h2 = s[i + 2];
      if (h1 === undefined || h2 === undefined || !HEX.test(h1) || !HEX.test(h2)) {
        throw new ReferenceRefused(`invalid URL escape ${quote(s.slice(i, i + 3))}`);
      }
      // Go allows only %25 (the zone separator) below 0x80 in a host.
      if (mode === "host" && Number.parseInt(h1, 16) < 8 && s.slice(i, i + 3) !== "%25") {
        throw new ReferenceRefused(`invalid URL escape ${quote(s.slice(i, i + 3))}`);
      }
      bytes.push(Number.parseInt(h1 + h2, 16));
      i += 3;
      continue;
    }
    if (mode === "host" && c < "\x80" && shouldEscape(c, "host")) throw new ReferenceRefused(`invalid character ${quote(c)} in host name`);
    const cp = s.codePointAt(i) as number;
    if (cp < 0x80) bytes.push(cp);
    else for (const b of runeBytes(cp)) bytes.push(b);
    i += cp > 0xffff ? 2 : 1;
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const UPPER_HEX = "0123456789ABCDEF";

/** Whether Go's EscapedPath of `path` is `raw` (then URL.RawPath stays empty): compared byte by byte, without building it. */
function escapesTo(path: string, raw: string): boolean {
  let j = 0;
  for (const b of new TextEncoder().encode(path)) {
    if (b < 0x80 && !shouldEscape(String.fromCharCode(b), "path")) {
      if (raw.charCodeAt(j) !== b) return false;
      j += 1;
    } else {
      if (raw[j] !== "%" || raw[j + 1] !== UPPER_HEX[b >> 4] || raw[j + 2] !== UPPER_HEX[b & 15]) return false;
      j += 3;
    }
  }
  return j === raw.length;
}

function validOptionalPort(port: string): boolean {
  if (port === "") return true;
  return port[0] === ":" && /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new ReferenceRefused("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new ReferenceRefused(`invalid port ${quote(colonPort)} after host`);
    // A zone (`%25en0`) follows Go's looser zone rules, which are not checked here.
    const literal = host.slice(0, i + 1);
    return unescapeURI(literal, literal.includes("%25") ? "fragment" : "host") + colonPort;
  }
  const i = host.lastIndexOf(":");
  if (i >= 0) {
    const colonPort = host.slice(i);
    if (!validOptionalPort(colonPort)) throw new ReferenceRefused(`invalid port ${quote(colonPort)} after host`);
  }
  return unescapeURI(host, "host");
}

function validUserinfo(s: string): boolean {
  for (const c of s) {
    if (isAlnum(c) || "-._:~!$&'()*+,;=%@".includes(c)) continue;
    if (c >= "\x80") continue;
    return false;
  }
  return true;
}

function parseAuthority(authority: string): string {
  const i = authority.lastIndexOf("@");
  if (i < 0) return parseHost(authority);
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new ReferenceRefused("net/url: invalid userinfo");
  unescapeURI(userinfo, "userinfo");
  return parseHost(authority.slice(i + 1));
}

/** Go's getScheme: a letter, then letters, digits, `+`, `-`, `.`, up to the first `:`. */
function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z")) continue;
    if ((c >= "0" && c <= "9") || c === "+" || c === "-" || c === ".") {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new ReferenceRefused("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function parseReference(raw: string): ParsedURI {
  const hash = raw.indexOf("#");
  const u = hash < 0 ? raw : raw.slice(0, hash);
  const out: ParsedURI = { scheme: "", host: "", path: "", rawPath: "", rawQuery: "", fragment: "" };
  try {
    parseMain(u, out);
  } catch (e) {
    if (e instanceof ReferenceRefused) throw new ReferenceRefused(`parse ${quote(u)}: ${e.message}`);
    throw e;
  }
  if (hash >= 0) {
    try {
      out.fragment = unescapeURI(raw.slice(hash + 1), "fragment");
    } catch (e) {
      if (e instanceof ReferenceRefused) throw new ReferenceRefused(`parse ${quote(raw)}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

function parseMain(raw: string, out: ParsedURI): void {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new ReferenceRefused("net/url: invalid control character in URL");
  if (raw === "*") {
    out.path = "*";
    return;
  }
  let [scheme, rest] = getScheme(raw);
  out.scheme = scheme.toLowerCase();
  if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf("?");
    if (q >= 0) {
      out.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith("/")) {
    // `mailto:x`: an opaque reference, which Go keeps apart from the path.
    if (out.scheme !== "") return;
    const slash = rest.indexOf("/");
    const segment = slash < 0 ? rest : rest.slice(0, slash);
    if (segment.includes(":")) throw new ReferenceRefused("first path segment in URL cannot contain colon");
  }
  if ((out.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    const after = rest.slice(2);
    const slash = after.indexOf("/");
    const authority = slash < 0 ? after : after.slice(0, slash);
    rest = slash < 0 ? "" : after.slice(slash);
    out.host = parseAuthority(authority);
  }
  out.path = unescapeURI(rest, "path");
  out.rawPath = escapesTo(out.path, rest) ? "" : rest;
}

/** Go's URL.Hostname and URL.Port. */
function splitHost(host: string): [string, string] {
  let hostname = host;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon >= 0 && !host.slice(colon).includes("]")) {
    hostname = host.slice(0, colon);
    port = host.slice(colon + 1);
  }
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  return [hostname, port];
}

export const uriBuiltins: BuiltinTable = {
  "uri.parse": (args) => {
    const raw = str(args, 0);
    let p: ParsedURI;
    try {
      p = parseReference(raw);
    } catch (e) {
      if (e instanceof ReferenceRefused) throw builtinError(e.message);
      throw e;
    }
    const obj = new RObject();
    const [hostname, port] = splitHost(p.host);
    if (p.scheme) obj.set("scheme", p.scheme);
    if (hostname) obj.set("hostname", hostname);
    if (port) obj.set("port", port);
    if (p.path) {
      obj.set("path", p.path);
      obj.set("raw_path", p.rawPath || p.path);
    }
    if (p.rawQuery) obj.set("raw_query", p.rawQuery);
    if (p.fragment) obj.set("fragment", p.fragment);
    return obj;
  },
  "uri.is_valid": (args) => {
    const raw = args[0];
    if (typeof raw !== "string" || raw === "") return false;
    try {
      parseReference(raw);
      return true;
    } catch (e) {
      if (e instanceof ReferenceRefused) return false;
      throw e;
    }
  },
};
