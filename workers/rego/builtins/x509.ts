/**
 * crypto.x509.* built-ins. Inputs are PEM, base64 of PEM, or base64 of DER,
 * as OPA's topdown/crypto.go accepts them; results are Go's x509 structures
 * as JSON (see pki/render.ts for the rendering and what it leaves out).
 */
import { RObject, RSet, type Value } from "../value/index.js";
import { builtinError, object, str } from "./args.js";
import { decodeStd, encodeStd } from "../goruntime/base64.js";
import { byteString, bytesEqual, concat, stringBytes } from "./pki/bytes.js";
import { parseCertificate, parseCertificates, type Certificate } from "./pki/certificate.js";
import { parseCertificateRequestJSON } from "./pki/csr.js";
import { certificateJSON } from "./pki/render.js";
import { verifyChain } from "./pki/chain.js";
import { withBuiltinErrors } from "./pki/errors.js";
import {
  completePrivateKey,
  parseECPrivateKey,
  parsePKCS1PrivateKey,
  parsePKCS8PrivateKey,
  privateKeysFromPEM,
  type PrivateKey,
} from "./pki/keys.js";
import { privateKeyGoJSON, privateKeyJWK } from "./pki/keyjson.js";
import { pemDecode, pemEncode, type PemBlock } from "./pki/pem.js";
import type { BuiltinContext, BuiltinTable } from "./types.js";

const BEGIN = "-----BEGIN";

/** Decodes standard base64, reporting Go's error as a built-in error. */
function base64(text: string): Uint8Array {
  return withBuiltinErrors(() => decodeStd(text));
}

/** getX509CertsFromPem: CERTIFICATE blocks only, parsed as one DER sequence. */
function certsFromPEM(text: string): Certificate[] {
  const ders: Uint8Array[] = [];
  let rest = text;
  while (rest.length > 0) {
    let block: PemBlock | undefined;
    [block, rest] = pemDecode(rest);
    if (block === undefined) break;
    if (block.type !== "CERTIFICATE") throw builtinError(`PEM block type is '${block.type}', expected CERTIFICATE`);
    ders.push(block.bytes);
  }
  return parseCertificates(concat(...ders));
}

/** getX509CertsFromString */
function certsFromString(input: string): Certificate[] {
  return withBuiltinErrors(() => {
    if (input.startsWith(BEGIN)) return certsFromPEM(input);
    const der = decodeStd(input);
    const text = byteString(der);
    if (text.startsWith(BEGIN)) return certsFromPEM(text);
    return parseCertificates(der);
  });
}

function parseCertificatesBuiltin(args: Value[]): Value {
  return certsFromString(str(args, 0)).map(certificateJSON);
}

function parseAndVerify(args: Value[], ctx: BuiltinContext): Value {
  const input = str(args, 0);
  let certs: Certificate[];
  try {
    certs = certsFromString(input);
  } catch {
    return [false, []];
  }
  const nowMs = Number(ctx.nowNs / 1_000_000n);
  const chain = verifyChain(ctx, certs, nowMs);
  return chain === undefined ? [false, []] : [true, chain.map(certificateJSON)];
}

/** Go's x509.ExtKeyUsage numbers by the names OPA's options use. */
const KEY_USAGES: Record<string, number> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

/**
 * The options of crypto.x509.parse_and_verify_certificates_with_options, read
 * as OPA reads them: DNSName (string), CurrentTime (int64 nanoseconds),
 * MaxConstraintComparisons (a number; the chain search keeps its own bound),
 * KeyUsages (an array or set of the names above). Other keys are errors.
 */
