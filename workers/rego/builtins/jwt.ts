/**
 * io.jwt.* built-ins: decoding, signature verification, full validation
 * (decode_verify) and signing, following OPA's topdown/tokens.go including
 * the order in which it checks things and the errors it reports.
 *
 * Signatures: HMAC and RSA verification run synchronously; ECDSA, Ed25519
 * and all asymmetric signing go through WebCrypto via ctx.awaitAsync.
 */
import { RObject, compareNumbers, parseJSON, toJSONText, type Value } from "../value/index.js";
import { builtinError, object, operandError, str } from "./args.js";
import { encodeRawURL } from "../goruntime/base64.js";
import { base64urlDecode } from "./encoding.js";
import { encodeHex } from "../goruntime/hex.js";
import { constantTimeEqual, fromUtf8, utf8 } from "./pki/bytes.js";
import { parseCertificate } from "./pki/certificate.js";
import { withBuiltinErrors } from "./pki/errors.js";
import { parseJwks, type Jwk, type JwkMaterial } from "./pki/jwk.js";
import { curveSize, parsePKIXPublicKey, publicOf, type PrivateKey, type PublicKey } from "./pki/keys.js";
import { pemDecode } from "./pki/pem.js";
import {
  ecdsaVerify,
  ed25519Verify,
  hashSize,
  hmacDigest,
  rsaVerifyPKCS1,
  rsaVerifyPSS,
  sign,
  type HashName,
  type SignScheme,
} from "./pki/signature.js";
import type { BuiltinContext, BuiltinFn, BuiltinTable } from "./types.js";

// --- token structure ---

interface Token {
  header: string;
  payload: string;
  signature: string;
}

/** decodeJWT: three dot-separated segments. */
function splitToken(v: Value | undefined): Token {
  if (typeof v !== "string") throw operandError(1, v as Value, "string");
  if (!v.includes(".")) throw builtinError("encoded JWT had no period separators");
  const parts = v.split(".");
  if (parts.length !== 3) throw builtinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0] as string, payload: parts[1] as string, signature: parts[2] as string };
}

function b64url(segment: string): Uint8Array {
  return withBuiltinErrors(() => base64urlDecode(segment));
}

function b64urlPrefixed(segment: string, prefix: string): Uint8Array {
  try {
    return base64urlDecode(segment);
  } catch (err) {
    throw builtinError(`${prefix}: ${(err as Error).message}`);
  }
}

/** extractJSONObject: JSON text that must be an object (last duplicate key wins). */
function jsonObject(text: string, prefix = ""): RObject {
  let v: Value;
  try {
    v = parseJSON(text);
  } catch (err) {
    throw builtinError(`${prefix}invalid JSON: ${(err as Error).message}`);
  }
  if (!(v instanceof RObject)) throw builtinError(`${prefix}decoded JSON type was not an Object`);
  return v;
}

function decodeHeader(t: Token): RObject {
  const text = fromUtf8(b64urlPrefixed(t.header, "JWT header had invalid encoding"));
  const header = jsonObject(text, "bad JWT header: ");
  if (header.has("enc")) throw builtinError("JWT is a JWE object, which is not supported");
  return header;
}

function decodeSignature(t: Token): Uint8Array {
  return b64url(t.signature);
}

/** The registered header parameters OPA looks at. */
interface Header {
  alg: string;
  kid: string;
  cty: string;
  crit: Set<string> | undefined;
  unknown: string[];
}

function parseHeader(h: RObject): Header {
  const out: Header = { alg: "", kid: "", cty: "", crit: undefined, unknown: [] };
  for (const [k, v] of h.entries()) {
    const name = k as string;
    switch (name) {
      case "alg":
      case "kid":
      case "typ":
      case "cty":
        if (typeof v !== "string") throw builtinError(`${name}: must be a string`);
        if (name !== "typ") out[name] = v;
        break;
      case "crit": {
        if (!Array.isArray(v)) throw builtinError("crit: must be a list");
        out.crit = new Set();
        // Go stops at the first non-string member without failing.
        for (const e of v) {
          if (typeof e !== "string") break;
          out.crit.add(e);
        }
        if (out.crit.size === 0) throw builtinError("crit: must be a nonempty list");
        break;
      }
      default:
        out.unknown.push(name);
    }
  }
  return out;
}

