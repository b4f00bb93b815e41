/**
 * IDs are a type prefix and a short random lowercase id (docs/architecture.md §3), e.g.
 * `pol-k3v9x0q2mz7a`. 36^12 ≈ 4.7e18 values: collisions are negligible for
 * admin objects; request ids and audit events (`evt-`), minted per STS
 * request, get a longer suffix. `iss-` names a zone's trusted issuer, `bsk-` a bundle-signing key.
 */
export type IdPrefix = "zn" | "pol" | "pv" | "ps" | "psv" | "cl" | "req" | "iss" | "evt" | "bsk";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function newId(prefix: IdPrefix, length = prefix === "req" || prefix === "evt" ? 16 : 12): string {
  // 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps the draw uniform.
  let suffix = "";
  while (suffix.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 252 && suffix.length < length) suffix += ALPHABET[byte % 36];
    }
  }
  return `${prefix}-${suffix}`;
}