function verifyOptions(options: RObject, ctx: BuiltinContext): { nowMs: number; dnsName?: string; keyUsages?: number[] } {
  const out: { nowMs: number; dnsName?: string; keyUsages?: number[] } = { nowMs: Number(ctx.nowNs / 1_000_000n) };
  for (const [k, v] of options.entries()) {
    switch (k) {
      case "DNSName":
        if (typeof v !== "string") throw builtinError("'DNSName' should be a string");
        out.dnsName = v;
        break;
      case "CurrentTime":
        if (typeof v !== "number" && typeof v !== "bigint") throw builtinError("'CurrentTime' should be a number");
        if (typeof v === "number" && !Number.isInteger(v)) throw builtinError("'CurrentTime' should be a valid int64 number");
        out.nowMs = Number(BigInt(v) / 1_000_000n);
        break;
      case "MaxConstraintComparisons":
        if (typeof v !== "number" && typeof v !== "bigint") throw builtinError("'MaxConstraintComparisons' should be a number");
        break;
      case "KeyUsages": {
        const names = Array.isArray(v) ? v : v instanceof RSet ? v.values() : undefined;
        if (names === undefined) throw builtinError("'KeyUsages' should be an Array or Set");
        const invalid: string[] = [];
        out.keyUsages = [];
        for (const n of names) {
          if (typeof n !== "string") continue;
          const usage = KEY_USAGES[n];
          if (usage === undefined) invalid.push(n);
          else out.keyUsages.push(usage);
        }
        if (invalid.length > 0) throw builtinError(`invalid entries for 'KeyUsages' found: [${invalid.join(" ")}]`);
        break;
      }
      default:
        throw builtinError("invalid key option");
    }
  }
  return out;
}

function parseAndVerifyWithOptions(args: Value[], ctx: BuiltinContext): Value {
  const input = str(args, 0);
  const options = object(args, 1);
  let certs: Certificate[];
  try {
    certs = certsFromString(input);
  } catch {
    return [false, []];
  }
  const opts = verifyOptions(options, ctx);
  const chain = verifyChain(ctx, certs, opts.nowMs, opts);
  return chain === undefined ? [false, []] : [true, chain.map(certificateJSON)];
}

function parseCertificateRequest(args: Value[]): Value {
  const input = str(args, 0);
  let der: Uint8Array = new TextEncoder().encode(input);
  if (!input.startsWith("-----BEGIN CERTIFICATE REQUEST-----")) der = base64(input);
  const [block] = pemDecode(byteString(der));
  if (block !== undefined && block.type !== "CERTIFICATE REQUEST") throw builtinError("invalid PEM-encoded certificate signing request");
  if (block !== undefined) der = block.bytes;
  return withBuiltinErrors(() => parseCertificateRequestJSON(der));
}

function parseRSAPrivateKey(args: Value[], ctx: BuiltinContext): Value {
  let input = str(args, 0);
  if (input === "") throw builtinError("input PEM data was empty");
  if (!input.startsWith(BEGIN)) input = byteString(base64(input));
  return withBuiltinErrors(() => {
    const keys = privateKeysFromPEM(input);
    const first = keys[0];
    if (first === undefined) return null;
    return privateKeyJWK(ctx, completePrivateKey(ctx, first));
  });
}

// --- crypto.x509.parse_keypair: tls.X509KeyPair ---

/** tls's parsePrivateKey: PKCS #1, then PKCS #8, then SEC 1. */
function tlsPrivateKey(der: Uint8Array): PrivateKey {
  for (const parse of [parsePKCS1PrivateKey, parsePKCS8PrivateKey, parseECPrivateKey]) {
    try {
      return parse(der);
    } catch {
      // try the next format
    }
  }
  throw builtinError("tls: failed to parse private key");
}