/** RFC 7515: alg is required, and every critical parameter must be understood. */
function headerValid(h: Header): boolean {
  if (h.alg === "") return false;
  return !h.unknown.some((u) => h.crit?.has(u));
}

// --- keys for verification ---

type VerificationKey = { alg: string; kid: string; material: JwkMaterial };

/**
 * getKeysFromCertOrJWK: a PEM certificate or public key (nothing may follow
 * the block), or else a JWK or JWK set.
 */
function keysFromCertOrJWK(text: string): VerificationKey[] {
  const [block, rest] = pemDecode(text);
  if (block !== undefined) {
    if (rest.length > 0) throw builtinError("extra data after a PEM certificate block");
    if (block.type === "CERTIFICATE") {
      let cert: ReturnType<typeof parseCertificate>;
      try {
        cert = parseCertificate(block.bytes);
      } catch (err) {
        throw builtinError(`failed to parse a PEM certificate: ${(err as Error).message}`);
      }
      return [{ alg: "", kid: "", material: { kind: "public", key: cert.publicKey ?? { kind: "other" } } }];
    }
    if (block.type === "PUBLIC KEY") {
      let key: ReturnType<typeof parsePKIXPublicKey>;
      try {
        key = parsePKIXPublicKey(block.bytes);
      } catch (err) {
        throw builtinError(`failed to parse a PEM public key: ${(err as Error).message}`);
      }
      return [{ alg: "", kid: "", material: { kind: "public", key } }];
    }
    throw builtinError("failed to extract a Key from the PEM certificate");
  }
  let jwks: Jwk[];
  try {
    jwks = parseJwks(text);
  } catch (err) {
    throw builtinError(`failed to parse a JWK key (set): ${(err as Error).message}`);
  }
  // Keys naming an algorithm OPA does not know are skipped.
  return jwks.filter((k) => k.alg === "" || ALGORITHMS[k.alg] !== undefined);
}

// --- algorithms ---

type Family = "HS" | "RS" | "PS" | "ES" | "EdDSA";

const ALGORITHMS: Record<string, { family: Family; hash: HashName }> = {
  HS256: { family: "HS", hash: "SHA-256" },
  HS384: { family: "HS", hash: "SHA-384" },
  HS512: { family: "HS", hash: "SHA-512" },
  RS256: { family: "RS", hash: "SHA-256" },
  RS384: { family: "RS", hash: "SHA-384" },
  RS512: { family: "RS", hash: "SHA-512" },
  PS256: { family: "PS", hash: "SHA-256" },
  PS384: { family: "PS", hash: "SHA-384" },
  PS512: { family: "PS", hash: "SHA-512" },
  ES256: { family: "ES", hash: "SHA-256" },
  ES384: { family: "ES", hash: "SHA-384" },
  ES512: { family: "ES", hash: "SHA-512" },
  EdDSA: { family: "EdDSA", hash: "SHA-512" },
};
Object.setPrototypeOf(ALGORITHMS, null);

/**
 * One verification attempt with an already parsed key. `lenient` is the jwx
 * behaviour (decode_verify): private keys verify with their public half and
 * ECDSA signatures must be exactly twice the curve size; OPA's own
 * verify_* functions accept public keys only and split the signature in half.
 */
function verifyWith(
  ctx: BuiltinContext,
  family: Family,
  hash: HashName,
  material: JwkMaterial,
  data: Uint8Array,
  sig: Uint8Array,
  lenient: boolean,
): boolean {
  if (family === "HS") {
    if (material.kind !== "secret") return false;
    return constantTimeEqual(hmacDigest(hash, material.secret, data), sig);
  }
  let pub: PublicKey;
  if (material.kind === "public") pub = material.key;
  else if (material.kind === "private" && lenient) pub = publicOf(material.key);
  else return false;
  switch (family) {
    case "RS":
      return pub.kind === "rsa" && rsaVerifyPKCS1(ctx, pub, hash, data, sig);
    case "PS":
      return pub.kind === "rsa" && rsaVerifyPSS(ctx, pub, hash, data, sig, lenient ? hashSize(hash) : "auto");
    case "ES": {
      if (pub.kind !== "ec") return false;
      let half = Math.floor(sig.length / 2);
      if (lenient) {
        half = curveSize(pub.curve);
        if (sig.length !== 2 * half) return false;
      }
      return ecdsaVerify(ctx, pub, hash, data, sig.subarray(0, half), sig.subarray(half));
    }
    case "EdDSA":
      return pub.kind === "ed25519" && ed25519Verify(ctx, pub, data, sig);
  }
}

