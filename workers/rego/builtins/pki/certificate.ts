/**
 * X.509 certificates parsed as Go's crypto/x509 parses them: the same
 * checks, error messages ("x509: malformed …") and derived fields. The
 * result is rendered as Go's JSON by render.ts.
 */
import { RObject, type Value, normalizeInt } from "../../value/index.js";
import { encodeStd } from "../../goruntime/base64.js";
import { bytesEqual } from "./bytes.js";
import {
  DerError,
  TAG,
  bitAt,
  children,
  expect,
  isContext,
  isStringTag,
  oidString,
  parseBitString,
  parseBoolean,
  parseInteger,
  parseOID,
  parseOne,
  parseString,
  parseTime,
  readElement,
  rfc3339,
  type Element,
} from "./der.js";
import { KeyError, parsePublicKey, publicKeyAlgorithmOf, type PublicKey } from "./keys.js";

export class X509Error extends Error {}

/** Go's SignatureAlgorithm enumeration. */
export const SIG = {
  unknown: 0,
  md2WithRSA: 1,
  md5WithRSA: 2,
  sha1WithRSA: 3,
  sha256WithRSA: 4,
  sha384WithRSA: 5,
  sha512WithRSA: 6,
  dsaWithSHA1: 7,
  dsaWithSHA256: 8,
  ecdsaWithSHA1: 9,
  ecdsaWithSHA256: 10,
  ecdsaWithSHA384: 11,
  ecdsaWithSHA512: 12,
  sha256WithRSAPSS: 13,
  sha384WithRSAPSS: 14,
  sha512WithRSAPSS: 15,
  pureEd25519: 16,
} as const;

const SIG_OIDS: Record<string, number> = {
  "1.2.840.113549.1.1.2": SIG.md2WithRSA,
  "1.2.840.113549.1.1.4": SIG.md5WithRSA,
  "1.2.840.113549.1.1.5": SIG.sha1WithRSA,
  "1.3.14.3.2.29": SIG.sha1WithRSA,
  "1.2.840.113549.1.1.11": SIG.sha256WithRSA,
  "1.2.840.113549.1.1.12": SIG.sha384WithRSA,
  "1.2.840.113549.1.1.13": SIG.sha512WithRSA,
  "1.2.840.10040.4.3": SIG.dsaWithSHA1,
  "2.16.840.1.101.3.4.3.2": SIG.dsaWithSHA256,
  "1.2.840.10045.4.1": SIG.ecdsaWithSHA1,
  "1.2.840.10045.4.3.2": SIG.ecdsaWithSHA256,
  "1.2.840.10045.4.3.3": SIG.ecdsaWithSHA384,
  "1.2.840.10045.4.3.4": SIG.ecdsaWithSHA512,
  "1.3.101.112": SIG.pureEd25519,
};

const OID_RSA_PSS = "1.2.840.113549.1.1.10";
const PSS_HASHES: Record<string, number> = {
  "2.16.840.1.101.3.4.2.1": SIG.sha256WithRSAPSS,
  "2.16.840.1.101.3.4.2.2": SIG.sha384WithRSAPSS,
  "2.16.840.1.101.3.4.2.3": SIG.sha512WithRSAPSS,
};

export function signatureAlgorithm(ai: Element): number {
  const [oidEl, params] = children(ai);
  const oid = oidString(expect(oidEl, TAG.OID, "signature algorithm"));
  if (oid === OID_RSA_PSS) {
    // RSASSA-PSS-params: the hash is in [0]; Go accepts only SHA-2 with MGF1 of the same hash.
    try {
      const hashAlg = children(expect(params, TAG.SEQUENCE, "PSS parameters")).find((e) => isContext(e, 0));
      if (hashAlg === undefined) return SIG.unknown;
      const hashOid = oidString(children(parseOne(hashAlg.body))[0] as Element);
      return PSS_HASHES[hashOid] ?? SIG.unknown;
    } catch {
      return SIG.unknown;
    }
  }
  if (oid === "1.3.101.112" && params !== undefined) return SIG.unknown;
  return SIG_OIDS[oid] ?? SIG.unknown;
}

const EXT_KEY_USAGE: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

export const EKU = { any: 0, serverAuth: 1, microsoftSGC: 10, netscapeSGC: 11 } as const;
export const KEY_USAGE_CERT_SIGN = 1 << 5;

