/**
 * Public keys are imported with WebCrypto when they are registered (trusted
 * issuers, private_key_jwt clients) and when a jwks_uri is refreshed, so a
 * key that could never verify anything is refused up front instead of
 * failing every exchange later. Minimum strength: RSA moduli of at least
 * 2048 bits; EC keys on P-256, P-384 or P-521 with string coordinates of the
 * curve's size and a point on the curve (WebCrypto's import checks that);
 * OKP keys on Ed25519.
 */
/** The JWS algorithms a subject, actor or client assertion may be signed with: asymmetric only. */
export const VERIFY_ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"];
const ASYMMETRIC_KEY_TYPES = ["EC", "RSA", "OKP"];
/** Private JWK members: a JWKS that carries them leaks its issuer's private key. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** Why a JWKS cannot be trusted for verification (empty when it can). */
export function publicJwksProblems(jwks: unknown): string[] {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return ["a JWKS is an object with a non-empty keys array"];
  const problems: string[] = [];
  const kids = new Set<string>();
  keys.forEach((key: Record<string, unknown>, i) => {
    const at = `keys[${i}]`;
    if (typeof key !== "object" || key === null) return void problems.push(`${at} is not an object`);
    if (!ASYMMETRIC_KEY_TYPES.includes(key.kty as string)) problems.push(`${at}: kty must be one of ${ASYMMETRIC_KEY_TYPES.join(", ")}`);
    if (PRIVATE_MEMBERS.some((m) => m in key)) problems.push(`${at} holds private or symmetric key material`);
    if (typeof key.kid !== "string" || key.kid === "") problems.push(`${at}: kid is required`);
    else if (kids.has(key.kid)) problems.push(`${at}: kid ${key.kid} is not unique`);
    else kids.add(key.kid);
    if (key.alg !== undefined && !VERIFY_ALGORITHMS.includes(key.alg as string))
      problems.push(`${at}: alg must be one of ${VERIFY_ALGORITHMS.join(", ")}`);
    if (key.use !== undefined && key.use !== "sig") problems.push(`${at}: use must be "sig"`);
  });
  return problems;
}

export const MIN_RSA_BITS = 2048;

const EC_CURVES: Record<string, { bytes: number; alg: string }> = {
  "P-256": { bytes: 32, alg: "ES256" },
  "P-384": { bytes: 48, alg: "ES384" },
  "P-521": { bytes: 66, alg: "ES512" },
};
const RSA_HASHES: Record<string, string> = {
  RS256: "SHA-256",
  RS384: "SHA-384",
  RS512: "SHA-512",
  PS256: "SHA-256",
  PS384: "SHA-384",
  PS512: "SHA-512",
};
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function base64UrlBytes(text: string): number {
  return Math.floor((text.length * 3) / 4);
}

/** Why one public JWK cannot be used to verify signatures (undefined when it can). */
export async function jwkImportProblem(key: Record<string, unknown>): Promise<string | undefined> {
  const alg = key.alg as string | undefined;
  const str = (name: string) => {
    const v = key[name];
    if (typeof v !== "string" || !BASE64URL.test(v)) throw new KeyProblem(`${name} must be a base64url string`);
    return v;
  };
  try {
    switch (key.kty) {
      case "EC": {
        const crv = key.crv as string;
        const curve = EC_CURVES[crv];
        if (!curve) return `EC keys must be on ${Object.keys(EC_CURVES).join(", ")} (crv ${JSON.stringify(key.crv)} is not supported)`;
        if (alg !== undefined && alg !== curve.alg) return `alg ${alg} does not match crv ${crv} (expected ${curve.alg})`;
        const x = str("x");
        const y = str("y");
        if (base64UrlBytes(x) !== curve.bytes || base64UrlBytes(y) !== curve.bytes) return `x and y must be ${curve.bytes} bytes on ${crv}`;
        await crypto.subtle.importKey("jwk", { kty: "EC", crv, x, y }, { name: "ECDSA", namedCurve: crv }, true, ["verify"]);
        return undefined;
      }
      case "RSA": {
        if (alg !== undefined && !(alg in RSA_HASHES)) return `alg ${alg} is not an RSA signature algorithm`;
        const n = str("n");
        const e = str("e");
        const name = alg?.startsWith("PS") ? "RSA-PSS" : "RSASSA-PKCS1-v1_5";
        const imported = await crypto.subtle.importKey(
          "jwk",
          { kty: "RSA", n, e },
          { name, hash: RSA_HASHES[alg ?? "RS256"] as string },
          true,
          ["verify"],
        );
        const bits = (imported.algorithm as { modulusLength?: number }).modulusLength ?? 0;
        if (!(bits >= MIN_RSA_BITS)) return `RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${bits})`;
        return undefined;
      }
      case "OKP": {
        if (key.crv !== "Ed25519") return `OKP keys must be Ed25519 (crv ${JSON.stringify(key.crv)} is not supported)`;
        if (alg !== undefined && alg !== "EdDSA" && alg !== "Ed25519") return `alg ${alg} does not match crv Ed25519`;
        const x = str("x");
        if (base64UrlBytes(x) !== 32) return "x must be 32 bytes on Ed25519";
        await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, { name: "Ed25519" }, true, ["verify"]);
        return undefined;
      }
      default:
        return `kty ${JSON.stringify(key.kty)} cannot be imported`;
    }
  } catch (err) {
    if (err instanceof KeyProblem) return err.message;
    return `the key does not import (${err instanceof Error ? err.message : String(err)})`;
  }
}

class KeyProblem extends Error {}

/** Every reason a JWKS cannot serve for verification: its shape, then each key's import. Empty when usable. */
export async function usableJwksProblems(jwks: unknown): Promise<string[]> {
  const shape = publicJwksProblems(jwks);
  if (shape.length > 0) return shape;
  const keys = (jwks as { keys: Record<string, unknown>[] }).keys;
  const problems: string[] = [];
  for (const [i, key] of keys.entries()) {
    const problem = await jwkImportProblem(key);
    if (problem) problems.push(`keys[${i}] (kid ${String(key.kid)}): ${problem}`);
  }
  return problems;
}