/**
 * Tries the keys as OPA does: a key whose kid matches the header's decides
 * alone; otherwise any key without an alg, or with the header's alg, may
 * verify the token.
 */
function verifyWithKeys(
  ctx: BuiltinContext,
  keys: VerificationKey[],
  header: Header,
  family: Family,
  hash: HashName,
  data: Uint8Array,
  sig: Uint8Array,
  lenient: boolean,
): boolean {
  if (header.kid !== "") {
    const byKid = keys.find((k) => k.kid === header.kid);
    if (byKid !== undefined) return verifyWith(ctx, family, hash, byKid.material, data, sig, lenient);
  }
  for (const key of keys) {
    if (key.alg !== "" && key.alg !== header.alg) continue;
    if (verifyWith(ctx, family, hash, key.material, data, sig, lenient)) return true;
  }
  return false;
}

// --- io.jwt.decode ---

function decode(args: Value[]): Value {
  const t = splitToken(args[0]);
  const header = decodeHeader(t);
  let payloadText = fromUtf8(b64urlPrefixed(t.payload, "JWT payload had invalid encoding"));
  const cty = header.getString("cty");
  if (cty === "JWT") {
    // A nested token arrives quoted, as jwt.io produces it.
    payloadText = payloadText.replace(/^["']+|["']+$/g, "");
    return decode([payloadText]);
  }
  const payload = jsonObject(payloadText);
  const sig = b64urlPrefixed(t.signature, "JWT signature had invalid encoding");
  return [header, payload, encodeHex(sig)];
}

// --- io.jwt.verify_* ---

function verifyAsymmetric(family: Family, hash: HashName): BuiltinFn {
  return (args, ctx) => {
    const t = splitToken(args[0]);
    const keyText = str(args, 1);
    const keys = keysFromCertOrJWK(keyText);
    const sig = decodeSignature(t);
    const header = parseHeader(decodeHeader(t));
    const data = utf8(t.header + "." + t.payload);
    return verifyWithKeys(ctx, keys, header, family, hash, data, sig, false);
  };
}

function verifyHMAC(hash: HashName): BuiltinFn {
  return (args) => {
    str(args, 0);
    const secret = str(args, 1);
    const t = splitToken(args[0]);
    const mac = hmacDigest(hash, utf8(secret), utf8(t.header + "." + t.payload));
    const sig = decodeSignature(t);
    return constantTimeEqual(sig, mac);
  };
}

// --- io.jwt.decode_verify ---

interface Constraints {
  keys: VerificationKey[] | undefined;
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  /** Nanoseconds, as a float64 the way OPA holds it. */
  time: number;
}

function timeFrom(v: Value): number {
  if (typeof v !== "number" && typeof v !== "bigint") throw builtinError("token time constraint: must be a number");
  const t = Number(v);
  if (t < 0) throw builtinError("token time constraint: must not be negative");
  return t;
}

function parseConstraints(o: RObject, nowNs: bigint): Constraints {
  const c: Constraints = { keys: undefined, secret: "", alg: "", iss: "", aud: "", time: -1 };
  const stringConstraint = (name: string, v: Value): string => {
    if (typeof v !== "string") throw builtinError(`${name} constraint: must be a string`);
    return v;
  };
  for (const [k, v] of o.entries()) {
    switch (k) {
      case "cert":
        if (typeof v !== "string") throw builtinError("cert constraint: must be a string");
        c.keys = keysFromCertOrJWK(v);
        break;
      case "secret":
        c.secret = stringConstraint("secret", v);
        break;
      case "alg":
        c.alg = stringConstraint("alg", v);
        break;
      case "iss":
        c.iss = stringConstraint("iss", v);
        break;
      case "aud":
        c.aud = stringConstraint("aud", v);
        break;
      case "time":
        c.time = timeFrom(v);
        break;
      default:
        throw builtinError(`unknown token validation constraint: ${typeof k === "string" ? k : toJSONText(k)}`);
    }
  }
  if (c.time === -1) c.time = timeFrom(Number(nowNs));
  const keyConstraints = (c.keys !== undefined ? 1 : 0) + (c.secret !== "" ? 1 : 0);
  if (keyConstraints > 1) throw builtinError("duplicate key constraints");
  if (keyConstraints < 1) throw builtinError("no key constraint");
  return c;
}

function validAudience(aud: Value, want: string): boolean {
  if (typeof aud === "string") return aud === want;
  return Array.isArray(aud) && aud.some((e) => e === want);
}

const unverified = (): Value => [false, new RObject(), new RObject()];

function decodeVerify(args: Value[], ctx: BuiltinContext): Value {
  const constraintsObj = object(args, 1);
  const c = parseConstraints(constraintsObj, ctx.nowNs);
  let tokenValue: Value = args[0] as Value;
  let t: Token;
  let headerObj: RObject;
  let payloadText: string;
  for (;;) {
    t = splitToken(tokenValue);
    headerObj = decodeHeader(t);
    const header = parseHeader(headerObj);
    if (!headerValid(header)) return unverified();
    if (c.alg !== "" && c.alg !== header.alg) return unverified();
    const sig = decodeSignature(t);
    const data = utf8(t.header + "." + t.payload);
    const spec = ALGORITHMS[header.alg];
    let ok = false;
    if (spec !== undefined) {
      if (c.keys !== undefined) {
        ok = verifyWithKeys(ctx, c.keys, header, spec.family, spec.hash, data, sig, true);
      } else if (c.secret !== "") {
        ok = verifyWith(ctx, spec.family, spec.hash, { kind: "secret", secret: utf8(c.secret) }, data, sig, true);
      }
    }
    if (!ok) return unverified();
    payloadText = fromUtf8(b64urlPrefixed(t.payload, "JWT payload had invalid encoding"));
    if (header.cty.toUpperCase() === "JWT") {
      tokenValue = payloadText;
      continue;
    }
    break;
  }
  const payload = jsonObject(payloadText);

  if (c.iss !== "") {
    if (payload.getString("iss") !== c.iss) return unverified();
  }
  const aud = payload.getString("aud");
  if (aud !== undefined) {
    if (!validAudience(aud, c.aud)) return unverified();
  } else if (c.aud !== "") {
    return unverified();
  }
  // Times compare in seconds; exp must be in the future, nbf not.
  const nowSeconds = c.time / 1e9;
  const exp = payload.getString("exp");
  if (exp !== undefined) {
    if (typeof exp !== "number" && typeof exp !== "bigint") throw builtinError("exp value must be a number");
    if (compareNumbers(nowSeconds, exp) !== -1) return unverified();
  }
  const nbf = payload.getString("nbf");
  if (nbf !== undefined) {
    if (typeof nbf !== "number" && typeof nbf !== "bigint") throw builtinError("nbf value must be a number");
    if (compareNumbers(nowSeconds, nbf) === -1) return unverified();
  }
  return [true, headerObj, payload];
}

// --- io.jwt.encode_sign / encode_sign_raw ---

/**
 * The header as the jwx library reads it for signing (a fastjson parse):
 * text that starts like a number parses as one (so it has no members), and
 * other malformed JSON is "cannot parse JSON".
 */
function headerString(headerText: string, name: string): string | { error: string } {
  const text = headerText.replace(/^[ \t\r\n]+/, "");
  if (text === "") return { error: `cannot parse JSON: cannot parse empty string; unparsed tail: ""` };
  if (!/^[{["tfn]/.test(text)) {
    if (/^[-+0-9.eE]/.test(text) || /^[-+]?(inf|nan)/i.test(text)) return { error: `jwsbb: header "${name}" not found` };
    return { error: `cannot parse JSON: unexpected value found: ${JSON.stringify(text.slice(0, 1))}` };
  }
  let v: Value;
  try {
    v = parseJSON(headerText);
  } catch (err) {
    return { error: `cannot parse JSON: ${(err as Error).message}` };
  }
  const m = v instanceof RObject ? v.getString(name) : undefined;
  if (m === undefined) return { error: `jwsbb: header "${name}" not found` };
  if (typeof m !== "string") {
    // fastjson's names for value types; booleans are named by their value.
    const kind =
      m === null ? "null" : typeof m === "boolean" ? String(m) : Array.isArray(m) ? "array" : m instanceof RObject ? "object" : "number";
    return { error: `value doesn't contain string; it contains ${kind}` };
  }
  return m;
}

function isJSON(text: string): boolean {
  try {
    parseJSON(text);
    return true;
  } catch {
    return false;
  }
}

const SIGN_SCHEMES: Record<Exclude<Family, "HS">, { scheme: SignScheme; key: PrivateKey["kind"] }> = {
  RS: { scheme: "RSASSA-PKCS1-v1_5", key: "rsa" },
  PS: { scheme: "RSA-PSS", key: "rsa" },
  ES: { scheme: "ECDSA", key: "ec" },
  EdDSA: { scheme: "Ed25519", key: "ed25519" },
};

function encodeSign(ctx: BuiltinContext, headerText: string, payloadText: string, jwkText: string): Value {
  let keys: Jwk[];
  try {
    keys = parseJwks(jwkText);
  } catch (err) {
    throw builtinError(`failed to parse JWK: ${(err as Error).message}`);
  }
  const key = keys[0];
  if (key === undefined) throw builtinError("no keys found in JWK set");
  const alg = headerString(headerText, "alg");
  if (typeof alg !== "string") throw builtinError(`missing or invalid 'alg' header: ${alg.error}`);
  const spec = ALGORITHMS[alg];
  if (spec === undefined) throw builtinError(`unknown JWS algorithm: ${alg}`);
  const typ = headerString(headerText, "typ");
  if ((typeof typ !== "string" || typ === "JWT") && !isJSON(payloadText)) throw builtinError("type is JWT but payload is not JSON");

  const signingInput = encodeRawURL(utf8(headerText)) + "." + encodeRawURL(utf8(payloadText));
  const data = utf8(signingInput);
  let signature: Uint8Array;
  if (spec.family === "HS") {
    if (key.material.kind !== "secret") throw builtinError(`failed to sign payload: invalid key type for ${alg}: []byte is required`);
    signature = hmacDigest(spec.hash, key.material.secret, data);
  } else {
    const { scheme, key: want } = SIGN_SCHEMES[spec.family];
    if (key.material.kind !== "private" || key.material.key.kind !== want) {
      throw builtinError(`failed to sign payload: invalid key type for ${alg}`);
    }
    if (key.material.key.kind === "rsa" && (key.material.key.p === 0n || key.material.key.q === 0n)) {
      throw builtinError(`failed to sign payload: RSA key is missing its primes`);
    }
    const result = sign(ctx, scheme, spec.hash, key.material.key, data);
    if ("error" in result) throw builtinError(result.error);
    signature = result.signature;
  }
  return signingInput + "." + encodeRawURL(signature);
}

/** Go's json.Marshal of a Rego value: sorted keys, sets as arrays, HTML-safe escapes. */
function marshal(v: Value, what: string): string {
  try {
    return toJSONText(v);
  } catch (err) {
    throw builtinError(`failed to prepare JWT ${what} for marshalling: ${(err as Error).message}`);
  }
}

// --- registration ---

export const jwtBuiltins: BuiltinTable = {
  "io.jwt.decode": (args) => decode(args),
  "io.jwt.decode_verify": decodeVerify,
  "io.jwt.encode_sign": (args, ctx) =>
    encodeSign(ctx, marshal(args[0] as Value, "headers"), marshal(args[1] as Value, "payload"), marshal(args[2] as Value, "signature")),
  "io.jwt.encode_sign_raw": (args, ctx) => {
    const jwk = str(args, 2);
    const headers = str(args, 0);
    const payload = str(args, 1);
    return encodeSign(ctx, headers, payload, jwk);
  },
  "io.jwt.verify_hs256": verifyHMAC("SHA-256"),
  "io.jwt.verify_hs384": verifyHMAC("SHA-384"),
  "io.jwt.verify_hs512": verifyHMAC("SHA-512"),
  "io.jwt.verify_rs256": verifyAsymmetric("RS", "SHA-256"),
  "io.jwt.verify_rs384": verifyAsymmetric("RS", "SHA-384"),
  "io.jwt.verify_rs512": verifyAsymmetric("RS", "SHA-512"),
  "io.jwt.verify_ps256": verifyAsymmetric("PS", "SHA-256"),
  "io.jwt.verify_ps384": verifyAsymmetric("PS", "SHA-384"),
  "io.jwt.verify_ps512": verifyAsymmetric("PS", "SHA-512"),
  "io.jwt.verify_es256": verifyAsymmetric("ES", "SHA-256"),
  "io.jwt.verify_es384": verifyAsymmetric("ES", "SHA-384"),
  "io.jwt.verify_es512": verifyAsymmetric("ES", "SHA-512"),
  "io.jwt.verify_eddsa": verifyAsymmetric("EdDSA", "SHA-512"),
};