/** pkix.Name, as a plain record before rendering. */
export interface Name {
  raw: Uint8Array;
  names: { type: number[]; value: Value }[];
}

export interface Certificate {
  raw: Uint8Array;
  rawTBS: Uint8Array;
  rawSPKI: Uint8Array;
  rawSubject: Uint8Array;
  rawIssuer: Uint8Array;
  signature: Uint8Array;
  signatureAlgorithm: number;
  publicKeyAlgorithm: number;
  publicKey: PublicKey | undefined;
  version: number;
  serial: bigint;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  keyUsage: number;
  extensions: { id: number[]; critical: boolean; value: Uint8Array }[];
  unhandledCritical: number[][];
  extKeyUsage: number[] | undefined;
  unknownExtKeyUsage: number[][] | undefined;
  basicConstraintsValid: boolean;
  isCA: boolean;
  maxPathLen: number;
  subjectKeyId: Uint8Array | undefined;
  authorityKeyId: Uint8Array | undefined;
  ocspServer: string[] | undefined;
  issuingCertificateURL: string[] | undefined;
  san: SubjectAltNames;
  constraints: NameConstraints;
  crlDistributionPoints: string[] | undefined;
  policyIdentifiers: number[][] | undefined;
}

export interface SubjectAltNames {
  dnsNames: string[] | undefined;
  emailAddresses: string[] | undefined;
  ipAddresses: Uint8Array[] | undefined;
  uris: string[] | undefined;
}

interface NameConstraints {
  critical: boolean;
  permittedDNS: string[] | undefined;
  excludedDNS: string[] | undefined;
  permittedIP: Uint8Array[] | undefined;
  excludedIP: Uint8Array[] | undefined;
  permittedEmail: string[] | undefined;
  excludedEmail: string[] | undefined;
  permittedURI: string[] | undefined;
  excludedURI: string[] | undefined;
}

export const fail = (what: string): never => {
  throw new X509Error(`x509: ${what}`);
};

/** Runs `fn`, turning DER-level failures into Go's "x509: malformed …" wording. */
function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof X509Error || err instanceof KeyError) throw err;
    return fail(what);
  }
}

export function parseName(el: Element, lenientValues: boolean): Name {
  const names: Name["names"] = [];
  for (const rdn of children(expect(el, TAG.SEQUENCE, "name"))) {
    expect(rdn, TAG.SET, "RDN");
    for (const atv of children(rdn)) {
      const [typeEl, valueEl] = children(expect(atv, TAG.SEQUENCE, "attribute"));
      const type = parseOID(expect(typeEl, TAG.OID, "attribute type"));
      if (valueEl === undefined) throw new DerError("missing attribute value");
      let value: Value;
      if (isStringTag(valueEl.tag)) value = parseString(valueEl);
      else if (lenientValues) value = anyValue(valueEl);
      else throw new X509Error("x509: invalid RDNSequence: invalid attribute value");
      names.push({ type, value });
    }
  }
  return { raw: el.raw, names };
}

/** What Go's encoding/asn1 stores for an ASN.1 ANY in an interface{}. */
export function anyValue(el: Element): Value {
  if (isStringTag(el.tag)) return parseString(el);
  switch (el.tag) {
    case TAG.BOOLEAN:
      return parseBoolean(el);
    case TAG.INTEGER:
      return normalizeInt(parseInteger(el));
    case TAG.OCTET_STRING:
      return encodeStd(el.body);
    case TAG.OID:
      return parseOID(el);
    case TAG.UTC_TIME:
    case TAG.GENERALIZED_TIME:
      return rfc3339(parseTime(el));
    case TAG.BIT_STRING: {
      const bs = parseBitString(el);
      return RObject.fromRecord({ Bytes: encodeStd(bs.bytes), BitLength: bs.bytes.length * 8 - bs.unused });
    }
    default:
      return null;
  }
}

function push<T>(list: T[] | undefined, v: T): T[] {
  if (list === undefined) return [v];
  list.push(v);
  return list;
}

function ia5(el: Element, what: string): string {
  for (const c of el.body) if (c > 0x7f) fail(`SAN ${what} is malformed`);
  return parseString({ ...el, tag: TAG.IA5_STRING });
}

