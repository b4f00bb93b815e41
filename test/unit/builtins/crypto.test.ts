/**
 * crypto.*, io.jwt.* and crypto.x509.* built-ins. Fixtures (keys,
 * certificates, tokens) were made once with Python's `cryptography` package
 * and are checked in as crypto-fixtures.json; expected values below come
 * from that library or from OPA's documented behaviour.
 */
import { describe, expect, it } from "vitest";
import { callAsync, failureAsync } from "./harness.js";
import { RObject, parseJSON, termString, toJSONText, type Value } from "../../../workers/rego/value/index.js";
import fixtures from "./crypto-fixtures.json" with { type: "json" };

const F = fixtures;

/**
 * Runs a built-in to completion the way the evaluator does: each Suspend
 * is awaited, its result cached under its key, and the call repeated.
 */
const NOW = 1_700_000_000_000_000_000n;

function run(name: string, args: Value[], nowNs = NOW): Promise<Value | undefined> {
  return callAsync(name, args, { nowNs });
}

const failure = (name: string, args: Value[]) => failureAsync(name, args, { nowNs: NOW });

const j = (text: string): Value => parseJSON(text);
const get = (v: Value | undefined, ...path: (string | number)[]): Value | undefined => {
  let cur: Value | undefined = v;
  for (const p of path) {
    if (cur instanceof RObject) cur = cur.get(p);
    else if (Array.isArray(cur) && typeof p === "number") cur = cur[p];
    else return undefined;
  }
  return cur;
};
const jwkText = (o: object) => JSON.stringify(o);

describe("digests and HMACs", () => {
  it("hashes the UTF-8 bytes of a string", async () => {
    expect(await run("crypto.md5", ["lorem ipsum"])).toBe("80a751fde577028640c419000e33eba6");
    expect(await run("crypto.sha1", ["lorem ipsum"])).toBe("bfb7759a67daeb65410490b4d98bb9da7d1ea2ce");
    expect(await run("crypto.sha256", ["lorem ipsum"])).toBe("5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269");
    expect(await run("crypto.hmac.sha256", ["åäöçß🥲♙Ω", "秘密の"])).toBe(
      "eb90daeb76d4b2571fbdaf94bbb240809faa8fed93ec0c260dd38c3fdf8d963a",
    );
  });

  it("compares MACs in constant time, unequal lengths being unequal", async () => {
    expect(await run("crypto.hmac.equal", ["abc", "abc"])).toBe(true);
    expect(await run("crypto.hmac.equal", ["abc", "abd"])).toBe(false);
    expect(await run("crypto.hmac.equal", ["abc", "ab"])).toBe(false);
  });

  it("reports operand types as OPA does", async () => {
    expect(await failure("crypto.hmac.sha1", ["m", 1])).toEqual({
      code: "eval_type_error",
      message: "operand 2 must be string but got number",
    });
  });
});

describe("private keys", () => {
  it("parses PKCS #1, PKCS #8 and SEC 1 keys into Go's JSON", async () => {
    const keys = (await run("crypto.parse_private_keys", [F.rootKeyPkcs1 + F.leafKeyPkcs8 + F.leafKeySec1 + F.edKeyPkcs8])) as Value[];
    expect(keys).toHaveLength(4);
    expect(get(keys[0], "E")).toBe(65537);
    expect((get(keys[0], "Primes") as Value[]).length).toBe(2);
    expect(termString(get(keys[1], "X") as Value)).toBe(F.leafPub.x);
    expect(termString(get(keys[2], "Y") as Value)).toBe(F.leafPub.y);
    // ed25519.PrivateKey is seed || public key, as base64.
    const ed = Uint8Array.from(atob(keys[3] as string), (c) => c.charCodeAt(0));
    expect(btoa(String.fromCharCode(...ed.subarray(32)))).toBe(F.edPubRaw);
  });

  it("derives the public point of an EC key stored without it, as Go does", async () => {
    const noPublic =
      "-----BEGIN EC PRIVATE KEY-----\nMDECAQEEIGHIPtLuof4rK7KOMhhl/nrVwFcAi7CMasAzXCd2FozzoAoGCCqGSM49\nAwEH\n-----END EC PRIVATE KEY-----";
    const jwk = await run("crypto.x509.parse_rsa_private_key", [noPublic]);
    expect(get(jwk, "x")).toBe(F.p256JwkPriv.x);
    expect(get(jwk, "y")).toBe(F.p256JwkPriv.y);
  });

  it("returns null for empty input and [] when nothing is found", async () => {
    expect(await run("crypto.parse_private_keys", [""])).toBe(null);
    expect(await run("crypto.parse_private_keys", ["nope"])).toEqual([]);
  });

  it("turns the first key into a JWK", async () => {
    const jwk = await run("crypto.x509.parse_rsa_private_key", [F.leafKeySec1]);
    expect(toJSONText(jwk as Value)).toBe(toJSONText(j(jwkText(F.p256JwkPriv))));
    expect((await failure("crypto.x509.parse_rsa_private_key", [""])).message).toBe("input PEM data was empty");
    expect((await failure("crypto.x509.parse_rsa_private_key", ["invalid"])).message).toBe("illegal base64 data at input byte 4");
  });
});

