/** Hashing, comparison and encoding helpers on WebCrypto (the same in workerd and Node 20). */

const encoder = new TextEncoder();

/** SHA-256 of bytes, or of a string's UTF-8. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return toHex(await sha256(data));
}

/** Equal-length byte strings compared without an early exit (a length mismatch is not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Compares two secrets in time independent of where they differ: both are
 * hashed first so the loop always runs over 32 bytes, whatever their lengths.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return constantTimeEqual(a, b);
}

/** Compares a secret with a stored hex SHA-256 of the expected secret, in constant time. */
export async function secretMatchesDigest(given: string, expectedSha256Hex: string): Promise<boolean> {
  return constantTimeEqual(encoder.encode(await sha256Hex(given)), encoder.encode(expectedSha256Hex));
}

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** Standard, padded base64 (built in slices: a spread of a large array would overflow the call stack). */
export function base64Encode(bytes: Uint8Array): string {
  let binary = "";
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

export function base64UrlEncode(bytes: Uint8Array): string {
  return base64Encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64 or base64url, padded or not; throws on anything else. */
export function base64Decode(text: string): Uint8Array {
  const standard = text.trim().replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
