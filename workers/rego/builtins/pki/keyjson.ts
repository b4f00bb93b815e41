/**
 * Keys as OPA returns them: Go's encoding/json of the crypto key types
 * (crypto.parse_private_keys, certificate public keys) and the JWK form
 * (crypto.x509.parse_rsa_private_key).
 */
import { RObject, type Value, normalizeInt } from "../../value/index.js";
import { encodeRawURL, encodeStd } from "../../goruntime/base64.js";
import { bigIntToBytes, concat } from "./bytes.js";
import type { BuiltinContext } from "../types.js";
import { bitLength, rsaCRTCost } from "../costs.js";
import { KeyError, curveSize, rsaCRT, type PrivateKey, type PublicKey } from "./keys.js";

const bigValue = (n: bigint): Value => normalizeInt(n);

/** rsaCRT, charged first: Go sets no upper bound on an RSA key's size. */
function chargedCRT(ctx: BuiltinContext, key: PrivateKey & { kind: "rsa" }): ReturnType<typeof rsaCRT> {
  ctx.charge(rsaCRTCost(Math.max(bitLength(key.p), bitLength(key.q))));
  return rsaCRT(key);
}

/** encoding/json of *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey. */
export function publicKeyGoJSON(key: PublicKey | undefined): Value {
  if (key === undefined) return null;
  switch (key.kind) {
    case "rsa":
      return RObject.fromRecord({ N: bigValue(key.n), E: bigValue(key.e) });
    case "ec":
      // elliptic.Curve values have no exported fields.
      return RObject.fromRecord({ Curve: new RObject(), X: bigValue(key.x), Y: bigValue(key.y) });
    case "ed25519":
      return encodeStd(key.raw);
    case "other":
      return null;
  }
}

/** encoding/json of *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey. */
export function privateKeyGoJSON(ctx: BuiltinContext, key: PrivateKey): Value {
  switch (key.kind) {
    case "rsa": {
      const { dp, dq, qi } = chargedCRT(ctx, key);
      return RObject.fromRecord({
        N: bigValue(key.n),
        E: bigValue(key.e),
        D: bigValue(key.d),
        Primes: [bigValue(key.p), bigValue(key.q)],
        Precomputed: RObject.fromRecord({ Dp: bigValue(dp), Dq: bigValue(dq), Qinv: bigValue(qi), CRTValues: [] }),
      });
    }
    case "ec":
      return RObject.fromRecord({ Curve: new RObject(), X: bigValue(key.x ?? 0n), Y: bigValue(key.y ?? 0n), D: bigValue(key.d) });
    case "ed25519":
      return encodeStd(concat(key.seed, key.pub ?? new Uint8Array(32)));
  }
}

/** The JWK form of a private key (OPA's crypto.x509.parse_rsa_private_key). */
export function privateKeyJWK(ctx: BuiltinContext, key: PrivateKey): Value {
  const b64 = (n: bigint, size?: number) => encodeRawURL(bigIntToBytes(n, size));
  switch (key.kind) {
    case "rsa": {
      const { dp, dq, qi } = chargedCRT(ctx, key);
      return RObject.fromRecord({
        kty: "RSA",
        n: b64(key.n),
        e: b64(key.e),
        d: b64(key.d),
        p: b64(key.p),
        q: b64(key.q),
        dp: b64(dp),
        dq: b64(dq),
        qi: b64(qi),
      });
    }
    case "ec": {
      const size = curveSize(key.curve);
      return RObject.fromRecord({
        kty: "EC",
        crv: key.curve,
        x: b64(key.x ?? 0n, size),
        y: b64(key.y ?? 0n, size),
        d: b64(key.d, size),
      });
    }
    case "ed25519":
      throw new KeyError(`invalid key type ed25519.PrivateKey`);
  }
}