describe("io.jwt.decode", () => {
  it("returns header, payload and the signature in hex", async () => {
    const [h, p, s] = (await run("io.jwt.decode", [F.tokens.es384])) as Value[];
    expect(get(h, "kid")).toBe("k384");
    expect(get(p, "sub")).toBe("alice");
    expect(typeof s === "string" && /^[0-9a-f]{192}$/.test(s)).toBe(true);
  });

  it("reports malformed tokens", async () => {
    expect((await failure("io.jwt.decode", ["abc"])).message).toBe("encoded JWT had no period separators");
    expect((await failure("io.jwt.decode", ["a.b"])).message).toBe("encoded JWT must have 3 sections, found 2");
    expect((await failure("io.jwt.decode", ["eyJhbGciOiJIU^%zI1NiI+sInR5cCI6IkpXVCJ9.e30.e30"])).message).toBe(
      "JWT header had invalid encoding: illegal base64 data at input byte 13",
    );
    expect((await failure("io.jwt.decode", ["W10.e30.e30"])).message).toBe("bad JWT header: decoded JSON type was not an Object");
    expect((await failure("io.jwt.decode", [5])).code).toBe("eval_type_error");
  });
});

describe("io.jwt.verify_*", () => {
  const [, , edSig] = F.tokens.eddsa.split(".");
  it("verifies ECDSA tokens with JWKs, certificates and public keys", async () => {
    expect(await run("io.jwt.verify_es384", [F.tokens.es384, jwkText({ keys: [F.p521JwkPub, F.p384JwkPub] })])).toBe(true);
    expect(await run("io.jwt.verify_es512", [F.tokens.es512, jwkText(F.p521JwkPub)])).toBe(true);
    expect(await run("io.jwt.verify_es512", [F.tokens.es512, jwkText(F.p384JwkPub)])).toBe(false);
    expect(await run("io.jwt.verify_es256", [F.tokens.es256leaf, F.leaf])).toBe(true);
    expect(await run("io.jwt.verify_es256", [F.tokens.es256leaf, F.root])).toBe(false);
    expect(await run("io.jwt.verify_eddsa", [F.tokens.eddsa, F.edRoot])).toBe(true);
    expect(await run("io.jwt.verify_eddsa", [F.tokens.eddsa.replace(edSig as string, "A" + (edSig as string).slice(1)), F.edRoot])).toBe(
      false,
    );
  });

  it("verifies RSA tokens, detecting the PSS salt length as Go does", async () => {
    expect(await run("io.jwt.verify_rs256", [F.tokens.rs256, F.rsaPubPem])).toBe(true);
    expect(await run("io.jwt.verify_rs256", [F.tokens.rs256, jwkText(F.rsaJwkPub)])).toBe(true);
    expect(await run("io.jwt.verify_ps256", [F.tokens.ps256maxSalt, F.rsaPubPem])).toBe(true);
    expect(await run("io.jwt.verify_ps512", [F.tokens.ps512hashSalt, F.rsaPubPem])).toBe(true);
    expect(await run("io.jwt.verify_rs256", [F.tokens.ps512hashSalt, F.rsaPubPem])).toBe(false);
    // A private JWK is not a public key to OPA's verify_* functions.
    expect(await run("io.jwt.verify_rs256", [F.tokens.rs256, jwkText(F.rsaJwkPriv)])).toBe(false);
  });

  it("uses only the key whose kid matches, and skips keys for other algorithms", async () => {
    const other = { ...F.rsaJwkPub, n: F.rsaJwkPub.n.replace(/^.{4}/, "sGu-") };
    expect(await run("io.jwt.verify_rs256", [F.tokens.rs256, jwkText({ keys: [{ ...other, kid: "r1" }, F.rsaJwkPub] })])).toBe(false);
    expect(await run("io.jwt.verify_rs256", [F.tokens.rs256, jwkText({ keys: [{ ...other, kid: "x" }, F.rsaJwkPub] })])).toBe(true);
    expect(await run("io.jwt.verify_rs256", [F.tokens.rs256, jwkText({ keys: [{ ...F.rsaJwkPub, alg: "RS512" }] })])).toBe(false);
  });

  it("reports unusable keys", async () => {
    expect((await failure("io.jwt.verify_rs256", [F.tokens.rs256, F.rsaPubPem + "x"])).message).toBe(
      "extra data after a PEM certificate block",
    );
    expect((await failure("io.jwt.verify_rs256", [F.tokens.rs256, F.leafKeySec1])).message).toBe(
      "failed to extract a Key from the PEM certificate",
    );
    expect((await failure("io.jwt.verify_rs256", [F.tokens.rs256, "{}"])).message).toContain("failed to parse a JWK key (set)");
    // The secret never appears in messages.
    expect((await failure("io.jwt.verify_hs256", ["a.b", "s3cr3t"])).message).not.toContain("s3cr3t");
  });
});