export function parseSAN(value: Uint8Array, out: SubjectAltNames): void {
  for (const gn of children(expect(parseOne(value), TAG.SEQUENCE, "SAN"))) {
    if (gn.cls !== 2) continue;
    switch (gn.num) {
      case 1:
        out.emailAddresses = push(out.emailAddresses, ia5(gn, "rfc822Name"));
        break;
      case 2:
        out.dnsNames = push(out.dnsNames, ia5(gn, "dNSName"));
        break;
      case 6:
        out.uris = push(out.uris, ia5(gn, "uniformResourceIdentifier"));
        break;
      case 7:
        if (gn.body.length !== 4 && gn.body.length !== 16) fail(`cannot parse IP address of length ${gn.body.length}`);
        out.ipAddresses = push(out.ipAddresses, gn.body.slice());
        break;
    }
  }
}

function parseNameConstraints(value: Uint8Array, nc: NameConstraints): void {
  const subtrees = (el: Element, permitted: boolean) => {
    for (const st of children(el)) {
      const base = children(expect(st, TAG.SEQUENCE, "subtree"))[0];
      if (base === undefined || base.cls !== 2) continue;
      switch (base.num) {
        case 2:
          if (permitted) nc.permittedDNS = push(nc.permittedDNS, ia5(base, "dNSName"));
          else nc.excludedDNS = push(nc.excludedDNS, ia5(base, "dNSName"));
          break;
        case 1:
          if (permitted) nc.permittedEmail = push(nc.permittedEmail, ia5(base, "rfc822Name"));
          else nc.excludedEmail = push(nc.excludedEmail, ia5(base, "rfc822Name"));
          break;
        case 6:
          if (permitted) nc.permittedURI = push(nc.permittedURI, ia5(base, "uniformResourceIdentifier"));
          else nc.excludedURI = push(nc.excludedURI, ia5(base, "uniformResourceIdentifier"));
          break;
        case 7:
          if (permitted) nc.permittedIP = push(nc.permittedIP, base.body.slice());
          else nc.excludedIP = push(nc.excludedIP, base.body.slice());
          break;
      }
    }
  };
  for (const part of children(expect(parseOne(value), TAG.SEQUENCE, "name constraints"))) {
    if (isContext(part, 0)) subtrees(part, true);
    else if (isContext(part, 1)) subtrees(part, false);
  }
}

function parseCRLDistributionPoints(value: Uint8Array): string[] | undefined {
  let out: string[] | undefined;
  for (const dp of children(expect(parseOne(value), TAG.SEQUENCE, "CRL distribution points"))) {
    const name = children(dp).find((e) => isContext(e, 0));
    if (name === undefined) continue;
    const full = children(name).find((e) => isContext(e, 0));
    if (full === undefined) continue;
    for (const gn of children(full)) if (gn.cls === 2 && gn.num === 6) out = push(out, ia5(gn, "uniformResourceIdentifier"));
  }
  return out;
}

