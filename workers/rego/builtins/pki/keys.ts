/**
 * Public and private keys: parsed from SubjectPublicKeyInfo, PKCS #1,
 * PKCS #8 and SEC 1 DER as Go's crypto/x509 parses them, and rendered as Go's
 * encoding/json renders the Go key types (which is what OPA returns).
 */
import type { BuiltinContext } from "../types.js";
import { curveOperationCost } from "../costs.js";
import { decodeRawURL, decodeStd } from "../../goruntime/base64.js";
import { pemDecode, type PemBlock } from "./pem.js";
import { bigIntToBytes, buf, byteString, bytesToBigInt, concat, digestKey } from "./bytes.js";
import {
  DerError,
  TAG,
  children,
  encodeElement,
  expect,
  isContext,
  oidString,
  parseBitString,
  parseInteger,
  parseOne,
  type Element,
} from "./der.js";

export type Curve = "P-224" | "P-256" | "P-384" | "P-521";

export type PublicKey =
  | { kind: "rsa"; n: bigint; e: bigint }
  | { kind: "ec"; curve: Curve; x: bigint; y: bigint }
  | { kind: "ed25519"; raw: Uint8Array }
  /** A key Go parses but we do not verify with (DSA, X25519). */
  | { kind: "other" };

export type PrivateKey =
  | { kind: "rsa"; n: bigint; e: bigint; d: bigint; p: bigint; q: bigint }
  | { kind: "ec"; curve: Curve; d: bigint; x: bigint | undefined; y: bigint | undefined }
  | { kind: "ed25519"; seed: Uint8Array; pub: Uint8Array | undefined };

export const OID = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  dsa: "1.2.840.10040.4.1",
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  x25519: "1.3.101.110",
} as const;

const CURVE_OIDS: Record<string, Curve> = {
  "1.3.132.0.33": "P-224",
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};

const CURVE_OID_BY_NAME: Record<Curve, string> = {
  "P-224": "1.3.132.0.33",
  "P-256": "1.2.840.10045.3.1.7",
  "P-384": "1.3.132.0.34",
  "P-521": "1.3.132.0.35",
};

export function curveSize(c: Curve): number {
  return c === "P-224" ? 28 : c === "P-256" ? 32 : c === "P-384" ? 48 : 66;
}

export function curveFromName(name: string): Curve | undefined {
  return name === "P-224" || name === "P-256" || name === "P-384" || name === "P-521" ? name : undefined;
}

/** Go's PublicKeyAlgorithm enumeration. */
export const PUBLIC_KEY_ALGORITHM = { unknown: 0, rsa: 1, dsa: 2, ecdsa: 3, ed25519: 4 } as const;

export function publicKeyAlgorithmOf(oid: string): number {
  switch (oid) {
    case OID.rsaEncryption:
      return PUBLIC_KEY_ALGORITHM.rsa;
    case OID.dsa:
      return PUBLIC_KEY_ALGORITHM.dsa;
    case OID.ecPublicKey:
      return PUBLIC_KEY_ALGORITHM.ecdsa;
    case OID.ed25519:
      return PUBLIC_KEY_ALGORITHM.ed25519;
    default:
      return PUBLIC_KEY_ALGORITHM.unknown;
  }
}

export class KeyError extends Error {}

function parseRSAPublic(keyBytes: Uint8Array): PublicKey {
  let seq: Element;
  try {
    seq = expect(parseOne(keyBytes), TAG.SEQUENCE, "RSA public key");
  } catch {
    throw new KeyError("x509: invalid RSA public key");
  }
  const [nEl, eEl] = children(seq);
  const n = parseInteger(expect(nEl, TAG.INTEGER, "RSA modulus"));
  const e = parseInteger(expect(eEl, TAG.INTEGER, "RSA exponent"));
  if (n <= 0n) throw new KeyError("x509: RSA modulus is not a positive number");
  if (e <= 0n) throw new KeyError("x509: RSA public exponent is not a positive number");
  return { kind: "rsa", n, e };
}