describe("io.jwt.decode_verify", () => {
  const now = 1_700_000_000n * 1_000_000_000n;
  const dv = (token: string, constraints: object) => run("io.jwt.decode_verify", [token, j(JSON.stringify(constraints))], now);

  it("checks signature, iss, aud, exp and nbf", async () => {
    const cert = jwkText({ keys: [F.p384JwkPub] });
    const ok = (await dv(F.tokens.es384, { cert, aud: "web", iss: "fixtures" })) as Value[];
    expect(ok[0]).toBe(true);
    expect(get(ok[2], "sub")).toBe("alice");
    const unverified = [false, new RObject(), new RObject()];
    expect(await dv(F.tokens.es384, { cert, aud: "other" })).toEqual(unverified);
    expect(await dv(F.tokens.es384, { cert })).toEqual(unverified); // the token has an aud
    expect(await dv(F.tokens.es384, { cert, aud: "api", iss: "someone" })).toEqual(unverified);
    expect(await dv(F.tokens.es384, { cert, aud: "api", time: 2000000000 * 1e9 })).toEqual(unverified); // exp reached
    expect(((await dv(F.tokens.es384, { cert, aud: "api", time: 1999999999 * 1e9 })) as Value[])[0]).toBe(true);
    expect(await dv(F.tokens.es384, { cert, aud: "api", time: 1499999999 * 1e9 })).toEqual(unverified); // before nbf
    expect(await dv(F.tokens.es384, { cert, aud: "api", alg: "ES256" })).toEqual(unverified);
  });

  it("verifies PSS with a hash-length salt only, as jwx does", async () => {
    expect(((await dv(F.tokens.ps512hashSalt, { cert: F.rsaPubPem, aud: "api" })) as Value[])[0]).toBe(true);
    expect(((await dv(F.tokens.ps256maxSalt, { cert: F.rsaPubPem, aud: "api" })) as Value[])[0]).toBe(false);
  });

  it("validates its constraints", async () => {
    expect((await failure("io.jwt.decode_verify", [F.tokens.rs256, j("{}")])).message).toBe("no key constraint");
    expect((await failure("io.jwt.decode_verify", [F.tokens.rs256, j('{"secret":"a","cert":"{\\"keys\\":[]}"}')])).message).toBe(
      "duplicate key constraints",
    );
    expect((await failure("io.jwt.decode_verify", [F.tokens.rs256, j('{"secret":"a","foo":1}')])).message).toBe(
      "unknown token validation constraint: foo",
    );
    expect((await failure("io.jwt.decode_verify", [F.tokens.rs256, j('{"secret":"a","time":"x"}')])).message).toBe(
      "token time constraint: must be a number",
    );
  });

  it("round-trips tokens made by io.jwt.encode_sign, and rejects bad claim types", async () => {
    const key = j(jwkText({ kty: "oct", k: "NDI" })); // "42"
    const good = (await run("io.jwt.encode_sign", [j('{"alg":"HS256"}'), j('{"iss":"x"}'), key])) as string;
    expect(termString((await run("io.jwt.decode_verify", [good, j('{"secret":"42","iss":"x"}')])) as Value)).toBe(
      '[true, {"alg": "HS256"}, {"iss": "x"}]',
    );
    expect(await run("io.jwt.decode_verify", [good, j('{"secret":"42","iss":"y"}')])).toEqual([false, new RObject(), new RObject()]);
    const noIss = (await run("io.jwt.encode_sign", [j('{"alg":"HS256"}'), j("{}"), key])) as string;
    expect(await run("io.jwt.decode_verify", [noIss, j('{"secret":"42","iss":"x"}')])).toEqual([false, new RObject(), new RObject()]);
    const badExp = (await run("io.jwt.encode_sign", [j('{"alg":"HS256"}'), j('{"exp":null}'), key])) as string;
    expect((await failure("io.jwt.decode_verify", [badExp, j('{"secret":"42"}')])).message).toBe("exp value must be a number");
    const badNbf = (await run("io.jwt.encode_sign", [j('{"alg":"HS256"}'), j('{"nbf":"soon"}'), key])) as string;
    expect((await failure("io.jwt.decode_verify", [badNbf, j('{"secret":"42"}')])).message).toBe("nbf value must be a number");
  });
});

