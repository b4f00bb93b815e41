/**
 * Certificate chain verification with the rules of Go's
 * (*x509.Certificate).Verify as OPA calls it: the first certificate is the
 * only root, the last is the leaf, the rest are intermediates; validity
 * periods are checked against the evaluation's clock, CA and path-length
 * constraints apply, and the chain must allow server authentication (Go's
 * default key usage). Name constraints are not enforced.
 */
import type { BuiltinContext } from "../types.js";
import { bytesEqual } from "./bytes.js";
import { EKU, KEY_USAGE_CERT_SIGN, SIG, type Certificate } from "./certificate.js";
import { parseIP } from "../../goruntime/net.js";
import { ecdsaVerify, ed25519Verify, rsaVerifyPKCS1, rsaVerifyPSS, splitASN1Signature, type HashName } from "./signature.js";

/** x509.Certificate.CheckSignature for the algorithms Go still accepts. */
export function checkSignature(
  ctx: BuiltinContext,
  algorithm: number,
  signed: Uint8Array,
  signature: Uint8Array,
  parent: Certificate,
): boolean {
  const pub = parent.publicKey;
  if (pub === undefined) return false;
  const rsaHash: Partial<Record<number, HashName>> = {
    [SIG.sha256WithRSA]: "SHA-256",
    [SIG.sha384WithRSA]: "SHA-384",
    [SIG.sha512WithRSA]: "SHA-512",
  };
  const pssHash: Partial<Record<number, HashName>> = {
    [SIG.sha256WithRSAPSS]: "SHA-256",
    [SIG.sha384WithRSAPSS]: "SHA-384",
    [SIG.sha512WithRSAPSS]: "SHA-512",
  };
  const ecHash: Partial<Record<number, HashName>> = {
    [SIG.ecdsaWithSHA256]: "SHA-256",
    [SIG.ecdsaWithSHA384]: "SHA-384",
    [SIG.ecdsaWithSHA512]: "SHA-512",
  };
  // MD2, MD5 and SHA-1 signatures are refused as insecure, DSA as unsupported.
  let h = rsaHash[algorithm];
  if (h !== undefined) return pub.kind === "rsa" && rsaVerifyPKCS1(ctx, pub, h, signed, signature);
  h = pssHash[algorithm];
  if (h !== undefined)
    return pub.kind === "rsa" && rsaVerifyPSS(ctx, pub, h, signed, signature, h === "SHA-256" ? 32 : h === "SHA-384" ? 48 : 64);
  h = ecHash[algorithm];
  if (h !== undefined) {
    if (pub.kind !== "ec") return false;
    const rs = splitASN1Signature(signature);
    return rs !== undefined && ecdsaVerify(ctx, pub, h, signed, rs[0], rs[1]);
  }
  if (algorithm === SIG.pureEd25519) return pub.kind === "ed25519" && ed25519Verify(ctx, pub, signed, signature);
  return false;
}

function checkSignatureFrom(ctx: BuiltinContext, child: Certificate, parent: Certificate): boolean {
  if ((parent.version === 3 && !parent.basicConstraintsValid) || (parent.basicConstraintsValid && !parent.isCA)) return false;
  if (parent.keyUsage !== 0 && (parent.keyUsage & KEY_USAGE_CERT_SIGN) === 0) return false;
  return checkSignature(ctx, child.signatureAlgorithm, child.rawTBS, child.signature, parent);
}

const sameCert = (a: Certificate, b: Certificate) => bytesEqual(a.raw, b.raw);

/** CertPool.findPotentialParents: issuer name matches, best key-id matches first. */
function potentialParents(pool: Certificate[], cert: Certificate): Certificate[] {
  const matching: Certificate[] = [];
  const one: Certificate[] = [];
  const mismatch: Certificate[] = [];
  for (const c of pool) {
    if (!bytesEqual(c.rawSubject, cert.rawIssuer)) continue;
    const ski = c.subjectKeyId ?? new Uint8Array(0);
    const aki = cert.authorityKeyId ?? new Uint8Array(0);
    if (bytesEqual(ski, aki)) matching.push(c);
    else if ((ski.length === 0 && aki.length > 0) || (ski.length > 0 && aki.length === 0)) one.push(c);
    else mismatch.push(c);
  }
  return [...matching, ...one, ...mismatch];
}

function dedupe(certs: Certificate[]): Certificate[] {
  const out: Certificate[] = [];
  for (const c of certs) if (!out.some((o) => sameCert(o, c))) out.push(c);
  return out;
}

function validAt(c: Certificate, nowMs: number): boolean {
  return nowMs >= c.notBefore && nowMs <= c.notAfter;
}

