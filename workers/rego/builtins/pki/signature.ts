/**
 * Signature primitives with Go's acceptance rules.
 *
 * RSA verification is done here with BigInt: the public operation is cheap,
 * synchronous, and lets PSS detect the salt length as Go's VerifyPSS does
 * (WebCrypto insists on being told). ECDSA, Ed25519 and all signing go
 * through WebCrypto and so through `ctx.awaitAsync`, keyed by a digest of
 * everything the operation depends on.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { BuiltinContext } from "../types.js";
import { SIGNATURE_CHECK_COST, curveOperationCost, rsaPrivateCost, rsaPrivateKeyHandlingCost, rsaPublicCost } from "../costs.js";
import { encodeRawURL } from "../../goruntime/base64.js";
import { bigIntToBytes, buf, bytesEqual, bytesToBigInt, concat, constantTimeEqual, digestKey } from "./bytes.js";
import { curveSize, privateKeyPKCS8, rsaCRT, type PrivateKey, type PublicKey } from "./keys.js";

export type HashName = "MD5" | "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

const HASHES = { MD5: md5, "SHA-1": sha1, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 } as const;

export function digest(h: HashName, data: Uint8Array): Uint8Array {
  return HASHES[h](data);
}

export function hashSize(h: HashName): number {
  return HASHES[h].outputLen;
}

export function hmacDigest(h: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(HASHES[h], key, data);
}

export { constantTimeEqual };

// --- RSA (synchronous) ---

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** Go 1.24 refuses RSA keys under 1024 bits for every operation. */
const MIN_RSA_BITS = 1024;

/**
 * The public-key checks Go's crypto/rsa makes before verifying: an odd
 * modulus of at least 1024 bits and an odd exponent in [3, 2^31-1] (which
 * also keeps the BigInt exponentiation cheap).
 */
function usableRSAKey(pub: PublicKey & { kind: "rsa" }): boolean {
  return (pub.n & 1n) === 1n && bitLength(pub.n) >= MIN_RSA_BITS && pub.e >= 3n && (pub.e & 1n) === 1n && pub.e <= 0x7fffffffn;
}

/** s^e mod n as `size` bytes, or undefined where Go would reject the input. */
function rsaPublic(ctx: BuiltinContext, pub: PublicKey & { kind: "rsa" }, sig: Uint8Array, size: number): Uint8Array | undefined {
  const s = bytesToBigInt(sig);
  if (s >= pub.n) return undefined;
  // Go sets no upper bound on the modulus: the work is charged instead, before it is done.
  ctx.charge(rsaPublicCost(bitLength(pub.n), pub.e));
  const m = modPow(s, pub.e, pub.n);
  const em = bigIntToBytes(m, size);
  return em.length === size ? em : undefined;
}

const DIGEST_INFO: Record<HashName, number[]> = {
  MD5: [0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10],
  "SHA-1": [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14],
  "SHA-256": [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20],
  "SHA-384": [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30],
  "SHA-512": [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40],
};

/** rsa.VerifyPKCS1v15 over `data` hashed with `h`. */
export function rsaVerifyPKCS1(
  ctx: BuiltinContext,
  pub: PublicKey & { kind: "rsa" },
  h: HashName,
  data: Uint8Array,
  sig: Uint8Array,
): boolean {
  if (!usableRSAKey(pub)) return false;
  const k = Math.ceil(bitLength(pub.n) / 8);
  const t = concat(Uint8Array.from(DIGEST_INFO[h]), digest(h, data));
  if (k < t.length + 11 || sig.length !== k) return false;
  const em = rsaPublic(ctx, pub, sig, k);
  if (em === undefined) return false;
  const want = new Uint8Array(k).fill(0xff);
  want[0] = 0;
  want[1] = 1;
  want[k - t.length - 1] = 0;
  want.set(t, k - t.length);
  return bytesEqual(em, want);
}

function mgf1(h: HashName, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let off = 0;
  for (let counter = 0; off < len; counter++) {
    const c = Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
    const block = digest(h, concat(seed, c));
    out.set(block.subarray(0, Math.min(block.length, len - off)), off);
    off += block.length;
  }
  return out;
}

