/**
 * Certificate signing requests: x509.ParseCertificateRequest, rendered as
 * Go's JSON. Go parses these with encoding/asn1, whose error wording differs
 * from the certificate parser's ("asn1: structure error: …").
 */
import { RObject, type Value } from "../../value/index.js";
import { encodeStd } from "../../goruntime/base64.js";
import { X509Error, anyValue, parseName, parseSAN, signatureAlgorithm, type SubjectAltNames } from "./certificate.js";
import {
  TAG,
  children,
  expect,
  isContext,
  oidString,
  parseBitString,
  parseBoolean,
  parseInteger,
  parseOID,
  readElement,
  type Element,
} from "./der.js";
import { publicKeyGoJSON } from "./keyjson.js";
import { KeyError, parsePublicKey, publicKeyAlgorithmOf } from "./keys.js";
import { extensionsJSON, formatIP, nameJSON, strings, urlJSON } from "./render.js";

/** encoding/asn1's structure error for the outermost element, as Go words it. */
function asn1TagError(el: { tag: number; len: number }, offset: number): never {
  const cls = el.tag >> 6;
  const compound = (el.tag & 0x20) !== 0;
  throw new X509Error(
    `asn1: structure error: tags don't match (16 vs {class:${cls} tag:${el.tag & 0x1f} length:${el.len} isCompound:${compound}}) ` +
      `{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} certificateRequest @${offset}`,
  );
}

/** x509.ParseCertificateRequest, rendered as Go's JSON. */
export function parseCertificateRequestJSON(der: Uint8Array): RObject {
  if (der.length < 2) throw new X509Error("asn1: syntax error: sequence truncated");
  if (der[0] !== TAG.SEQUENCE) {
    let len = der[1] as number;
    let off = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n && off < der.length; k++) len = len * 256 + (der[off++] as number);
    }
    asn1TagError({ tag: der[0] as number, len }, off);
  }
  let csrEl: Element;
  let end: number;
  try {
    [csrEl, end] = readElement(der, 0);
  } catch {
    throw new X509Error("asn1: syntax error: data truncated");
  }
  if (end !== der.length) throw new X509Error("asn1: syntax error: trailing data");
  return guardedASN1(() => {
    const [info, alg, sig] = children(csrEl);
    const [verEl, subjEl, spkiEl, attrsEl] = children(expect(info, TAG.SEQUENCE, "request info"));
    const version = Number(parseInteger(expect(verEl, TAG.INTEGER, "version")));
    const subject = parseName(expect(subjEl, TAG.SEQUENCE, "subject"), true);
    const [pkAlg, pkBits] = children(expect(spkiEl, TAG.SEQUENCE, "spki"));
    const pkOid = oidString(expect(children(expect(pkAlg, TAG.SEQUENCE, "alg"))[0], TAG.OID, "alg"));
    const publicKey = parsePublicKey(pkAlg as Element, expect(pkBits, TAG.BIT_STRING, "key"), true);
    const attributes: Value[] = [];
    const extensions: { id: number[]; critical: boolean; value: Uint8Array }[] = [];
    const san: SubjectAltNames = { dnsNames: undefined, emailAddresses: undefined, ipAddresses: undefined, uris: undefined };
    if (attrsEl !== undefined && isContext(attrsEl, 0)) {
      for (const attr of children(attrsEl)) {
        const [typeEl, valuesEl] = children(attr);
        const type = parseOID(expect(typeEl, TAG.OID, "attribute"));
        const parsed = csrAttribute(type, valuesEl);
        if (parsed !== undefined) attributes.push(parsed);
        if (type.join(".") === "1.2.840.113549.1.9.14" && valuesEl !== undefined) {
          const exts = children(valuesEl)[0];
          if (exts === undefined) continue;
          for (const ext of children(exts)) {
            const parts = children(ext);
            const id = parseOID(expect(parts[0], TAG.OID, "extension"));
            const critical = parts[1]?.tag === TAG.BOOLEAN ? parseBoolean(parts[1]) : false;
            const value = expect(parts[critical || parts[1]?.tag === TAG.BOOLEAN ? 2 : 1], TAG.OCTET_STRING, "extension").body;
            extensions.push({ id, critical, value: value.slice() });
            if (id.join(".") === "2.5.29.17") parseSAN(value, san);
          }
        }
      }
    }
    return RObject.fromRecord({
      Raw: encodeStd(csrEl.raw),
      RawTBSCertificateRequest: encodeStd((info as Element).raw),
      RawSubjectPublicKeyInfo: encodeStd((spkiEl as Element).raw),
      RawSubject: encodeStd(subject.raw),
      Version: version,
      Signature: encodeStd(parseBitString(expect(sig, TAG.BIT_STRING, "signature")).bytes),
      SignatureAlgorithm: signatureAlgorithm(expect(alg, TAG.SEQUENCE, "algorithm")),
      PublicKeyAlgorithm: publicKeyAlgorithmOf(pkOid),
      PublicKey: publicKeyGoJSON(publicKey),
      Subject: nameJSON(subject),
      Attributes: attributes.length ? attributes : null,
      Extensions: extensionsJSON(extensions),
      ExtraExtensions: null,
      DNSNames: strings(san.dnsNames),
      EmailAddresses: strings(san.emailAddresses),
      IPAddresses: san.ipAddresses === undefined ? null : san.ipAddresses.map(formatIP),
      URIs: san.uris === undefined ? null : san.uris.map(urlJSON),
    });
  });
}

/**
 * pkix.AttributeTypeAndValueSET: a SET of SEQUENCEs of (type, value). Go
 * drops attributes of any other shape (challengePassword and the like).
 */
function csrAttribute(type: number[], values: Element | undefined): Value | undefined {
  if (values === undefined || values.tag !== TAG.SET) return undefined;
  try {
    const sets: Value[] = [];
    for (const seq of children(values)) {
      if (seq.tag !== TAG.SEQUENCE) return undefined;
      const atvs: Value[] = [];
      for (const atv of children(seq)) {
        if (atv.tag !== TAG.SEQUENCE) return undefined;
        const [t, v] = children(atv);
        if (t?.tag !== TAG.OID || v === undefined) return undefined;
        atvs.push(RObject.fromRecord({ Type: parseOID(t), Value: anyValue(v) }));
      }
      sets.push(atvs);
    }
    return RObject.fromRecord({ Type: [...type], Value: sets });
  } catch {
    return undefined;
  }
}

function guardedASN1<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof X509Error || err instanceof KeyError) throw err;
    throw new X509Error("asn1: structure error: malformed certificate request");
  }
}