/** Go's checkChainForKeyUsage with the default request: server authentication. */
/**
 * Go's checkChainForKeyUsage: walking from the root, each certificate that
 * restricts extended key usage crosses out the requested usages it does not
 * allow; the chain is acceptable while one requested usage remains.
 */
function allowsKeyUsages(chain: Certificate[], requested: readonly number[]): boolean {
  const remaining = new Set(requested);
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i] as Certificate;
    const ekus = c.extKeyUsage ?? [];
    if (ekus.length === 0 && (c.unknownExtKeyUsage ?? []).length === 0) continue;
    if (ekus.includes(EKU.any)) continue;
    for (const want of [...remaining]) {
      const allowed = ekus.some((u) => u === want || (want === EKU.serverAuth && (u === EKU.netscapeSGC || u === EKU.microsoftSGC)));
      if (!allowed) remaining.delete(want);
    }
    if (remaining.size === 0) return false;
  }
  return true;
}

/** What crypto.x509.parse_and_verify_certificates_with_options can ask beyond the defaults. */
export interface VerifyOptions {
  /** the leaf must be valid for this host name or IP address (Go's VerifyHostname) */
  dnsName?: string;
  /** extended key usages (Go's ExtKeyUsage numbers), one of which the chain must allow; default server auth */
  keyUsages?: number[];
}

/** Go's matchHostnames, with the wildcard allowed only as the whole leftmost label. */
function matchHostname(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, "").split(".");
  const h = host.replace(/\.$/, "").split(".");
  if (p.length !== h.length || p.some((l) => l === "") || h.some((l) => l === "")) return false;
  return p.every((label, i) => (i === 0 && label === "*" && p.length > 1) || label === h[i]);
}

/** Go's Certificate.VerifyHostname: IP SANs for an address, DNS SANs (no common name) for a name. */
export function verifiesHostname(leaf: Certificate, name: string): boolean {
  const bare = name.length >= 3 && name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
  const ip = parseIP(bare);
  if (ip !== undefined) {
    return (leaf.san.ipAddresses ?? []).some((c) => {
      const a = c.length === 4 ? to16(c) : c;
      return a.length === ip.length && a.every((b, i) => b === ip[i]);
    });
  }
  const host = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return (leaf.san.dnsNames ?? []).some((pattern) => matchHostname(pattern, host));
}

function to16(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

const MAX_SIGNATURE_CHECKS = 100;

/** The first verified chain, leaf first, or undefined when none verifies. */
export function verifyChain(ctx: BuiltinContext, certs: Certificate[], nowMs: number, opts: VerifyOptions = {}): Certificate[] | undefined {
  if (certs.length < 2) return undefined;
  if (opts.dnsName !== undefined && opts.dnsName !== "" && !verifiesHostname(certs[certs.length - 1] as Certificate, opts.dnsName))
    return undefined;
  const roots = dedupe([certs[0] as Certificate]);
  const intermediates = dedupe(certs.slice(1, -1));
  const leaf = certs[certs.length - 1] as Certificate;
  if (leaf.unhandledCritical.length > 0 || !validAt(leaf, nowMs)) return undefined;

  let candidates: Certificate[][];
  if (roots.some((r) => sameCert(r, leaf))) {
    candidates = [[leaf]];
  } else {
    let checks = 0;
    const build = (cert: Certificate, chain: Certificate[]): Certificate[][] => {
      const found: Certificate[][] = [];
      const consider = (candidate: Certificate, isRoot: boolean) => {
        if (chain.some((c) => sameCert(c, candidate))) return;
        if (++checks > MAX_SIGNATURE_CHECKS) return;
        if (!checkSignatureFrom(ctx, cert, candidate)) return;
        if (!validAt(candidate, nowMs)) return;
        if (!isRoot && !(candidate.basicConstraintsValid && candidate.isCA)) return;
        if (candidate.basicConstraintsValid && candidate.maxPathLen >= 0 && chain.length - 1 > candidate.maxPathLen) return;
        const next = [...chain, candidate];
        if (isRoot) found.push(next);
        else found.push(...build(candidate, next));
      };
      for (const r of potentialParents(roots, cert)) consider(r, true);
      for (const i of potentialParents(intermediates, cert)) consider(i, false);
      return found;
    };
    candidates = build(leaf, [leaf]);
  }
  const usages = opts.keyUsages?.length ? opts.keyUsages : [EKU.serverAuth];
  if (usages.includes(EKU.any)) return candidates[0];
  return candidates.find((chain) => allowsKeyUsages(chain, usages));
}