/**
 * rsa.VerifyPSS over `data` hashed with `h`. `saltLength` "auto" detects the
 * salt as Go does for nil options (OPA's io.jwt.verify_ps*).
 */
export function rsaVerifyPSS(
  ctx: BuiltinContext,
  pub: PublicKey & { kind: "rsa" },
  h: HashName,
  data: Uint8Array,
  sig: Uint8Array,
  saltLength: number | "auto",
): boolean {
  if (!usableRSAKey(pub)) return false;
  const nBits = bitLength(pub.n);
  if (sig.length !== Math.ceil(nBits / 8)) return false;
  const emBits = nBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = rsaPublic(ctx, pub, sig, emLen);
  if (em === undefined) return false;
  const mHash = digest(h, data);
  const hLen = mHash.length;
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDB = em.subarray(0, emLen - hLen - 1);
  const hh = em.subarray(emLen - hLen - 1, emLen - 1);
  const bitMask = 0xff >> (8 * emLen - emBits);
  if (((em[0] as number) & ~bitMask) !== 0) return false;
  const db = mgf1(h, hh, emLen - hLen - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (maskedDB[i] as number);
  db[0] = (db[0] as number) & bitMask;
  let psLen: number;
  if (saltLength === "auto") {
    psLen = db.indexOf(0x01);
    if (psLen < 0) return false;
  } else {
    psLen = emLen - hLen - saltLength - 2;
    if (psLen < 0) return false;
  }
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(psLen + 1);
  const prime = digest(h, concat(new Uint8Array(8), mHash, salt));
  return bytesEqual(prime, hh);
}

// --- ECDSA and Ed25519 verification (WebCrypto) ---

/**
 * ecdsa.Verify with (r, s) given as big-endian integers. WebCrypto takes
 * the fixed-width r||s form, so both are padded to the curve size; values
 * that do not fit cannot be valid signatures.
 */
export function ecdsaVerify(
  ctx: BuiltinContext,
  pub: PublicKey & { kind: "ec" },
  h: HashName,
  data: Uint8Array,
  r: Uint8Array,
  s: Uint8Array,
): boolean {
  if (pub.curve === "P-224" || h === "MD5") return false;
  ctx.charge(SIGNATURE_CHECK_COST);
  const size = curveSize(pub.curve);
  const rn = bytesToBigInt(r);
  const sn = bytesToBigInt(s);
  if (rn === 0n || sn === 0n) return false;
  const rb = bigIntToBytes(rn, size);
  const sb = bigIntToBytes(sn, size);
  if (rb.length !== size || sb.length !== size) return false;
  const point = concat(Uint8Array.of(4), bigIntToBytes(pub.x, size), bigIntToBytes(pub.y, size));
  if (point.length !== 1 + 2 * size) return false;
  const signature = concat(rb, sb);
  const key = `pki.ecdsa-verify:${digestKey(pub.curve, h, point, data, signature)}`;
  return ctx.awaitAsync(key, curveOperationCost(pub.curve, "verify"), async () => {
    try {
      const k = await crypto.subtle.importKey("raw", buf(point), { name: "ECDSA", namedCurve: pub.curve }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "ECDSA", hash: h }, k, buf(signature), buf(data));
    } catch {
      return false;
    }
  });
}

/** ECDSA signature in ASN.1 (certificates, CSRs): SEQUENCE { r INTEGER, s INTEGER }. */
export function splitASN1Signature(sig: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  // Parsed by hand to stay free of the DER module's error types: two INTEGERs in a SEQUENCE.
  const read = (off: number): [number, number, number] | undefined => {
    if (off + 2 > sig.length) return undefined;
    const tag = sig[off] as number;
    let len = sig[off + 1] as number;
    let head = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n < 1 || n > 2 || off + 2 + n > sig.length) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + (sig[off + 2 + i] as number);
      head += n;
    }
    if (off + head + len > sig.length) return undefined;
    return [tag, off + head, len];
  };
  const seq = read(0);
  if (seq?.[0] !== 0x30 || seq[1] + seq[2] !== sig.length) return undefined;
  const r = read(seq[1]);
  if (r?.[0] !== 0x02 || r[2] === 0) return undefined;
  const s = read(r[1] + r[2]);
  if (s?.[0] !== 0x02 || s[2] === 0 || s[1] + s[2] !== sig.length) return undefined;
  // Negative integers are never valid (r, s).
  if ((sig[r[1]] as number) & 0x80 || (sig[s[1]] as number) & 0x80) return undefined;
  return [sig.subarray(r[1], r[1] + r[2]), sig.subarray(s[1], s[1] + s[2])];
}