/** Field prime and b coefficient of each curve (y² = x³ − 3x + b). */
const CURVE_PARAMS: Record<Curve, { p: bigint; b: bigint }> = {
  "P-224": { p: 2n ** 224n - 2n ** 96n + 1n, b: 0xb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4n },
  "P-256": {
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  "P-384": {
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  "P-521": {
    p: 2n ** 521n - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/** Whether (x, y) lies on the curve, as Go checks when it unmarshals a point. */
export function onCurve(curve: Curve, x: bigint, y: bigint): boolean {
  const { p, b } = CURVE_PARAMS[curve];
  if (x < 0n || y < 0n || x >= p || y >= p) return false;
  const rhs = (((x * x * x - 3n * x + b) % p) + p) % p;
  return (y * y) % p === rhs;
}

function parseECPoint(curve: Curve, point: Uint8Array): { x: bigint; y: bigint } {
  const size = curveSize(curve);
  if (point.length !== 1 + 2 * size || point[0] !== 4) throw new KeyError("x509: failed to unmarshal elliptic curve point");
  const x = bytesToBigInt(point.subarray(1, 1 + size));
  const y = bytesToBigInt(point.subarray(1 + size));
  if (!onCurve(curve, x, y)) throw new KeyError("x509: failed to unmarshal elliptic curve point");
  return { x, y };
}

/**
 * A public key from its algorithm identifier and BIT STRING contents. Keys of
 * algorithms Go does not know are an error (ParsePKIXPublicKey) or, within a
 * certificate, simply unknown (`lenient`).
 */
export function parsePublicKey(algorithm: Element, keyBits: Element, lenient: boolean): PublicKey | undefined {
  const [oidEl, params] = children(algorithm);
  const oid = oidString(expect(oidEl, TAG.OID, "public key algorithm"));
  const bits = parseBitString(keyBits).bytes;
  switch (oid) {
    case OID.rsaEncryption:
      if (params === undefined || params.tag !== TAG.NULL) throw new KeyError("x509: RSA key missing NULL parameters");
      return parseRSAPublic(bits);
    case OID.ecPublicKey: {
      if (params === undefined || params.tag !== TAG.OID) throw new KeyError("x509: invalid ECDSA parameters");
      const curve = CURVE_OIDS[oidString(params)];
      if (curve === undefined) throw new KeyError("x509: unsupported elliptic curve");
      return { kind: "ec", curve, ...parseECPoint(curve, bits) };
    }
    case OID.ed25519:
      if (params !== undefined) throw new KeyError("x509: Ed25519 key encoded with illegal parameters");
      if (bits.length !== 32) throw new KeyError("x509: wrong Ed25519 public key size");
      return { kind: "ed25519", raw: bits.slice() };
    case OID.dsa:
    case OID.x25519:
      return { kind: "other" };
    default:
      if (lenient) return undefined;
      throw new KeyError("x509: unknown public key algorithm");
  }
}

/** x509.ParsePKIXPublicKey */
export function parsePKIXPublicKey(der: Uint8Array): PublicKey {
  let spki: Element;
  try {
    spki = expect(parseOne(der), TAG.SEQUENCE, "SPKI");
  } catch {
    throw new KeyError("x509: malformed public key");
  }
  const [alg, bits] = children(spki);
  if (alg === undefined || alg.tag !== TAG.SEQUENCE || bits === undefined || bits.tag !== TAG.BIT_STRING) {
    throw new KeyError("x509: malformed public key");
  }
  return parsePublicKey(alg, bits, false) as PublicKey;
}

// --- private keys ---

/** x509.ParsePKCS1PrivateKey */
export function parsePKCS1PrivateKey(der: Uint8Array): PrivateKey {
  let fields: Element[];
  try {
    fields = children(expect(parseOne(der), TAG.SEQUENCE, "key"));
  } catch {
    throw new KeyError("x509: failed to parse private key");
  }
  // Go points at the right parser when it recognises another format.
  if (fields.length >= 2 && fields[1]?.tag === TAG.SEQUENCE) {
    throw new KeyError("x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)");
  }
  if (fields.length >= 2 && fields[1]?.tag === TAG.OCTET_STRING) {
    throw new KeyError("x509: failed to parse private key (use ParseECPrivateKey instead for this key format)");
  }
  try {
    const ints = fields.slice(0, 9).map((f) => parseInteger(expect(f, TAG.INTEGER, "key")));
    if (ints.length < 9) throw new DerError("short key");
    const [version, n, e, d, p, q] = ints as [bigint, bigint, bigint, bigint, bigint, bigint];
    if (version > 1n) throw new KeyError("x509: unsupported private key version");
    if (n <= 0n || d <= 0n || p <= 1n || q <= 1n) throw new KeyError("x509: private key contains zero or negative value");
    if (e <= 0n || e > 0x7fffffffn) throw new KeyError("x509: private key contains zero or negative value");
    if (version === 1n) throw new KeyError("x509: multi-prime RSA keys are not supported");
    return { kind: "rsa", n, e, d, p, q };
  } catch (err) {
    if (err instanceof KeyError) throw err;
    throw new KeyError("x509: failed to parse private key");
  }
}

/** x509.ParseECPrivateKey; `curveHint` comes from a PKCS #8 wrapper. */
export function parseECPrivateKey(der: Uint8Array, curveHint?: Curve): PrivateKey {
  let fields: Element[];
  try {
    fields = children(expect(parseOne(der), TAG.SEQUENCE, "key"));
  } catch {
    throw new KeyError("x509: failed to parse EC private key");
  }
  const [ver, priv, ...rest] = fields;
  if (ver?.tag !== TAG.INTEGER || priv?.tag !== TAG.OCTET_STRING) {
    if (ver?.tag === TAG.INTEGER && priv?.tag === TAG.SEQUENCE) {
      throw new KeyError("x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)");
    }
    throw new KeyError("x509: failed to parse EC private key");
  }
  if (parseInteger(ver) !== 1n) throw new KeyError(`x509: unknown EC private key version ${parseInteger(ver)}`);
  let curve = curveHint;
  let point: Uint8Array | undefined;
  for (const el of rest) {
    if (isContext(el, 0)) {
      const named = CURVE_OIDS[oidString(parseOne(el.body))];
      if (named === undefined) throw new KeyError("x509: unknown elliptic curve");
      curve = named;
    } else if (isContext(el, 1)) {
      point = parseBitString(parseOne(el.body)).bytes;
    }
  }
  if (curve === undefined) throw new KeyError("x509: unknown elliptic curve");
  const d = bytesToBigInt(priv.body);
  if (priv.body.length > curveSize(curve)) throw new KeyError("x509: invalid private key length");
  let x: bigint | undefined;
  let y: bigint | undefined;
  if (point !== undefined) {
    try {
      ({ x, y } = parseECPoint(curve, point));
    } catch {
      // Go derives the public point from d and ignores the stored one.
    }
  }
  return { kind: "ec", curve, d, x, y };
}

/** x509.ParsePKCS8PrivateKey */
export function parsePKCS8PrivateKey(der: Uint8Array): PrivateKey {
  let fields: Element[];
  try {
    fields = children(expect(parseOne(der), TAG.SEQUENCE, "key"));
  } catch {
    throw new KeyError("x509: failed to parse private key");
  }
  const [ver, alg, key] = fields;
  if (ver?.tag !== TAG.INTEGER || alg?.tag !== TAG.SEQUENCE || key?.tag !== TAG.OCTET_STRING) {
    if (ver?.tag === TAG.INTEGER && (alg?.tag === TAG.INTEGER || alg?.tag === TAG.OCTET_STRING)) {
      const hint = alg.tag === TAG.INTEGER ? "ParsePKCS1PrivateKey" : "ParseECPrivateKey";
      throw new KeyError(`x509: failed to parse private key (use ${hint} instead for this key format)`);
    }
    throw new KeyError("x509: failed to parse private key");
  }
  const [oidEl, params] = children(alg);
  const oid = oidString(expect(oidEl, TAG.OID, "algorithm"));
  switch (oid) {
    case OID.rsaEncryption:
      try {
        return parsePKCS1PrivateKey(key.body);
      } catch (err) {
        throw new KeyError(`x509: failed to parse RSA private key embedded in PKCS#8: ${(err as Error).message}`);
      }
    case OID.ecPublicKey: {
      const curve = params?.tag === TAG.OID ? CURVE_OIDS[oidString(params)] : undefined;
      try {
        return parseECPrivateKey(key.body, curve);
      } catch (err) {
        throw new KeyError(`x509: failed to parse EC private key embedded in PKCS#8: ${(err as Error).message}`);
      }
    }
    case OID.ed25519: {
      if (params !== undefined) throw new KeyError("x509: invalid Ed25519 private key parameters");
      let seed: Uint8Array;
      try {
        seed = expect(parseOne(key.body), TAG.OCTET_STRING, "key").body;
      } catch {
        throw new KeyError("x509: invalid Ed25519 private key");
      }
      if (seed.length !== 32) throw new KeyError(`x509: invalid Ed25519 private key length: ${seed.length}`);
      return { kind: "ed25519", seed: seed.slice(), pub: undefined };
    }
    default:
      throw new KeyError(`x509: PKCS#8 wrapping contained private key with unknown algorithm: ${oid}`);
  }
}

// --- completing keys: derive what the encoding may leave out ---

function oidBytes(oid: string): Uint8Array {
  const arcs = oid.split(".").map(Number);
  const out: number[] = [];
  const enc = (v: number) => {
    const tmp = [v & 0x7f];
    v = Math.floor(v / 128);
    while (v > 0) {
      tmp.unshift(0x80 | (v & 0x7f));
      v = Math.floor(v / 128);
    }
    out.push(...tmp);
  };
  enc((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const a of arcs.slice(2)) enc(a);
  return encodeElement(TAG.OID, Uint8Array.from(out));
}

/** A minimal PKCS #8 encoding for WebCrypto import of EC and Ed25519 keys. */
export function privateKeyPKCS8(key: PrivateKey & { kind: "ec" | "ed25519" }): Uint8Array {
  const version = encodeElement(TAG.INTEGER, Uint8Array.of(0));
  if (key.kind === "ed25519") {
    const alg = encodeElement(TAG.SEQUENCE, oidBytes(OID.ed25519));
    const inner = encodeElement(TAG.OCTET_STRING, key.seed);
    return encodeElement(TAG.SEQUENCE, concat(version, alg, encodeElement(TAG.OCTET_STRING, inner)));
  }
  const alg = encodeElement(TAG.SEQUENCE, concat(oidBytes(OID.ecPublicKey), oidBytes(CURVE_OID_BY_NAME[key.curve])));
  const sec1 = encodeElement(
    TAG.SEQUENCE,
    concat(encodeElement(TAG.INTEGER, Uint8Array.of(1)), encodeElement(TAG.OCTET_STRING, bigIntToBytes(key.d, curveSize(key.curve)))),
  );
  return encodeElement(TAG.SEQUENCE, concat(version, alg, encodeElement(TAG.OCTET_STRING, sec1)));
}

/**
 * Fills in the public half of an EC or Ed25519 private key, which Go always
 * derives from the private scalar. WebCrypto does the curve arithmetic, so
 * this may suspend the evaluation.
 */
export function completePrivateKey(ctx: BuiltinContext, key: PrivateKey): PrivateKey {
  if (key.kind === "rsa") return key;
  if (key.kind === "ec" && key.x !== undefined && key.y !== undefined) return key;
  if (key.kind === "ed25519" && key.pub !== undefined) return key;
  if (key.kind === "ec" && key.curve === "P-224") throw new KeyError("x509: unsupported elliptic curve");
  const der = privateKeyPKCS8(key);
  const algorithm = key.kind === "ec" ? { name: "ECDSA", namedCurve: key.curve } : { name: "Ed25519" };
  const cost = curveOperationCost(key.kind === "ec" ? key.curve : "Ed25519", "derive");
  const jwk = ctx.awaitAsync(`pki.derive-public:${digestKey(der)}`, cost, async () => {
    try {
      const k = await crypto.subtle.importKey("pkcs8", buf(der), algorithm, true, ["sign"]);
      const j = (await crypto.subtle.exportKey("jwk", k)) as { x?: string; y?: string };
      return { x: j.x ?? "", y: j.y ?? "" };
    } catch {
      return undefined;
    }
  });
  if (jwk === undefined) throw new KeyError("x509: invalid private key");
  if (key.kind === "ec") return { ...key, x: bytesToBigInt(decodeRawURL(jwk.x)), y: bytesToBigInt(decodeRawURL(jwk.y)) };
  return { ...key, pub: decodeRawURL(jwk.x) };
}

export function publicOf(key: PrivateKey): PublicKey {
  switch (key.kind) {
    case "rsa":
      return { kind: "rsa", n: key.n, e: key.e };
    case "ec":
      return { kind: "ec", curve: key.curve, x: key.x ?? 0n, y: key.y ?? 0n };
    case "ed25519":
      return { kind: "ed25519", raw: key.pub ?? new Uint8Array(0) };
  }
}

// --- RSA CRT parameters ---

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

/** The CRT parameters of an RSA key; the callers charge them (costs.ts rsaCRTCost, or a signature's cost). */
export function rsaCRT(key: PrivateKey & { kind: "rsa" }): { dp: bigint; dq: bigint; qi: bigint } {
  return { dp: key.d % (key.p - 1n), dq: key.d % (key.q - 1n), qi: modInverse(key.q, key.p) };
}

// --- PEM input as OPA's crypto built-ins read it ---

/**
 * OPA's getPrivateKeysFromPEMData: the input may itself be base64 of PEM;
 * RSA (PKCS #1), PKCS #8 and EC blocks are parsed, other blocks skipped, and
 * the first malformed key is an error.
 */
export function privateKeysFromPEM(data: string): PrivateKey[] {
  let text = data;
  try {
    text = byteString(decodeStd(data));
  } catch {
    // not base64: use the text as it is
  }
  const keys: PrivateKey[] = [];
  let rest = text;
  while (rest.length > 0) {
    const before = rest.length;
    let block: PemBlock | undefined;
    [block, rest] = pemDecode(rest);
    if (block === undefined && rest.length === 0) break;
    if (before === rest.length) break;
    if (block === undefined) continue;
    switch (block.type) {
      case "RSA PRIVATE KEY":
        keys.push(parsePKCS1PrivateKey(block.bytes));
        break;
      case "PRIVATE KEY":
        keys.push(parsePKCS8PrivateKey(block.bytes));
        break;
      case "EC PRIVATE KEY":
        keys.push(parseECPrivateKey(block.bytes));
        break;
    }
  }
  return keys;
}
