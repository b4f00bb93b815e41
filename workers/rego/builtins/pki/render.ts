/**
 * Certificates rendered as Go's encoding/json renders x509.Certificate
 * (OPA returns exactly that): Go's field names, enumeration values and its
 * null-versus-empty distinctions.
 *
 * Not rendered in full: name-constraint IP ranges are reduced to {IP, Mask};
 * policy mappings and the policy-constraint counters keep their zero values;
 * URIs are split into url.URL's main fields only.
 */
import { RObject, type Value, normalizeInt } from "../../value/index.js";
import { encodeStd } from "../../goruntime/base64.js";
import type { Certificate, Name } from "./certificate.js";
import { rfc3339 } from "./der.js";
import { publicKeyGoJSON } from "./keyjson.js";

const ip4 = (b: Uint8Array) => Array.from(b).join(".");

/** net.IP's text form: dotted quad for IPv4 (also IPv4-mapped), RFC 5952 for IPv6. */
export function formatIP(b: Uint8Array): string {
  if (b.length === 4) return ip4(b);
  if (b.length !== 16) return b.length === 0 ? "<nil>" : "?" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return ip4(b.subarray(12));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return hex.slice(0, bestStart).join(":") + "::" + hex.slice(bestStart + bestLen).join(":");
}

const b64 = (b: Uint8Array | undefined): Value => (b === undefined ? null : encodeStd(b));
export const strings = (l: string[] | undefined): Value => (l === undefined ? null : [...l]);
const oids = (l: number[][] | undefined): Value => (l === undefined ? null : l.map((o) => [...o]));

export function nameJSON(n: Name): Value {
  const attr = (k: number): string[] =>
    n.names
      .filter(
        (a) =>
          a.type.length === 4 && a.type[0] === 2 && a.type[1] === 5 && a.type[2] === 4 && a.type[3] === k && typeof a.value === "string",
      )
      .map((a) => a.value as string);
  const last = (k: number): string => attr(k).at(-1) ?? "";
  const list = (k: number): Value => {
    const l = attr(k);
    return l.length ? l : null;
  };
  return RObject.fromRecord({
    Country: list(6),
    Organization: list(10),
    OrganizationalUnit: list(11),
    Locality: list(7),
    Province: list(8),
    StreetAddress: list(9),
    PostalCode: list(17),
    SerialNumber: last(5),
    CommonName: last(3),
    Names: n.names.length ? n.names.map((a) => RObject.fromRecord({ Type: [...a.type], Value: a.value })) : null,
    ExtraNames: null,
  });
}