describe("io.jwt.encode_sign", () => {
  const payload = j('{"iss":"joe","n":[1,2]}');
  it("signs with every asymmetric algorithm; the tokens verify", async () => {
    const cases: [string, object, string, string][] = [
      ["RS384", F.rsaJwkPriv, "io.jwt.verify_rs384", F.rsaPubPem],
      ["PS256", F.rsaJwkPriv, "io.jwt.verify_ps256", F.rsaPubPem],
      ["ES256", F.p256JwkPriv, "io.jwt.verify_es256", F.leaf],
    ];
    for (const [alg, key, verify, pub] of cases) {
      const token = (await run("io.jwt.encode_sign", [j(`{"alg":"${alg}","typ":"JWT"}`), payload, j(jwkText(key))])) as string;
      expect(token.split(".")[0]).toBe(btoa(`{"alg":"${alg}","typ":"JWT"}`).replace(/=+$/, ""));
      expect(await run(verify, [token, pub])).toBe(true);
    }
  });

  it("serialises headers and payload with sorted keys, sets as arrays", async () => {
    const token = (await run("io.jwt.encode_sign", [
      j('{"typ":"JWT","alg":"HS256"}'),
      j('{"b":1,"a":"<"}'),
      j('{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}'),
    ])) as string;
    const [h, p] = token.split(".").map((s) => atob(s.replace(/-/g, "+").replace(/_/g, "/")));
    expect(h).toBe('{"alg":"HS256","typ":"JWT"}');
    expect(p).toBe('{"a":"\\u003c","b":1}');
  });

  it("reports header, payload and key problems as OPA does", async () => {
    const key = '{"kty":"oct","k":"AyM1"}';
    const raw = (h: string, p: string, k = key) => failure("io.jwt.encode_sign_raw", [h, p, k]);
    expect((await raw('{"alg":"dummy"}', "{}")).message).toBe("unknown JWS algorithm: dummy");
    expect((await raw("{}", "{}")).message).toBe(`missing or invalid 'alg' header: jwsbb: header "alg" not found`);
    expect((await raw('{"typ":"JWT","alg":"HS256"}', "e")).message).toBe("type is JWT but payload is not JSON");
    expect((await raw('{"alg":"RS256"}', "{}")).message).toContain("invalid key type");
    expect((await raw('{"alg":"HS256"}', "{}", '{"keys":[]}')).message).toBe("no keys found in JWK set");
    expect(await run("io.jwt.encode_sign_raw", ['{"typ":"text/plain","alg":"HS256"}', "", key])).toMatch(/^[\w-]+\.\.[\w-]+$/);
  });
});

