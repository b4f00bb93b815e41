/**
 * The step budget bounds the work (issue 11, item 4): every hostile construct
 * of bench/hostile-cases.ts ends, with the default budget, in
 * eval_budget_exceeded or a documented limit error — never a finished
 * evaluation that did unbounded work. No timing here: the times are in
 * `npm run bench -- hostile`.
 */
import { createSign, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HOSTILE_CASES } from "../../../bench/hostile-cases.js";
import { MAX_INT_BITS, deepSize } from "../../../workers/rego/builtins/costs.js";
import { RObject, RSet, fromJS, type Value } from "../../../workers/rego/index.js";
import { run, value } from "./harness.js";

const LIMIT = new RegExp(`integer result larger than ${MAX_INT_BITS} bits`);

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** ES256 tokens for `subjects`, really signed, and the public JWK that verifies them. */
function es256Tokens(subjects: string[]): { tokens: string[]; jwk: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const tokens = subjects.map((sub) => {
    const signed = `${b64url('{"alg":"ES256"}')}.${b64url(JSON.stringify({ sub }))}`;
    return `${signed}.${b64url(sign("sha256", Buffer.from(signed), { key: privateKey, dsaEncoding: "ieee-p1363" }))}`;
  });
  return { tokens, jwk: JSON.stringify(publicKey.export({ format: "jwk" })) };
}

const code = (o: Awaited<ReturnType<typeof run>>) => (o.ok ? "ok" : o.error.code);

describe("hostile policies stop at the default budget", () => {
  for (const c of HOSTILE_CASES) {
    it(c.name, async () => {
      const o = await run(c.source, {
        ...(c.input === undefined ? {} : { input: c.input }),
        ...(c.data === undefined ? {} : { data: c.data }),
        ...(c.print ? { print: () => {} } : {}),
      });
      if (c.finishes) {
        expect(o.ok).toBe(true);
        return;
      }
      expect(o.ok ? `finished: ${JSON.stringify(value(o)).slice(0, 80)}` : o.stage).toBe("eval");
      if (o.ok) return;
      if (o.error.code === "eval_builtin_error") expect(o.error.message).toMatch(LIMIT);
      else expect(o.error.code).toBe("eval_budget_exceeded");
    });
  }
});