function parseExtensions(el: Element, cert: Certificate): void {
  const seen = new Set<string>();
  for (const ext of children(expect(parseOne(el.body), TAG.SEQUENCE, "extensions"))) {
    const parts = children(expect(ext, TAG.SEQUENCE, "extension"));
    const id = parseOID(expect(parts[0], TAG.OID, "extension"));
    let critical = false;
    let valueEl = parts[1];
    if (valueEl?.tag === TAG.BOOLEAN) {
      critical = parseBoolean(valueEl);
      valueEl = parts[2];
    }
    const value = expect(valueEl, TAG.OCTET_STRING, "extension").body;
    const key = id.join(".");
    if (seen.has(key)) fail("certificate contains duplicate extensions");
    seen.add(key);
    cert.extensions.push({ id, critical, value: value.slice() });
    let unhandled = false;
    switch (key) {
      case "2.5.29.15": {
        const bs = guarded("invalid key usage", () => parseBitString(parseOne(value)));
        let usage = 0;
        for (let i = 0; i < 9; i++) if (bitAt(bs, i)) usage |= 1 << i;
        cert.keyUsage = usage;
        break;
      }
      case "2.5.29.19": {
        guarded("invalid basic constraints", () => {
          const fields = children(expect(parseOne(value), TAG.SEQUENCE, "basic constraints"));
          let i = 0;
          let isCA = false;
          if (fields[i]?.tag === TAG.BOOLEAN) isCA = parseBoolean(fields[i++] as Element);
          let maxPathLen = -1;
          if (fields[i]?.tag === TAG.INTEGER) maxPathLen = Number(parseInteger(fields[i] as Element));
          cert.isCA = isCA;
          cert.maxPathLen = maxPathLen;
          cert.basicConstraintsValid = true;
        });
        break;
      }
      case "2.5.29.17":
        guarded("invalid subject alternative names", () => parseSAN(value, cert.san));
        if (critical && !cert.san.dnsNames && !cert.san.emailAddresses && !cert.san.ipAddresses && !cert.san.uris) unhandled = true;
        break;
      case "2.5.29.30":
        cert.constraints.critical = critical;
        guarded("invalid NameConstraints extension", () => parseNameConstraints(value, cert.constraints));
        break;
      case "2.5.29.31":
        cert.crlDistributionPoints = guarded("invalid CRL distribution points", () => parseCRLDistributionPoints(value));
        break;
      case "2.5.29.35":
        guarded("invalid authority key identifier", () => {
          const kid = children(expect(parseOne(value), TAG.SEQUENCE, "AKI")).find((e) => isContext(e, 0));
          if (kid !== undefined) cert.authorityKeyId = kid.body.slice();
        });
        break;
      case "2.5.29.37":
        guarded("invalid extended key usages", () => {
          for (const o of children(expect(parseOne(value), TAG.SEQUENCE, "EKU"))) {
            const oid = parseOID(expect(o, TAG.OID, "EKU"));
            const known = EXT_KEY_USAGE[oid.join(".")];
            if (known !== undefined) cert.extKeyUsage = push(cert.extKeyUsage, known);
            else cert.unknownExtKeyUsage = push(cert.unknownExtKeyUsage, oid);
          }
        });
        break;
      case "2.5.29.14":
        cert.subjectKeyId = guarded("invalid subject key identifier", () => expect(parseOne(value), TAG.OCTET_STRING, "SKI").body.slice());
        break;
      case "2.5.29.32":
        guarded("invalid certificate policies", () => {
          for (const pi of children(expect(parseOne(value), TAG.SEQUENCE, "policies"))) {
            const oid = parseOID(expect(children(pi)[0], TAG.OID, "policy"));
            cert.policyIdentifiers = push(cert.policyIdentifiers, oid);
          }
        });
        break;
      case "2.5.29.33":
      case "2.5.29.36":
      case "2.5.29.54":
        break;
      case "1.3.6.1.5.5.7.1.1":
        guarded("invalid authority info access", () => {
          for (const ad of children(expect(parseOne(value), TAG.SEQUENCE, "AIA"))) {
            const [method, location] = children(ad);
            if (method === undefined || location === undefined || location.cls !== 2 || location.num !== 6) continue;
            const m = oidString(method);
            if (m === "1.3.6.1.5.5.7.48.1") cert.ocspServer = push(cert.ocspServer, ia5(location, "URI"));
            else if (m === "1.3.6.1.5.5.7.48.2") cert.issuingCertificateURL = push(cert.issuingCertificateURL, ia5(location, "URI"));
          }
        });
        break;
      default:
        unhandled = true;
    }
    if (critical && unhandled) cert.unhandledCritical.push(id);
  }
}