/** url.URL as encoding/json writes it, from the text of a URI SAN. */
export function urlJSON(uri: string): Value {
  let rest = uri;
  let fragment = "";
  let rawQuery = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = decodeURIComponentSafe(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  let scheme = "";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = (m[1] as string).toLowerCase();
    rest = rest.slice(m[0].length);
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let opaque = "";
  let host = "";
  let user: Value = null;
  let path = "";
  if (scheme && !rest.startsWith("/")) {
    opaque = rest;
  } else {
    if (rest.startsWith("//")) {
      const auth = rest.slice(2);
      const slash = auth.indexOf("/");
      const authority = slash >= 0 ? auth.slice(0, slash) : auth;
      rest = slash >= 0 ? auth.slice(slash) : "";
      const at = authority.lastIndexOf("@");
      if (at >= 0) user = new RObject(); // url.Userinfo has no exported fields
      host = at >= 0 ? authority.slice(at + 1) : authority;
    }
    path = decodeURIComponentSafe(rest);
  }
  return RObject.fromRecord({
    Scheme: scheme,
    Opaque: opaque,
    User: user,
    Host: host,
    Path: path,
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: rawQuery,
    Fragment: fragment,
    RawFragment: "",
  });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function extensionsJSON(list: { id: number[]; critical: boolean; value: Uint8Array }[]): Value {
  if (list.length === 0) return null;
  return list.map((e) => RObject.fromRecord({ Id: [...e.id], Critical: e.critical, Value: encodeStd(e.value) }));
}

function ipNetJSON(b: Uint8Array): Value {
  // A constraint is address followed by mask, each half the length.
  const half = b.length / 2;
  return RObject.fromRecord({ IP: formatIP(b.subarray(0, half)), Mask: encodeStd(b.subarray(half)) });
}

/** x509.Certificate plus OPA's URIStrings, as OPA returns it. */
export function certificateJSON(c: Certificate): RObject {
  const nc = c.constraints;
  return RObject.fromRecord({
    Raw: b64(c.raw),
    RawTBSCertificate: b64(c.rawTBS),
    RawSubjectPublicKeyInfo: b64(c.rawSPKI),
    RawSubject: b64(c.rawSubject),
    RawIssuer: b64(c.rawIssuer),
    Signature: b64(c.signature),
    SignatureAlgorithm: c.signatureAlgorithm,
    PublicKeyAlgorithm: c.publicKeyAlgorithm,
    PublicKey: publicKeyGoJSON(c.publicKey),
    Version: c.version,
    SerialNumber: normalizeInt(c.serial),
    Issuer: nameJSON(c.issuer),
    Subject: nameJSON(c.subject),
    NotBefore: rfc3339(c.notBefore),
    NotAfter: rfc3339(c.notAfter),
    KeyUsage: c.keyUsage,
    Extensions: extensionsJSON(c.extensions),
    ExtraExtensions: null,
    UnhandledCriticalExtensions: c.unhandledCritical.length ? oids(c.unhandledCritical) : null,
    ExtKeyUsage: c.extKeyUsage === undefined ? null : [...c.extKeyUsage],
    UnknownExtKeyUsage: oids(c.unknownExtKeyUsage),
    BasicConstraintsValid: c.basicConstraintsValid,
    IsCA: c.isCA,
    MaxPathLen: c.maxPathLen,
    MaxPathLenZero: c.basicConstraintsValid && c.maxPathLen === 0,
    SubjectKeyId: b64(c.subjectKeyId),
    AuthorityKeyId: b64(c.authorityKeyId),
    OCSPServer: strings(c.ocspServer),
    IssuingCertificateURL: strings(c.issuingCertificateURL),
    DNSNames: strings(c.san.dnsNames),
    EmailAddresses: strings(c.san.emailAddresses),
    IPAddresses: c.san.ipAddresses === undefined ? null : c.san.ipAddresses.map(formatIP),
    URIs: c.san.uris === undefined ? null : c.san.uris.map(urlJSON),
    PermittedDNSDomainsCritical: nc.critical,
    PermittedDNSDomains: strings(nc.permittedDNS),
    ExcludedDNSDomains: strings(nc.excludedDNS),
    PermittedIPRanges: nc.permittedIP === undefined ? null : nc.permittedIP.map(ipNetJSON),
    ExcludedIPRanges: nc.excludedIP === undefined ? null : nc.excludedIP.map(ipNetJSON),
    PermittedEmailAddresses: strings(nc.permittedEmail),
    ExcludedEmailAddresses: strings(nc.excludedEmail),
    PermittedURIDomains: strings(nc.permittedURI),
    ExcludedURIDomains: strings(nc.excludedURI),
    CRLDistributionPoints: strings(c.crlDistributionPoints),
    PolicyIdentifiers: oids(c.policyIdentifiers),
    Policies: c.policyIdentifiers === undefined ? null : c.policyIdentifiers.map((o) => o.join(".")),
    InhibitAnyPolicy: 0,
    InhibitAnyPolicyZero: false,
    InhibitPolicyMapping: 0,
    InhibitPolicyMappingZero: false,
    RequireExplicitPolicy: 0,
    RequireExplicitPolicyZero: false,
    PolicyMappings: null,
    URIStrings: strings(c.san.uris),
  });
}