function keyPair(ctx: BuiltinContext, certPEM: string, keyPEM: string): Value {
  const certDERs: Uint8Array[] = [];
  let skipped: string[] = [];
  for (let rest = certPEM; ; ) {
    let block: PemBlock | undefined;
    [block, rest] = pemDecode(rest);
    if (block === undefined) break;
    if (block.type === "CERTIFICATE") certDERs.push(block.bytes);
    else skipped.push(block.type);
  }
  if (certDERs.length === 0) {
    if (skipped.length === 0) throw builtinError("tls: failed to find any PEM data in certificate input");
    if (skipped.length === 1 && (skipped[0] as string).endsWith("PRIVATE KEY")) {
      throw builtinError(
        "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched",
      );
    }
    throw builtinError(
      `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${skipped.join(" ")}]`,
    );
  }
  skipped = [];
  let keyDER: Uint8Array | undefined;
  for (let rest = keyPEM; ; ) {
    let block: PemBlock | undefined;
    [block, rest] = pemDecode(rest);
    if (block === undefined) {
      if (skipped.length === 0) throw builtinError("tls: failed to find any PEM data in key input");
      if (skipped.length === 1 && skipped[0] === "CERTIFICATE")
        throw builtinError("tls: found a certificate rather than a key in the PEM for the private key");
      throw builtinError(
        `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${skipped.join(" ")}]`,
      );
    }
    if (block.type === "PRIVATE KEY" || block.type.endsWith(" PRIVATE KEY")) {
      keyDER = block.bytes;
      break;
    }
    skipped.push(block.type);
  }
  const leaf = withBuiltinErrors(() => parseCertificate(certDERs[0] as Uint8Array));
  const priv = withBuiltinErrors(() => completePrivateKey(ctx, tlsPrivateKey(keyDER)));
  const pub = leaf.publicKey;
  const mismatch = () => builtinError("tls: private key type does not match public key type");
  const wrong = () => builtinError("tls: private key does not match public key");
  switch (pub?.kind) {
    case "rsa":
      if (priv.kind !== "rsa") throw mismatch();
      if (priv.n !== pub.n) throw wrong();
      break;
    case "ec":
      if (priv.kind !== "ec") throw mismatch();
      if (priv.x !== pub.x || priv.y !== pub.y) throw wrong();
      break;
    case "ed25519":
      if (priv.kind !== "ed25519") throw mismatch();
      if (priv.pub === undefined || !bytesEqual(priv.pub, pub.raw)) throw wrong();
      break;
    default:
      throw builtinError("tls: unknown public key algorithm");
  }
  const leafJSON = certificateJSON(leaf);
  leafJSON.delete("URIStrings"); // OPA adds that field only to parse_certificates' results
  return RObject.fromRecord({
    Certificate: certDERs.map(encodeStd),
    PrivateKey: privateKeyGoJSON(ctx, priv),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: leafJSON,
  });
}

function parseKeyPair(args: Value[], ctx: BuiltinContext): Value {
  const cert = str(args, 0);
  // OPA reports the key operand as operand 1 as well.
  const keyArg = args[1] as Value;
  if (typeof keyArg !== "string") return str([keyArg], 0);
  let certPEM = cert;
  let keyPEM = keyArg;
  const prefix = BEGIN + " ";
  if (!certPEM.startsWith(prefix)) certPEM = byteString(base64(certPEM));
  if (!keyPEM.startsWith(prefix)) keyPEM = byteString(base64(keyPEM));
  // Bare DER is wrapped into PEM, as OPA does before handing over to Go's tls.
  if (!certPEM.startsWith(prefix)) certPEM = pemEncode("CERTIFICATE", stringBytes(certPEM));
  if (!keyPEM.startsWith(BEGIN)) keyPEM = pemEncode("PRIVATE KEY", stringBytes(keyPEM));
  return keyPair(ctx, certPEM, keyPEM);
}

export const x509Builtins: BuiltinTable = {
  "crypto.x509.parse_certificates": parseCertificatesBuiltin,
  "crypto.x509.parse_and_verify_certificates": parseAndVerify,
  "crypto.x509.parse_and_verify_certificates_with_options": parseAndVerifyWithOptions,
  "crypto.x509.parse_certificate_request": parseCertificateRequest,
  "crypto.x509.parse_keypair": parseKeyPair,
  "crypto.x509.parse_rsa_private_key": parseRSAPrivateKey,
};