/** Parses the one certificate at the start of `der`; returns it and its length. */
function parseCertificateAt(der: Uint8Array, off: number): [Certificate, number] {
  const [certEl, end] = guarded("malformed certificate", () => {
    const r = readElement(der, off);
    if (r[0].tag !== TAG.SEQUENCE) throw new DerError("not a sequence");
    return r;
  });
  const [tbs, outerAlg, sigBits, extra] = guarded("malformed certificate", () => children(certEl));
  if (tbs?.tag !== TAG.SEQUENCE || extra !== undefined) fail("malformed certificate");
  const tbsFields = guarded("malformed tbs certificate", () => children(tbs as Element));
  let i = 0;
  let version = 1;
  if (isContext(tbsFields[0], 0)) {
    version =
      guarded("malformed version", () => Number(parseInteger(expect(parseOne((tbsFields[0] as Element).body), TAG.INTEGER, "version")))) +
      1;
    if (version < 1) fail("malformed version");
    if (version > 3) fail("invalid version");
    i++;
  }
  const serialEl = tbsFields[i++];
  const serial = guarded("malformed serial number", () => parseInteger(expect(serialEl, TAG.INTEGER, "serial")));
  // Go 1.23 and later refuse negative serial numbers (GODEBUG x509negativeserial).
  if (serial < 0n) fail("negative serial number");
  const innerAlg = tbsFields[i++];
  if (innerAlg?.tag !== TAG.SEQUENCE) fail("malformed signature algorithm identifier");
  const issuerEl = tbsFields[i++];
  const issuer = guarded("malformed issuer", () => parseName(issuerEl as Element, false));
  const validity = guarded("malformed validity", () => {
    const [nb, na] = children(expect(tbsFields[i], TAG.SEQUENCE, "validity"));
    return [parseTime(nb as Element), parseTime(na as Element)] as const;
  });
  i++;
  const subjectEl = tbsFields[i++];
  const subject = guarded("malformed subject", () => parseName(subjectEl as Element, false));
  const spki = tbsFields[i++];
  const [pkAlg, pkBits] = guarded("malformed spki", () => {
    const parts = children(expect(spki, TAG.SEQUENCE, "spki"));
    return [expect(parts[0], TAG.SEQUENCE, "pk alg"), expect(parts[1], TAG.BIT_STRING, "pk")] as const;
  });
  const pkOid = guarded("malformed public key algorithm identifier", () => oidString(expect(children(pkAlg)[0], TAG.OID, "pk alg")));
  const publicKey = guarded("malformed public key", () => parsePublicKey(pkAlg, pkBits, true));
  const sigAlgOuter = outerAlg;
  if (sigAlgOuter?.tag !== TAG.SEQUENCE) fail("malformed algorithm identifier");
  if (!bytesEqual((sigAlgOuter as Element).raw, (innerAlg as Element).raw))
    fail("inner and outer signature algorithm identifiers don't match");
  if (sigBits?.tag !== TAG.BIT_STRING) fail("malformed signature");

  const cert: Certificate = {
    raw: certEl.raw.slice(),
    rawTBS: (tbs as Element).raw.slice(),
    rawSPKI: (spki as Element).raw.slice(),
    rawSubject: subject.raw.slice(),
    rawIssuer: issuer.raw.slice(),
    signature: guarded("malformed signature", () => parseBitString(sigBits as Element).bytes.slice()),
    signatureAlgorithm: guarded("malformed signature algorithm identifier", () => signatureAlgorithm(innerAlg as Element)),
    publicKeyAlgorithm: publicKeyAlgorithmOf(pkOid),
    publicKey,
    version,
    serial,
    issuer,
    subject,
    notBefore: validity[0],
    notAfter: validity[1],
    keyUsage: 0,
    extensions: [],
    unhandledCritical: [],
    extKeyUsage: undefined,
    unknownExtKeyUsage: undefined,
    basicConstraintsValid: false,
    isCA: false,
    maxPathLen: 0,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    ocspServer: undefined,
    issuingCertificateURL: undefined,
    san: { dnsNames: undefined, emailAddresses: undefined, ipAddresses: undefined, uris: undefined },
    constraints: {
      critical: false,
      permittedDNS: undefined,
      excludedDNS: undefined,
      permittedIP: undefined,
      excludedIP: undefined,
      permittedEmail: undefined,
      excludedEmail: undefined,
      permittedURI: undefined,
      excludedURI: undefined,
    },
    crlDistributionPoints: undefined,
    policyIdentifiers: undefined,
  };
  // Unique identifiers ([1], [2]) are skipped; extensions ([3]) count only
  // in version 3 certificates; Go ignores anything else left in the TBS.
  if (version === 3) {
    const ext = tbsFields.slice(i).find((el) => isContext(el, 3));
    if (ext !== undefined) guarded("malformed extensions", () => parseExtensions(ext, cert));
  }
  return [cert, end];
}

/** x509.ParseCertificates: any number of concatenated DER certificates. */
export function parseCertificates(der: Uint8Array): Certificate[] {
  const out: Certificate[] = [];
  let off = 0;
  while (off < der.length) {
    const [cert, end] = parseCertificateAt(der, off);
    out.push(cert);
    off = end;
  }
  return out;
}

/** x509.ParseCertificate: exactly one. */
export function parseCertificate(der: Uint8Array): Certificate {
  const [cert, end] = parseCertificateAt(der, 0);
  if (end !== der.length) fail("trailing data");
  return cert;
}
