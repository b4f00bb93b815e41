/**
 * JSON Web Keys (RFC 7517), single keys and key sets, read as the jwx
 * library OPA uses reads them: the key type decides the required members,
 * members are base64url (leniently), and anything malformed fails the parse.
 */
import { RObject, parseJSON, type Value } from "../../value/index.js";
import { decodeRawStd, decodeRawURL, decodeStd, decodeURLPadded } from "../../goruntime/base64.js";
import { bytesToBigInt } from "./bytes.js";
import { curveFromName, type PrivateKey, type PublicKey } from "./keys.js";

export type JwkMaterial =
  | { kind: "public"; key: PublicKey }
  | { kind: "private"; key: PrivateKey }
  | { kind: "secret"; secret: Uint8Array };

export interface Jwk {
  /** The "alg" member, or "" when absent. */
  alg: string;
  /** The "kid" member, or "" when absent. */
  kid: string;
  material: JwkMaterial;
}

export class JwkError extends Error {}

function member(o: RObject, name: string): string | undefined {
  const v = o.getString(name);
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new JwkError(`invalid value for ${name} field`);
  return v;
}

function required(o: RObject, name: string): string {
  const v = member(o, name);
  if (v === undefined) throw new JwkError(`required field ${name} is missing`);
  return v;
}

/**
 * The lenient decoding JOSE libraries apply to JWK members: the alphabet and
 * padding are inferred from the text.
 */
function decodeJose(s: string): Uint8Array {
  const raw = !s.endsWith("=");
  const url = !/[+/]/.test(s);
  if (url) return raw ? decodeRawURL(s) : decodeURLPadded(s);
  return raw ? decodeRawStd(s) : decodeStd(s);
}

function bytesOf(o: RObject, name: string, need: true): Uint8Array;
function bytesOf(o: RObject, name: string, need: false): Uint8Array | undefined;
function bytesOf(o: RObject, name: string, need: boolean): Uint8Array | undefined {
  const s = need ? required(o, name) : member(o, name);
  if (s === undefined) return undefined;
  try {
    return decodeJose(s);
  } catch {
    throw new JwkError(`failed to decode ${name} field`);
  }
}

function intOf(o: RObject, name: string, need: true): bigint;
function intOf(o: RObject, name: string, need: false): bigint | undefined;
function intOf(o: RObject, name: string, need: boolean): bigint | undefined {
  const b = need ? bytesOf(o, name, true) : bytesOf(o, name, false);
  return b === undefined ? undefined : bytesToBigInt(b);
}

function parseKey(v: Value): Jwk {
  if (!(v instanceof RObject)) throw new JwkError("invalid key: expected a JSON object");
  const kty = member(v, "kty");
  if (kty === undefined) throw new JwkError("invalid key: missing kty");
  const alg = member(v, "alg") ?? "";
  const kid = member(v, "kid") ?? "";
  return { alg, kid, material: parseMaterial(kty, v) };
}

function parseMaterial(kty: string, o: RObject): JwkMaterial {
  switch (kty) {
    case "RSA": {
      const n = intOf(o, "n", true);
      const e = intOf(o, "e", true);
      const d = intOf(o, "d", false);
      if (d === undefined) return { kind: "public", key: { kind: "rsa", n, e } };
      const p = intOf(o, "p", false) ?? 0n;
      const q = intOf(o, "q", false) ?? 0n;
      return { kind: "private", key: { kind: "rsa", n, e, d, p, q } };
    }
    case "EC": {
      const crvName = required(o, "crv");
      const curve = curveFromName(crvName);
      if (curve === undefined || curve === "P-224") throw new JwkError(`invalid curve algorithm ${crvName}`);
      const x = intOf(o, "x", true);
      const y = intOf(o, "y", true);
      const d = intOf(o, "d", false);
      if (d === undefined) return { kind: "public", key: { kind: "ec", curve, x, y } };
      return { kind: "private", key: { kind: "ec", curve, d, x, y } };
    }
    case "OKP": {
      const crv = required(o, "crv");
      const x = bytesOf(o, "x", true);
      const d = bytesOf(o, "d", false);
      if (crv === "X25519") return { kind: "public", key: { kind: "other" } };
      if (crv !== "Ed25519") throw new JwkError(`invalid curve algorithm ${crv}`);
      if (d === undefined) return { kind: "public", key: { kind: "ed25519", raw: x } };
      if (d.length !== 32) throw new JwkError("invalid Ed25519 private key size");
      return { kind: "private", key: { kind: "ed25519", seed: d, pub: x } };
    }
    case "oct":
      return { kind: "secret", secret: bytesOf(o, "k", true) };
    default:
      throw new JwkError(`invalid key type from JSON (${kty})`);
  }
}

/** A JWK or a JWK set (an object with "keys"); throws JwkError. */
export function parseJwks(text: string): Jwk[] {
  let v: Value;
  try {
    v = parseJSON(text);
  } catch (err) {
    throw new JwkError(`failed to unmarshal JSON: ${(err as Error).message}`);
  }
  if (v instanceof RObject && v.has("keys")) {
    const keys = v.getString("keys");
    if (!Array.isArray(keys)) throw new JwkError("invalid keys: expected an array");
    return keys.map(parseKey);
  }
  return [parseKey(v)];
}
