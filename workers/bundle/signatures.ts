/**
 * Signed bundles, in OPA's format: `.signatures.json` is `{"signatures": [JWT]}`
 * with one JWT whose payload lists every file of the bundle with its hash
 * (`files: [{name, hash, algorithm}]`, optional `keyid`, `scope`). Each file
 * is hashed as OPA hashes it (./opa-hash.ts): `data.json`, `data.yaml` and the
 * manifest over a canonical encoding that keeps number literals as written,
 * so whitespace and key order do not matter; other files over their bytes.
 *
 * Whether a bundle is verified is decided by the presence of the signatures
 * file alone — never by a key id, which only selects the key (an unknown key
 * id is a refusal, never a skip: OPA's GHSA-g2pf-6v5v-qcc8). A bundle verifies
 * when the JWT verifies with that key and algorithm, its scope matches the
 * key's, and the listed files are exactly the bundle's files with those hashes.
 */
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from "jose";
import { type Bundle, SIGNATURES_FILE, strictUtf8 } from "./bundle.js";
import { toHex } from "../crypto.js";
import { BundleError } from "./errors.js";
import { normalizePath } from "./paths.js";
import { canonicalStructuredText, isStructuredDoc, UnhashableFile } from "./opa-hash.js";

/** Asymmetric JWS algorithms only: a shared secret (HS*) cannot be a zone's public verification key. */
export const SIGNATURE_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const HASHES: Record<string, string> = { "SHA-256": "SHA-256", "SHA-384": "SHA-384", "SHA-512": "SHA-512" };

export interface VerificationKey {
  keyId: string;
  alg: string;
  jwk: JsonWebKey;
  scope: string | null;
}

/** A file as the signature covers it: its bundle path and its bytes as uploaded. */
export interface SignedFile {
  path: string;
  bytes: Uint8Array;
}

/** What a signed upload carries: the text of `.signatures.json` and every other file of the bundle. */
export interface BundleSignature {
  signatures: string;
  files: SignedFile[];
}

const encoder = new TextEncoder();

/** A Rego bundle's signature, when it carries `.signatures.json`. */
export function bundleSignature(bundle: Bundle): BundleSignature | undefined {
  const file = bundle.files.find((f) => f.kind === "signatures");
  if (!file) return undefined;
  const files = bundle.files.filter((f) => f.kind !== "signatures").map((f) => ({ path: f.path, bytes: encoder.encode(f.content) }));
  return { signatures: file.content, files };
}

function refuse(message: string): never {
  throw new BundleError("invalid_signature", message, SIGNATURES_FILE);
}

/** Verifies a bundle's signature against the zone's keys; returns the key id that verified it. */
export async function verifyBundleSignature(signed: BundleSignature, keys: VerificationKey[]): Promise<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(signed.signatures);
  } catch {
    refuse("not JSON");
  }
  const signatures = (doc as { signatures?: unknown } | null)?.signatures;
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== "string")
    refuse('must be {"signatures": ["<JWT>"]} with exactly one signature');
  const jwt = signatures[0] as string;
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt);
    claims = decodeJwt(jwt);
  } catch {
    refuse("the signature is not a JWT");
  }
  const alg = header.alg ?? "";
  if (!SIGNATURE_ALGORITHMS.includes(alg)) refuse(`signature algorithm ${alg || "(none)"} is not accepted`);
  if (keys.length === 0) refuse("this zone has no bundle-signing keys to verify it with");
  const named = header.kid ?? (typeof claims.keyid === "string" ? claims.keyid : undefined);
  const key = named === undefined ? (keys.length === 1 ? keys[0] : undefined) : keys.find((k) => k.keyId === named);
  if (!key)
    refuse(named === undefined ? "the signature names no key (kid or keyid) and the zone has several" : `unknown signing key ${named}`);
  if (key.alg !== alg) refuse(`key ${key.keyId} verifies ${key.alg} signatures, not ${alg}`);

  let payload: Record<string, unknown>;
  try {
    const verified = await compactVerify(jwt, await importJWK(key.jwk as Parameters<typeof importJWK>[0], alg), { algorithms: [alg] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    refuse(`the signature does not verify with key ${key.keyId}`);
  }
  if ((typeof payload.scope === "string" ? payload.scope : "") !== (key.scope ?? ""))
    refuse("the signature's scope does not match the key's");
  await checkFiles(signed.files, payload.files);
  return key.keyId;
}

async function checkFiles(files: SignedFile[], listed: unknown): Promise<void> {
  if (!Array.isArray(listed)) refuse("the signature's payload has no files list");
  const signed = new Map<string, { hash: string; algorithm: string }>();
  for (const entry of listed as { name?: unknown; hash?: unknown; algorithm?: unknown }[]) {
    if (typeof entry?.name !== "string" || typeof entry.hash !== "string" || typeof entry.algorithm !== "string")
      refuse("each signed file needs a name, hash and algorithm");
    let name: string;
    try {
      name = normalizePath(entry.name, "archive");
    } catch {
      refuse(`signed file name ${JSON.stringify(entry.name)} is not a bundle path`);
    }
    if (signed.has(name)) refuse(`${name} is signed twice`);
    signed.set(name, { hash: entry.hash.toLowerCase(), algorithm: entry.algorithm });
  }
  for (const f of files) {
    const entry = signed.get(f.path);
    if (!entry) throw new BundleError("invalid_signature", "this file is not covered by the bundle's signature", f.path);
    const algorithm = HASHES[entry.algorithm];
    if (!algorithm) refuse(`hash algorithm ${entry.algorithm} of ${f.path} is not supported (SHA-256, SHA-384, SHA-512)`);
    const digest = toHex(new Uint8Array(await crypto.subtle.digest(algorithm, signedBytes(f))));
    if (digest !== entry.hash) throw new BundleError("invalid_signature", "the file does not match its signed hash (tampered?)", f.path);
    signed.delete(f.path);
  }
  const missing = [...signed.keys()];
  if (missing.length > 0) refuse(`signed files missing from the bundle: ${missing.join(", ")}`);
}

/** What OPA hashes: structured documents (data, manifest) canonically, anything else (modules, policy.wasm) as it is. */
function signedBytes(f: SignedFile): Uint8Array {
  if (!isStructuredDoc(f.path)) return f.bytes;
  let text: string;
  try {
    text = strictUtf8.decode(f.bytes);
  } catch {
    throw new BundleError("invalid_signature", "cannot be hashed as OPA does: not UTF-8", f.path);
  }
  try {
    return encoder.encode(canonicalStructuredText(text));
  } catch (e) {
    if (e instanceof UnhashableFile) throw new BundleError("invalid_signature", `cannot be hashed as OPA does: ${e.message}`, f.path);
    throw e;
  }
}