describe("the cost model", () => {
  it("charges a range for its length before building it", async () => {
    // two steps an element
    const src = "package p\nr := count(numbers.range(1, 300000))";
    expect(value(await run(src))).toBe(300000);
    const o = await run(src, { budget: 590_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("caps integers: results beyond the cap fail the evaluation even without strict mode", async () => {
    expect(value(await run("package p\nr := bits.lsh(1, 4000) > 0"))).toBe(true);
    for (const expr of [
      "bits.lsh(1, 5000)",
      "bits.lsh(1, 4000) * bits.lsh(1, 4000)",
      "product([bits.lsh(1, 3000), bits.lsh(1, 3000)])",
      "bits.lsh(1, 4095) + bits.lsh(1, 4095)",
    ]) {
      const o = await run(`package p\nr := ${expr} > 0`);
      expect(o.ok ? "ok" : o.error).toMatchObject({ code: "eval_builtin_error", message: expect.stringMatching(LIMIT) });
    }
  });

  it("charges string building by the bytes produced", async () => {
    // building the array alone takes about 40,000 steps
    const src = 'package p\nr := count(concat("", [x | some i in numbers.range(1, 5000); x := "abcdefghijklmnop"]))';
    expect(value(await run(src))).toBe(80000);
    const o = await run(src, { budget: 200_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("charges json.marshal by the size of the value", async () => {
    const src = "package p\nxs := numbers.range(1, 50000)\nr := count(json.marshal(xs))";
    expect((await run(src)).ok).toBe(true);
    const o = await run(src, { budget: 150_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("charges a regex compile once per evaluation for each pattern, and repeats only for matching", async () => {
    // 300 distinct patterns, each compiled once; then the same pattern 300 times.
    const fresh = 'package p\nr := count([1 | some i in numbers.range(1, 300); regex.match(sprintf("^x%dy(a|b)+$", [i]), "xab")])';
    const same = 'package p\nr := count([1 | some i in numbers.range(1, 300); regex.match("^x7y(a|b)+$", "xab")])';
    expect(value(await run(same, { budget: 60_000 }))).toBe(0);
    const o = await run(fresh, { budget: 60_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("charges the same for a pattern whatever other evaluations compiled: a decision does not depend on them", async () => {
    // The compile (12,000 steps and more) does not fit 12,000 steps, also once the program is cached.
    const pattern = "^caracal-(a|b)+-only-here$";
    const src = `package p\nr := regex.match("${pattern}", "caracal-ab-only-here")`;
    const other = `package p\nr := count([1 | some s in ["a", "b"]; regex.match("${pattern}", s)])`;
    for (const first of [src, other]) expect(value(await run(first))).toBe(first === src ? true : 0);
    for (let i = 0; i < 3; i++) {
      const o = await run(src, { budget: 12_000 });
      expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
    }
    const glob = `package p\nr := glob.match("caracal.*.only-here", ["."], "caracal.x.only-here")`;
    expect(value(await run(glob))).toBe(true);
    const g = await run(glob, { budget: 12_000 });
    expect(g.ok ? "ok" : g.error.code).toBe("eval_budget_exceeded");
  });

  it("charges a counted repetition by the program it expands to", async () => {
    // 17 characters, 900 instructions: the first (compiling) run does not fit 200,000 steps
    const src = 'package p\nr := regex.match("(a{30}){30}zq", "b")';
    const o = await run(src, { budget: 200_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
    expect(value(await run(src))).toBe(false);
    // 27,000 instructions: refused at the default budget
    const huge = await run('package p\nr := regex.match("((a{30}){30}){30}", "b")');
    expect(huge.ok ? "ok" : huge.error.code).toBe("eval_budget_exceeded");
  });

  it("charges yaml.unmarshal for every node its aliases expand to", async () => {
    const laughs = (levels: number) =>
      ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
        .concat(
          Array.from({ length: levels }, (_, i) => {
            const [p, q] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
            return `${q}: &${q} [${Array(10).fill(`*${p}`).join(",")}]`;
          }),
        )
        .join("\n");
    const src = "package p\nr := count(yaml.unmarshal(input.t))";
    // 2 levels: 73 characters expand to about 1,200 nodes (the same text without aliases takes 1,500 steps)
    expect(value(await run(src, { input: { t: laughs(2) } }))).toBe(3);
    const o = await run(src, { input: { t: laughs(2) }, budget: 50_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("charges comparisons and membership of composite values by their size", async () => {
    const input = { a: Array.from({ length: 100 }, () => Array.from({ length: 100 }, (_, j) => j)) };
    const b = { b: Array.from({ length: 100 }, () => Array.from({ length: 100 }, (_, j) => j)) };
    const eq = "package p\nr := count([1 | some i in numbers.range(1, 20); input.a == input.b])";
    expect(value(await run(eq, { input: { ...input, ...b } }))).toBe(20);
    // the same loop comparing a value with itself takes a few hundred steps
    const o = await run(eq, { input: { ...input, ...b }, budget: 300_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
    const member = 'package p\nr := count([1 | some i in numbers.range(1, 10); input.a in {"x"}])';
    expect(value(await run(member, { input }))).toBe(0);
    const m = await run(member, { input, budget: 200_000 });
    expect(m.ok ? "ok" : m.error.code).toBe("eval_budget_exceeded");
  });

  it("charges set operations by the hash keys of their members, not their count", async () => {
    // Sets handed in as input (built without SetAdd's charges): 200 arrays each holding a 40 KB string, 500,000 steps of keys a set.
    const s = "x".repeat(40_000);
    const input = {
      a: new Set(Array.from({ length: 200 }, (_, i) => [i, s])),
      b: new Set(Array.from({ length: 200 }, (_, i) => [i + 100, s])),
    };
    for (const op of ["&", "|", "-"]) {
      const src = `package p\nr := count(input.a ${op} input.b)`;
      expect(value(await run(src, { input, budget: 10_000_000 })), op).toBe(op === "|" ? 300 : op === "&" ? 100 : 100);
      const o = await run(src, { input });
      expect(o.ok ? "ok" : o.error.code, op).toBe("eval_budget_exceeded");
    }
  });

  it("charges string built-ins per character by default", async () => {
    const src = 'package p\nr := count([1 | some i in numbers.range(1, 10); strings.count(input.s, "a") > 0])';
    expect(value(await run(src, { input: { s: "a".repeat(50_000) } }))).toBe(10);
    const o = await run(src, { input: { s: "a".repeat(50_000) }, budget: 450_000 });
    expect(o.ok ? "ok" : o.error.code).toBe("eval_budget_exceeded");
  });

  it("bounds all the runs of an evaluation that waits for WebCrypto by one budget", async () => {
    // Each new signature suspends the evaluation, which then runs again from the start: with three,
    // the counting loop runs four times. One run fits the budget; four do not.
    const src = `package p
r := [count([x | some i in numbers.range(1, input.n); x := i]), count([t | some t in input.ts; io.jwt.verify_es256(t, input.k)])]`;
    const { tokens, jwk } = es256Tokens(["a", "b", "c"]);
    const input = { n: 20_000, ts: tokens, k: jwk };
    expect(value(await run(src, { input: { ...input, ts: [] }, budget: 300_000 }))).toEqual([20_000, 0]);
    expect(code(await run(src, { input, budget: 300_000 }))).toBe("eval_budget_exceeded");
    expect(value(await run(src, { input, budget: 1_200_000 }))).toEqual([20_000, 3]);
  });

  it("refuses a budget or a spent count that would lift the bound (NaN, negative)", async () => {
    const src = "package p\nr := count([x | some x in numbers.range(1, 100)])";
    for (const options of [{ budget: Number.NaN }, { budget: -1 }, { spent: Number.NaN }, { spent: -1_000_000 }]) {
      const o = await run(src, options);
      expect(o.ok ? "ok" : `${o.error.code}: ${o.error.message}`).toBe(
        "eval_internal_error: the step budget and the steps spent must be non-negative numbers",
      );
    }
    expect(value(await run(src, { spent: 999_000 }))).toBe(100);
    expect(code(await run(src, { spent: 999_900 }))).toBe("eval_budget_exceeded");
  });

  it("ends an evaluation that waits for WebCrypto more than 256 times with a budget error, also under a raised budget", async () => {
    const { tokens, jwk } = es256Tokens(Array.from({ length: 260 }, (_, i) => `s${i}`));
    const src = "package p\nr := count([t | some t in input.ts; io.jwt.verify_es256(t, input.k)])";
    const o = await run(src, { input: { ts: tokens, k: jwk }, budget: 1e9 });
    expect(o.ok ? "ok" : `${o.error.code}: ${o.error.message}`).toMatch(/^eval_budget_exceeded: .*more than 256 times/);
  });

  it("charges WebCrypto's work once per distinct operation, and its preparation on every call", async () => {
    const { tokens, jwk } = es256Tokens(["a"]);
    const src = "package p\nr := count([i | some i in numbers.range(1, 20); io.jwt.verify_es256(input.t, input.k)])";
    // 20 preparations (1,800 steps each) and one verification (10,000): far less than 20 verifications.
    expect(value(await run(src, { input: { t: tokens[0], k: jwk }, budget: 80_000 }))).toBe(20);
    expect(code(await run(src, { input: { t: tokens[0], k: jwk }, budget: 30_000 }))).toBe("eval_budget_exceeded");
  });

  it("charges RSA verification by the size of the key's modulus and exponent", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const signed = `${b64url('{"alg":"RS256"}')}.${b64url('{"sub":"a"}')}`;
    const token = `${signed}.${b64url(createSign("sha256").update(signed).sign(privateKey))}`;
    const src = "package p\nr := io.jwt.verify_rs256(input.t, input.k)";
    expect(value(await run(src, { input: { t: token, k: JSON.stringify(publicKey.export({ format: "jwk" })) }, budget: 20_000 }))).toBe(
      true,
    );
    // 16,384 bits with the largest exponent Go accepts: one check is half a million steps.
    const hostile = HOSTILE_CASES.find((c) => c.name.startsWith("io.jwt.verify_rs256 with a 16,384-bit key"));
    expect(code(await run(src, { input: hostile?.input, budget: 400_000 }))).toBe("eval_budget_exceeded");
  });

  it("charges an RSA private key's CRT parameters by the size of its primes", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const src = "package p\nr := count(crypto.x509.parse_rsa_private_key(input.k)) > 0";
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect(value(await run(src, { input: { k: pem }, budget: 30_000 }))).toBe(true);
    // 16,384 bits: one inverse of 8,192-bit primes is about 790,000 steps.
    const hostile = HOSTILE_CASES.find((c) => c.name.startsWith("crypto.x509.parse_rsa_private_key of a 16,384-bit key"));
    expect(code(await run(src, { input: hostile?.input, budget: 700_000 }))).toBe("eval_budget_exceeded");
    expect(value(await run(src, { input: hostile?.input, budget: 1_000_000 }))).toBe(true);
  });

  it("measures a value's size the same on the flat fast paths as by the walk", () => {
    // The walk's count, written out: a node per composite, a scalar's size per scalar.
    const reference = (v: Value): number => {
      if (Array.isArray(v)) return 1 + v.reduce((n: number, x) => n + reference(x), 0);
      if (v instanceof RObject) return 1 + [...v.entries()].reduce((n: number, [k, x]) => n + reference(k) + reference(x), 0);
      if (v instanceof RSet) return 1 + v.values().reduce((n: number, x) => n + reference(x), 0);
      return typeof v === "string" ? 1 + Math.ceil(v.length / 16) : typeof v === "bigint" ? 1 + (v.toString(2).length >> 6) : 1;
    };
    const values: Value[] = [
      fromJS({ action: "read", object: "object-1-2" }),
      fromJS({}),
      fromJS({ a: null, b: true, c: 1.5, d: "x".repeat(100) }),
      fromJS({ a: [1, 2], b: "y" }),
      fromJS(Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, i]))),
      fromJS(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v".repeat(i)]))),
      fromJS([1, "two", null]),
      fromJS([{ a: 1 }, [2, [3]]]),
      RObject.from([
        [[1, 2], "composite key"],
        ["b", 2],
      ]),
      RSet.from(["a", 1n << 200n, [1]]),
    ];
    for (const v of values) expect(deepSize(v)).toBe(reference(v));
  });
});
