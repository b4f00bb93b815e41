/**
 * WebCrypto in workerd against what the engine charges for it. The signature built-ins charge each
 * new WebCrypto operation a fixed number of steps when it starts (builtins/costs.ts, calibrated in
 * Node 20, where the work runs on a thread pool); in workerd it runs on the isolate's thread, so
 * its time there is what the budget must bound. A probe Worker in Miniflare runs n operations per
 * request, a key import and the operation each, as the built-ins do; its time per operation is
 * (wall of n − wall of 0) / n, the request's own cost cancelling out. The same code in Node runs
 * beside it. The default budget (1,000,000 steps) is meant to be about 50 ms, 50 ns a step.
 */
import { createRequire } from "node:module";
import { curveOperationCost, rsaPrivateCost, SIGNATURE_CHECK_COST } from "../workers/rego/builtins/costs.js";
import { COMPATIBILITY_DATE, ROOT } from "./edge.js";
import { fmtNs } from "./stats.js";

const { Miniflare } = createRequire(`${ROOT}package.json`)("miniflare") as typeof import("miniflare");

interface Operation {
  name: string;
  /** steps the engine charges one new such operation */
  steps: number;
}

const OPERATIONS: Operation[] = [
  { name: "ES256 verify", steps: curveOperationCost("P-256", "verify") },
  { name: "ES384 verify", steps: curveOperationCost("P-384", "verify") },
  { name: "ES512 verify", steps: curveOperationCost("P-521", "verify") },
  { name: "EdDSA verify", steps: curveOperationCost("Ed25519", "verify") },
  { name: "ES256 sign", steps: curveOperationCost("P-256", "sign") },
  { name: "ES512 sign", steps: curveOperationCost("P-521", "sign") },
  { name: "RS256 sign, 2048-bit key", steps: rsaPrivateCost(2048) },
  { name: "RS256 sign, 4096-bit key", steps: rsaPrivateCost(4096) },
].map((op) => ({ ...op, steps: op.steps + SIGNATURE_CHECK_COST }));

type ImportParams = Parameters<typeof crypto.subtle.importKey>[2];
type SignParams = Parameters<typeof crypto.subtle.sign>[0];
type GenerateParams = Parameters<typeof crypto.subtle.generateKey>[0];

/**
 * Runs `n` operations of one kind, each importing its key from JWK and then signing or verifying.
 * The same source runs in the probe Worker and in Node (a function's text, so nothing differs).
 */
async function runOperations(name: string, n: number, keys: Map<string, { sign: JsonWebKey; verify: JsonWebKey }>): Promise<void> {
  const params: Record<string, [object, object]> = {
    "ES256 verify": [
      { name: "ECDSA", namedCurve: "P-256" },
      { name: "ECDSA", hash: "SHA-256" },
    ],
    "ES384 verify": [
      { name: "ECDSA", namedCurve: "P-384" },
      { name: "ECDSA", hash: "SHA-384" },
    ],
    "ES512 verify": [
      { name: "ECDSA", namedCurve: "P-521" },
      { name: "ECDSA", hash: "SHA-512" },
    ],
    "EdDSA verify": [{ name: "Ed25519" }, { name: "Ed25519" }],
    "ES256 sign": [
      { name: "ECDSA", namedCurve: "P-256" },
      { name: "ECDSA", hash: "SHA-256" },
    ],
    "ES512 sign": [
      { name: "ECDSA", namedCurve: "P-521" },
      { name: "ECDSA", hash: "SHA-512" },
    ],
    "RS256 sign, 2048-bit key": [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
    "RS256 sign, 4096-bit key": [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  };
  const [keyParams, opParams] = params[name] as [object, object];
  let pair = keys.get(name);
  if (!pair) {
    const bits = name.includes("4096") ? 4096 : 2048;
    const generateParams = name.startsWith("RS")
      ? { ...keyParams, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) }
      : keyParams;
    const generated = (await crypto.subtle.generateKey(generateParams as GenerateParams, true, ["sign", "verify"])) as CryptoKeyPair;
    pair = {
      sign: (await crypto.subtle.exportKey("jwk", generated.privateKey)) as JsonWebKey,
      verify: (await crypto.subtle.exportKey("jwk", generated.publicKey)) as JsonWebKey,
    };
    keys.set(name, pair);
  }
  const data = new TextEncoder().encode("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9");
  const signing = name.includes("sign");
  const signer = await crypto.subtle.importKey("jwk", pair.sign, keyParams as ImportParams, false, ["sign"]);
  const signature = await crypto.subtle.sign(opParams as SignParams, signer, data);
  for (let i = 0; i < n; i++) {
    if (signing) {
      const key = await crypto.subtle.importKey("jwk", pair.sign, keyParams as ImportParams, false, ["sign"]);
      await crypto.subtle.sign(opParams as SignParams, key, data);
    } else {
      const key = await crypto.subtle.importKey("jwk", pair.verify, keyParams as ImportParams, false, ["verify"]);
      if (!(await crypto.subtle.verify(opParams as SignParams, key, signature, data))) throw new Error(`${name}: no match`);
    }
  }
}

const PROBE = `const runOperations = ${runOperations.toString()};
const keys = new Map();
export default {
  async fetch(request) {
    const url = new URL(request.url);
    await runOperations(url.searchParams.get("op"), Number(url.searchParams.get("n")), keys);
    return new Response("ok");
  },
};`;

const PER_REQUEST = 40;
const ROUNDS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

/** Nanoseconds per operation: the median over rounds of (time of n − time of none) / n. */
async function perOperation(run: (n: number) => Promise<void>): Promise<number> {
  await run(PER_REQUEST); // keys made, code warm
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    await run(0);
    const t1 = process.hrtime.bigint();
    await run(PER_REQUEST);
    const t2 = process.hrtime.bigint();
    samples.push(Number(t2 - t1 - (t1 - t0)) / PER_REQUEST);
  }
  return median(samples);
}

export async function benchWebCrypto(): Promise<string[]> {
  const mf = new Miniflare({ host: "127.0.0.1", port: 0, modules: true, script: PROBE, compatibilityDate: COMPATIBILITY_DATE });
  const url = await mf.ready;
  const nodeKeys = new Map<string, { sign: JsonWebKey; verify: JsonWebKey }>();
  const out = [
    `${"operation (with key import)".padEnd(28)} ${"steps".padStart(7)} ${"workerd".padStart(10)} ${"Node".padStart(10)} ${"ns/step in workerd".padStart(19)}`,
  ];
  try {
    for (const op of OPERATIONS) {
      const inWorkerd = await perOperation(async (n) => {
        const res = await fetch(new URL(`/?op=${encodeURIComponent(op.name)}&n=${n}`, url));
        if (!res.ok) throw new Error(`probe: ${res.status} ${await res.text()}`);
        await res.text();
      });
      const inNode = await perOperation((n) => runOperations(op.name, n, nodeKeys));
      out.push(
        `${op.name.padEnd(28)} ${String(op.steps).padStart(7)} ${fmtNs(inWorkerd).padStart(10)} ${fmtNs(inNode).padStart(10)} ${(inWorkerd / op.steps).toFixed(1).padStart(19)}`,
      );
    }
  } finally {
    await mf.dispose();
  }
  out.push("  (the budget's aim is about 50 ns a step: an operation above it is charged too little)");
  return out;
}