export function ed25519Verify(ctx: BuiltinContext, pub: PublicKey & { kind: "ed25519" }, data: Uint8Array, sig: Uint8Array): boolean {
  if (pub.raw.length !== 32 || sig.length !== 64) return false;
  ctx.charge(SIGNATURE_CHECK_COST);
  const key = `pki.ed25519-verify:${digestKey(pub.raw, data, sig)}`;
  return ctx.awaitAsync(key, curveOperationCost("Ed25519", "verify"), async () => {
    try {
      const k = await crypto.subtle.importKey("raw", buf(pub.raw), { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, k, buf(sig), buf(data));
    } catch {
      return false;
    }
  });
}

// --- signing (WebCrypto) ---

export type SignScheme = "RSASSA-PKCS1-v1_5" | "RSA-PSS" | "ECDSA" | "Ed25519";

/**
 * Signs `data`. ECDSA signatures come back in the fixed-width r||s form JWS
 * uses; RSA-PSS uses a salt as long as the hash, as jwx does. Returns an
 * error message (free of key material) when WebCrypto refuses the key.
 */
export function sign(
  ctx: BuiltinContext,
  scheme: SignScheme,
  h: HashName,
  key: PrivateKey,
  data: Uint8Array,
): { signature: Uint8Array } | { error: string } {
  ctx.charge(SIGNATURE_CHECK_COST + (key.kind === "rsa" ? rsaPrivateKeyHandlingCost(bitLength(key.n)) : 0));
  const memo = `pki.sign:${scheme}:${h}:${digestKey(keyIdentity(key), data)}`;
  const result = ctx.awaitAsync(memo, signCost(key), async () => {
    try {
      // Built only when the work starts: an RSA key's CRT parameters cost a modular inverse (within signCost).
      const material = keyMaterial(key);
      const algorithm =
        scheme === "ECDSA"
          ? { name: "ECDSA", namedCurve: key.kind === "ec" ? key.curve : "" }
          : scheme === "Ed25519"
            ? { name: "Ed25519" }
            : { name: scheme, hash: h };
      const k =
        material.format === "jwk"
          ? await crypto.subtle.importKey("jwk", material.jwk, algorithm, false, ["sign"])
          : await crypto.subtle.importKey("pkcs8", buf(material.der), algorithm, false, ["sign"]);
      const params =
        scheme === "RSA-PSS"
          ? { name: scheme, saltLength: hashSize(h) }
          : scheme === "ECDSA"
            ? { name: scheme, hash: h }
            : { name: scheme };
      return { signature: new Uint8Array(await crypto.subtle.sign(params, k, buf(data))) };
    } catch {
      return { error: "failed to sign payload: invalid key" };
    }
  });
  return result;
}

type Material = { format: "jwk"; jwk: JsonWebKey } | { format: "pkcs8"; der: Uint8Array };

function keyMaterial(key: PrivateKey): Material {
  if (key.kind === "rsa") {
    const b = (n: bigint) => encodeRawURL(bigIntToBytes(n));
    const { dp, dq, qi } = rsaCRT(key);
    return {
      format: "jwk",
      jwk: { kty: "RSA", n: b(key.n), e: b(key.e), d: b(key.d), p: b(key.p), q: b(key.q), dp: b(dp), dq: b(dq), qi: b(qi) },
    };
  }
  return { format: "pkcs8", der: privateKeyPKCS8(key) };
}

/** What identifies a private key for the memo: an RSA key's CRT parameters follow from these. */
function keyIdentity(key: PrivateKey): string {
  if (key.kind === "rsa") return [key.n, key.e, key.d, key.p, key.q].map((n) => n.toString(16)).join(":");
  return encodeRawURL(privateKeyPKCS8(key));
}

function signCost(key: PrivateKey): number {
  if (key.kind === "rsa") return rsaPrivateCost(bitLength(key.n));
  return curveOperationCost(key.kind === "ec" ? key.curve : "Ed25519", "sign");
}