describe("crypto.x509", () => {
  it("parses certificates into Go's x509.Certificate fields", async () => {
    const [leaf] = (await run("crypto.x509.parse_certificates", [F.leaf])) as Value[];
    expect(get(leaf, "Version")).toBe(3);
    expect(termString(get(leaf, "SerialNumber") as Value)).toBe(F.leafSerial);
    expect(get(leaf, "Subject", "CommonName")).toBe("leaf.example.com");
    expect(get(leaf, "Issuer", "Organization")).toEqual(["Fixtures"]);
    expect(get(leaf, "Issuer", "Names", 0, "Type")).toEqual([2, 5, 4, 10]);
    expect(get(leaf, "NotBefore")).toBe("2020-01-01T00:00:00Z");
    expect(get(leaf, "NotAfter")).toBe("2050-01-01T00:00:00Z");
    expect(get(leaf, "SignatureAlgorithm")).toBe(11); // ECDSAWithSHA384
    expect(get(leaf, "PublicKeyAlgorithm")).toBe(3); // ECDSA
    expect(termString(get(leaf, "PublicKey", "X") as Value)).toBe(F.leafPub.x);
    expect(get(leaf, "KeyUsage")).toBe(5); // DigitalSignature | KeyEncipherment
    expect(get(leaf, "ExtKeyUsage")).toEqual([1, 2]);
    expect(get(leaf, "BasicConstraintsValid")).toBe(true);
    expect(get(leaf, "IsCA")).toBe(false);
    expect(get(leaf, "MaxPathLen")).toBe(-1);
    expect(get(leaf, "DNSNames")).toEqual(["leaf.example.com", "*.leaf.example.com"]);
    expect(get(leaf, "EmailAddresses")).toEqual(["ops@example.com"]);
    expect(get(leaf, "IPAddresses")).toEqual(["192.0.2.1", "2001:db8::1"]);
    expect(get(leaf, "URIStrings")).toEqual(["spiffe://example.com/ns/default/sa/web"]);
    expect(get(leaf, "URIs", 0, "Host")).toBe("example.com");
    expect(get(leaf, "URIs", 0, "Path")).toBe("/ns/default/sa/web");
    expect(get(leaf, "OCSPServer")).toEqual(["http://ocsp.example.com"]);
    expect(get(leaf, "IssuingCertificateURL")).toEqual(["http://ca.example.com/inter.crt"]);
    expect(get(leaf, "CRLDistributionPoints")).toEqual(["http://crl.example.com/inter.crl"]);
    expect(get(leaf, "PolicyIdentifiers")).toEqual([[2, 23, 140, 1, 2, 1]]);
    expect(get(leaf, "RawSubjectPublicKeyInfo")).toBe(F.leafSPKI);
    expect(get(leaf, "RawTBSCertificate")).toBe(F.leafTBS);
    expect(get(leaf, "UnhandledCriticalExtensions")).toBe(null);
    expect((get(leaf, "Extensions") as Value[]).length).toBe(8);
  });

  it("accepts base64 of PEM and of DER, and reports bad input with Go's errors", async () => {
    const b64 = btoa(F.root + F.inter);
    expect(((await run("crypto.x509.parse_certificates", [b64])) as Value[]).length).toBe(2);
    const der = get(((await run("crypto.x509.parse_certificates", [F.root])) as Value[])[0], "Raw") as string;
    expect(get(((await run("crypto.x509.parse_certificates", [der])) as Value[])[0], "Subject", "CommonName")).toBe("Fixture Root");
    expect((await failure("crypto.x509.parse_certificates", ["YmFkc3RyaW5n"])).message).toBe("x509: malformed certificate");
    expect((await failure("crypto.x509.parse_certificates", ["foobar"])).message).toBe("illegal base64 data at input byte 4");
    expect((await failure("crypto.x509.parse_certificates", [F.csr])).message).toContain("PEM block type is 'CERTIFICATE REQUEST'");
  });

  it("verifies chains: root first, leaf last, returned leaf first", async () => {
    const pv = (pem: string) => run("crypto.x509.parse_and_verify_certificates", [pem]);
    const ok = (await pv(F.root + F.inter + F.leaf)) as Value[];
    expect(ok[0]).toBe(true);
    expect((ok[1] as Value[]).map((c) => get(c, "Subject", "CommonName"))).toEqual([
      "leaf.example.com",
      "Fixture Intermediate",
      "Fixture Root",
    ]);
    expect(await pv(F.leaf + F.inter + F.root)).toEqual([false, []]); // wrong order
    expect(await pv(F.root + F.leaf)).toEqual([false, []]); // missing intermediate
    expect(await pv(F.root + F.inter + F.expired)).toEqual([false, []]);
    expect(await pv(F.root + F.inter + F.clientOnly)).toEqual([false, []]); // no server auth
    expect(await pv(F.root)).toEqual([false, []]);
    expect(await pv("garbage")).toEqual([false, []]);
    expect(((await pv(F.edRoot + F.edLeaf)) as Value[])[0]).toBe(true);
  });

  it("checks chain validity against the evaluation's clock", async () => {
    const r = await run("crypto.x509.parse_and_verify_certificates", [F.root + F.inter + F.leaf], 2051n * 365n * 86400n * 1_000_000_000n);
    expect(r).toEqual([false, []]);
  });

  it("parses certificate requests", async () => {
    const csr = await run("crypto.x509.parse_certificate_request", [F.csr]);
    expect(get(csr, "Subject", "CommonName")).toBe("csr.example.com");
    expect(get(csr, "Subject", "Country")).toEqual(["DE"]);
    expect(get(csr, "DNSNames")).toEqual(["csr.example.com", "www.csr.example.com"]);
    expect(get(csr, "Version")).toBe(0);
    expect(get(csr, "SignatureAlgorithm")).toBe(10);
    expect((await failure("crypto.x509.parse_certificate_request", ["YmFkc3RyaW5n"])).message).toContain("asn1: structure error");
    expect((await failure("crypto.x509.parse_certificate_request", [F.leaf])).message).toContain("illegal base64");
  });

  it("parses key pairs and insists that they match", async () => {
    const kp = await run("crypto.x509.parse_keypair", [F.leaf, F.leafKeyPkcs8]);
    expect(get(kp, "Leaf", "Subject", "CommonName")).toBe("leaf.example.com");
    expect((get(kp, "Certificate") as Value[]).length).toBe(1);
    expect(await run("crypto.x509.parse_keypair", [btoa(F.leaf), btoa(F.leafKeySec1)])).toBeInstanceOf(RObject);
    // Base64 of bare DER is wrapped into PEM byte for byte.
    const derB64 = (pem: string) =>
      pem
        .split("\n")
        .filter((l) => l && !l.startsWith("-----"))
        .join("");
    const fromDer = await run("crypto.x509.parse_keypair", [derB64(F.leaf), derB64(F.leafKeyPkcs8)]);
    expect(get(fromDer, "Certificate", 0)).toBe(derB64(F.leaf));
    expect((await failure("crypto.x509.parse_keypair", [F.leaf, F.rootKeyPkcs1])).message).toBe(
      "tls: private key type does not match public key type",
    );
    expect((await failure("crypto.x509.parse_keypair", [F.expired, F.edKeyPkcs8])).message).toBe(
      "tls: private key type does not match public key type",
    );
    expect((await failure("crypto.x509.parse_keypair", [F.leafKeyPkcs8, F.leafKeyPkcs8])).message).toContain(
      "PEM inputs may have been switched",
    );
  });
});
