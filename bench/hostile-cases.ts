/**
 * Hostile policies (issue 11, item 4): the most expensive constructs we could
 * think of, each written to run far beyond the default step budget. Used by
 * `npm run bench -- hostile` (time until the budget stops them) and by
 * test/unit/robustness/budget.test.ts (each must end in eval_budget_exceeded
 * or a documented limit error). Every policy defines `r`.
 */

export interface HostileCase {
  name: string;
  source: string;
  /** a getter: built when a case runs, so importing the cases allocates nothing big */
  readonly input?: unknown;
  /** base documents, a getter like input */
  readonly data?: unknown;
  /** the construct completes within the budget (listed for its time, not as a limit test) */
  finishes?: boolean;
  /** evaluate with a print hook (as `caracal test` and explain do), so print formats its operands */
  print?: boolean;
}

const big = (lines: string[]) => `package p\n${lines.join("\n")}\n`;

/** base64url without padding of an ASCII text (btoa: the cases load in workerd too, which has no Buffer). */
const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** A JWT-shaped token of about 64 KB (the signature is not valid). */
const bigToken = `${b64url('{"alg":"HS256"}')}.${b64url(JSON.stringify({ xs: Array.from({ length: 8000 }, (_, i) => i) }))}.c2ln`;

/** s0 … s<n>: a string doubled n times, starting from `seed`. */
function doublings(n: number, seed: string, step: (prev: string) => string): string[] {
  const out = [`s0 := ${JSON.stringify(seed)}`];
  for (let i = 1; i <= n; i++) out.push(`s${i} := ${step(`s${i - 1}`)}`);
  return out;
}

/** 2,000 pairs [from + i, s] sharing one string s of 150,000 characters. */
function bigPairs(from: number): [number, string][] {
  const s = "x".repeat(150_000);
  return Array.from({ length: 2000 }, (_, i) => [from + i, s]);
}

/** 2,000 strings of 150,000 characters that differ only at their end. */
function longStrings(): string[] {
  const s = "x".repeat(150_000);
  return Array.from({ length: 2000 }, (_, i) => s + i);
}

/** base64url without padding of bytes. */
const b64urlBytes = (b: Uint8Array) => b64url(String.fromCharCode(...b));

/** A JWS-shaped token whose signature is `sig` (not a valid one). */
const signedToken = (alg: string, sig: Uint8Array) => `${b64url(JSON.stringify({ alg }))}.${b64url('{"sub":"x"}')}.${b64urlBytes(sig)}`;

/** Bytes i → f(i). */
const bytesOf = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i) & 0xff);

/**
 * An RSA public JWK of 16,384 bits with the largest exponent Go accepts (2^31 - 1), and a token
 * of that size: the modulus is not a real key's, which costs the check the same work.
 */
const bigRSAKey = JSON.stringify({
  kty: "RSA",
  n: b64urlBytes(bytesOf(2048, (i) => (i === 0 ? 0xff : i === 2047 ? 0x81 : i * 131 + 7))),
  e: "f____w",
});
const bigRSAToken = signedToken(
  "RS256",
  bytesOf(2048, (i) => (i === 0 ? 0x10 : i * 37 + 1)),
);

/** DER of a non-negative INTEGER. */
function derInteger(v: bigint): number[] {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = (hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16));
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return [2, ...derLength(bytes.length), ...bytes];
}

function derLength(n: number): number[] {
  if (n < 128) return [n];
  const out: number[] = [];
  for (let x = n; x > 0; x >>= 8) out.unshift(x & 0xff);
  return [0x80 | out.length, ...out];
}

/** An odd number of `bits` bits from a seed (not a prime: the parse never checks, and costs the same). */
function oddNumber(bits: number, seed: number): bigint {
  let x = seed;
  let hex = "8";
  for (let i = 1; i < bits / 4; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    hex += ((x >>> 16) & 15).toString(16);
  }
  return BigInt(`0x${hex}`) | 1n;
}

/** A PKCS #1 RSA private key PEM of `bits` bits whose numbers have the right sizes. */
function rsaPrivatePEM(bits: number): string {
  const [p, q, d] = [oddNumber(bits / 2, 1), oddNumber(bits / 2, 2), oddNumber(bits - 8, 3)];
  const body = [0n, p * q, 65537n, d, p, q, d % (p - 1n), d % (q - 1n), 12345n].flatMap(derInteger);
  const der = [0x30, ...derLength(body.length), ...body];
  const b64 = btoa(String.fromCharCode(...der)).replace(/.{64}/g, "$&\n");
  return `-----BEGIN RSA PRIVATE KEY-----\n${b64}\n-----END RSA PRIVATE KEY-----\n`;
}

/** A P-256 public JWK (test data only). */
const EC_KEY =
  '{"kty":"EC","x":"9jnEx65ZRDGNpIKi5Y82pMF4RZgyJP_GVSyspHoEYAk","y":"xA00D9e1IcNSnZ8pp8AgloFTDW8QXF57UF7cBWrFjKE","crv":"P-256"}';

/** An RSA private JWK of 2,048 bits (test data only: it signs nothing but these cases). */
const RSA_PRIVATE_KEY =
  '{"kty":"RSA","n":"6_YzT05LVTjQg8dFmFWgtlzserV63afVeCl50OG3XTKVWuLEx2_g-zH3dEGKqgef596aQDBeuQiJ5vGc07IhL_wd-cdeoC0gj1RuS8-kJxdF2wctaWPI3BXPgC1dLF8HKmdqaTtc2LeGSQZsrpvJVB747mJyrVkOzs2ewZzf1Zmh65PUwC7DMPT0YFGrG0BqOhEZhCwg8xKJahtVJYjPBO10yabkXovhTcjrO2JNtG4OqmaqlJpxFkQGF1nyfaNC6mzoCT8GPpDpgdBq-v8HVRaFK5sfHn8GKQ49kJ4mh-H31HXX8K9o-mLbNCYLqcwAG_oKu9Kfb7Na34VWlb_cyQ","e":"AQAB","d":"Cifq3fE3_1dGbEGVroCS_f5iZEau3t70KmuYlWO9rWp5sLN9djsLwywLo0qV4gsZeBSl7XjXft3N961zC06JrKPMk31gBoNiuSCQbb1mapNPG6YDr5tOoCBlMbZiIgCGEa5pT1WxgZdmlXqMD3jfkboSi0ob9veUElUZzeoHXU1eGL0gmkqaUUfNjST0ptNUc2G1sQkfoM3eA3vNcshYdfPJJYPiSKDkYXWnqr_-W67XJp0--ohRA3ndBdVoKjHgpV7QIzyMDa3-xlVxI0bwQxWdpsC_AQn_-uMB2c2guRD0EOLMmVhyh7CECw7nMHmC6gFiDZt6w_UwaBK4iGlCTQ","p":"-VeqBCdSrzPM9p0LncMDelfTXrNtzp_5-mxKbVVF--q4uU-qSzm0-XreHitdbtkQaeYHr_CIUp6qvt29Pmc1_103avA24wXmznUc36nip-mM3Ejy876KCmg3KqIqXDw79UAvzsKQlodHdo6pN4MKgK88Du6FlWfnfhE75BWcpa0","q":"8kMTJVkP72zAoqvV1AG5_xbAaWhePdH-9Y8tr-CdpjgcQ731z00qIMOZUDawb1jdAxbgqTUeEmpcCmxfsWDdlsCabmnbHnVxowpScBfEz_SXI2UsYKsI1aVjOZxXvoZloR8wGNKLGvOFyI_kfrc4oAcAGBLFjVCQaC7oZZQZnw0","dp":"4FuLNfWUJuX7daRWAXyqMnm4TawyEAxOyJCMX9itAkJwOP6AAvRH7XwrRQZMKiPS6xb6r8tFPuJaTSgE0pPYOJFN_kFrgdebmQY0FuUsd15lSwmw4rX-S-L-ULReXWQtpz48RlU3-Np86SbxCGw3FReYeO8S8B7wY7VqKI9xxnk","dq":"yg_T-kSsm-AzU_rK4IeIIRFS7xgT8rAiXaJMUvOfyjHmsUHRslQEHUvHpjXXNygBP0Bnpfod2PJJTpBRyFqot8JxjEJSdrcyTvCfDctlZqX1IZqTRxWgysGlXzndnZXvUlH3Bd0mFRaksUIDLQWY_zCXjXyqtVFLAPqO75p1PEk","qi":"ew25MgNvqQeoXUXXt9IT_6r2Ob-83sudZlYPbDrnqmIBzqSmyA6eozSCPOoQFg1YbjUxAON54xs2FzomINCRMli5sQidZO041-ZiArKsqX2kKBSXnlU3R3DCZVfFSAjMXao6fY_-lIZQBtUKBQGXjHUDpHM6JMAMdsMCBkx2ovY"}';

export const HOSTILE_CASES: HostileCase[] = [
  { name: "numbers.range × 1,500", source: big(["r := [n | some i in numbers.range(1, 1500); n := count(numbers.range(1, 999999))]"]) },
  {
    name: "numbers.range nested",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000)])"]),
  },
  {
    name: "24 chained squarings",
    source: big([
      "x0 := 123456789012345678901234567890",
      ...Array.from({ length: 24 }, (_, i) => `x${i + 1} := x${i} * x${i}`),
      "r := x24 > 0",
    ]),
  },
  {
    name: "2,048-bit multiplications in a loop",
    source: big(["b := bits.lsh(1, 2047) + 12345", "r := count([y | some i in numbers.range(1, 200000); y := b * (b + i)])"]),
  },
  { name: "bits.lsh to 2^20 bits", source: big(["r := bits.lsh(1, 1048000) > 0"]) },
  {
    name: "big-integer division in a loop",
    source: big(["b := bits.lsh(1, 4000)", "r := count([y | some i in numbers.range(1, 200000); y := b / (i + 3)])"]),
  },
  {
    name: "format_int of big integers",
    source: big(["b := bits.lsh(1, 4000)", "r := count([y | some i in numbers.range(1, 200000); y := format_int(b + i, 2)])"]),
  },
  { name: "string doubling by concat", source: big([...doublings(40, "abcdefgh", (p) => `concat("", [${p}, ${p}])`), "r := count(s40)"]) },
  {
    name: "string doubling by sprintf",
    source: big([...doublings(40, "abcdefgh", (p) => `sprintf("%s%s", [${p}, ${p}])`), "r := count(s40)"]),
  },
  {
    name: "sprintf with a huge width",
    source: big(['r := count([s | some i in numbers.range(1, 100000); s := sprintf("%0999999d", [i])])']),
  },
  { name: "replace that multiplies a string", source: big([...doublings(30, "aa", (p) => `replace(${p}, "a", "aa")`), "r := count(s30)"]) },
  {
    name: "concat of a big array, repeated",
    source: big([
      "xs := [x | some i in numbers.range(1, 50000); x := format_int(i, 10)]",
      'r := count([s | some i in numbers.range(1, 100000); s := concat(",", xs)])',
    ]),
  },
  {
    name: "json.marshal of a 100,000-element array, repeated",
    source: big(["xs := numbers.range(1, 100000)", "r := count([s | some i in numbers.range(1, 1000); s := json.marshal(xs)])"]),
  },
  {
    name: "json.unmarshal of a big text, repeated",
    source: big([
      "t := json.marshal(numbers.range(1, 100000))",
      "r := count([s | some i in numbers.range(1, 1000); s := json.unmarshal(t)])",
    ]),
  },
  {
    name: "yaml.marshal and unmarshal, repeated",
    source: big([
      "xs := numbers.range(1, 20000)",
      "r := count([s | some i in numbers.range(1, 1000); s := yaml.unmarshal(yaml.marshal(xs))])",
    ]),
  },
  {
    // Each line is padded by twice its depth: the text grows with the square of the nesting (4 MB for 2,000 levels).
    name: "yaml.marshal of an object nested 3,000 deep",
    source: big(["r := count(yaml.marshal(input.x))"]),
    get input() {
      let x: unknown = 1;
      for (let i = 0; i < 3000; i++) x = { a: x };
      return { x };
    },
  },
  {
    name: "regex over a long text, repeated",
    source: big([
      ...doublings(16, "ab", (p) => `concat("", [${p}, ${p}])`),
      'r := count([1 | some i in numbers.range(1, 100000); regex.match("(a|b)*c(a|b)*(a|b)*(a|b)*$", s16)])',
    ]),
  },
  {
    name: "regex.find_n over a long text",
    source: big([
      ...doublings(16, "ab", (p) => `concat("", [${p}, ${p}])`),
      'r := count([x | some i in numbers.range(1, 100000); x := regex.find_n("[ab]", s16, -1)])',
    ]),
  },
  {
    name: "glob.match with many wildcards",
    source: big([
      ...doublings(14, "aa", (p) => `concat("", [${p}, ${p}])`),
      'r := count([1 | some i in numbers.range(1, 100000); glob.match("*a*a*a*a*a*a*a*a*b", [], s14)])',
    ]),
  },
  {
    name: "sort of a big array, repeated",
    source: big([
      "xs := [x | some i in numbers.range(1, 100000); x := 100000 - i]",
      "r := count([s | some i in numbers.range(1, 1000); s := sort(xs)])",
    ]),
  },
  {
    name: "walk of a big value, repeated",
    source: big([
      'o := {k: [1, 2, {"a": k}] | some k in numbers.range(1, 20000)}',
      "r := count([n | some i in numbers.range(1, 1000); n := count([p | walk(o, [p, _])])])",
    ]),
  },
  {
    name: "object.union of big objects, repeated",
    source: big([
      "a := {k: k | some k in numbers.range(1, 50000)}",
      "b := {k: 0 | some k in numbers.range(25000, 75000)}",
      "r := count([u | some i in numbers.range(1, 1000); u := object.union(a, b)])",
    ]),
  },
  {
    name: "set union and intersection, repeated",
    source: big([
      "a := {k | some k in numbers.range(1, 50000)}",
      "b := {k | some k in numbers.range(25000, 75000)}",
      "r := count([u | some i in numbers.range(1, 1000); u := (a | b) & a])",
    ]),
  },
  {
    name: "comprehension over a cross product",
    source: big(["xs := numbers.range(1, 10000)", "r := count([[x, y] | some x in xs; some y in xs])"]),
  },
  {
    name: "functions called in a loop",
    source: big([
      "f(n) := count([x | some x in numbers.range(1, n)])",
      "g(n) := f(n) + f(n + 1)",
      "r := sum([y | some i in numbers.range(1, 100000); y := g(i)])",
    ]),
  },
  {
    name: "graph.reachable over a big graph, repeated",
    source: big([
      "g := {k: [k + 1, k + 2] | some k in numbers.range(1, 50000)}",
      "r := count([n | some i in numbers.range(1, 1000); n := count(graph.reachable(g, [1]))])",
    ]),
  },
  {
    name: "graph.reachable_paths over a dense graph",
    source: big([
      "g := {k: [j | some j in numbers.range(1, 40); j != k] | some k in numbers.range(1, 12)}",
      "r := count(graph.reachable_paths(g, [1]))",
    ]),
    finishes: true,
  },
  {
    name: "units.parse with a huge exponent",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := units.parse("1e99999K")])']),
  },
  {
    name: "time built-ins in a loop",
    source: big([
      'r := count([x | some i in numbers.range(1, 200000); x := time.format([i * 1000000000, "America/New_York", "Mon Jan _2 15:04:05.000000000 MST 2006"])])',
    ]),
  },
  {
    name: "with replacing a key of a big input, repeated",
    source: big(["q := input.k", "r := count([x | some i in numbers.range(1, 200000); x := q with input.k as i])"]),
    get input() {
      return Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, i]).concat([["k", 0]]));
    },
  },
  {
    name: "equality of big arrays, repeated",
    source: big([
      "xs := numbers.range(1, 100000)",
      "ys := numbers.range(1, 100000)",
      "r := count([1 | some i in numbers.range(1, 100000); xs == ys])",
    ]),
  },
  {
    name: "big arrays as set members, repeated",
    source: big(["xs := numbers.range(1, 100000)", "r := count({[i, xs] | some i in numbers.range(1, 100000)})"]),
  },
  {
    name: "upper and count of a long string, repeated",
    source: big([
      ...doublings(20, "ab", (p) => `concat("", [${p}, ${p}])`),
      "r := count([n | some i in numbers.range(1, 100000); n := count(upper(s20))])",
    ]),
  },
  {
    name: "split into characters, repeated",
    source: big([
      ...doublings(20, "ab", (p) => `concat("", [${p}, ${p}])`),
      'r := count([n | some i in numbers.range(1, 100000); n := count(split(s20, ""))])',
    ]),
  },
  {
    name: "net.cidr_expand of a /16, repeated",
    source: big(['r := count([n | some i in numbers.range(1, 10000); n := count(net.cidr_expand("10.0.0.0/16"))])']),
  },
  // ---- strings -----------------------------------------------------------------------------
  {
    name: "strings.replace_n with 200 pairs over a 64 KB input string, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := strings.replace_n(input.pairs, input.s)])"]),
    get input() {
      return { s: "ab".repeat(32768), pairs: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`a${i}`, "xyz"])) };
    },
  },
  {
    name: "split of a 64 KB input string on a one-byte separator, repeated",
    source: big(['r := count([n | some i in numbers.range(1, 100000); n := count(split(input.s, ","))])']),
    get input() {
      return { s: "a,".repeat(32768) };
    },
  },
  {
    name: "strings.split_n of a 64 KB input string into all parts, repeated",
    source: big(['r := count([n | some i in numbers.range(1, 100000); n := count(strings.split_n(input.s, ",", -1))])']),
    get input() {
      return { s: "a,".repeat(32768) };
    },
  },
  {
    name: "indexof_n of a one-byte needle over a 64 KB input string, repeated",
    source: big(['r := count([n | some i in numbers.range(1, 100000); n := count(indexof_n(input.s, "a"))])']),
    get input() {
      return { s: "a".repeat(65536) };
    },
  },
  {
    name: "strings.count of a one-byte needle over a 64 KB input string, repeated",
    source: big(['r := count([n | some i in numbers.range(1, 100000); n := strings.count(input.s, "a")])']),
    get input() {
      return { s: "a".repeat(65536) };
    },
  },
  {
    name: "strings.reverse of a 64 KB input string, repeated",
    source: big(["r := count([n | some i in numbers.range(1, 100000); n := strings.reverse(input.s)])"]),
    get input() {
      return { s: "ab".repeat(32768) };
    },
  },
  {
    name: "trim with a 4 KB cutset over a 64 KB input string, repeated",
    source: big(["r := count([n | some i in numbers.range(1, 100000); n := trim(input.s, input.cut)])"]),
    get input() {
      return { s: "a".repeat(65536), cut: Array.from({ length: 4096 }, (_, i) => String.fromCharCode(0x100 + i)).join("") };
    },
  },
  {
    name: "substring of a 64 KB input string, repeated",
    source: big(["r := count([n | some i in numbers.range(1, 100000); n := substring(input.s, 1, 60000)])"]),
    get input() {
      return { s: "é".repeat(65536) };
    },
  },
  {
    name: "lower of a 64 KB non-ASCII input string, repeated",
    source: big(["r := count([n | some i in numbers.range(1, 100000); n := lower(input.s)])"]),
    get input() {
      return { s: "ÀÉÎ".repeat(21845) };
    },
  },
  {
    name: "equality of two equal 1 MB strings built apart, repeated",
    source: big([
      ...doublings(16, "abcdefghijklmnop", (p) => `concat("", [${p}, ${p}])`),
      'r := count([1 | some i in numbers.range(1, 200000); s16 == concat("", [s15, s15])])',
    ]),
  },
  {
    name: "comparison of two 1 MB input strings that differ at the end, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 200000); input.a < input.b])"]),
    get input() {
      return { a: `${"x".repeat(1 << 20)}a`, b: `${"x".repeat(1 << 20)}b` };
    },
  },
  {
    name: "contains of a near-miss needle in a 64 KB input string, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); contains(input.s, input.needle)])"]),
    get input() {
      return { s: "a".repeat(65536), needle: `${"a".repeat(2048)}b` };
    },
  },
  {
    name: "sprintf %v of a nested 5,000-node value, repeated",
    source: big([
      'v := [{"k": [i, "abc", {"x": true}]} | some i in numbers.range(1, 700)]',
      'r := count([s | some i in numbers.range(1, 100000); s := sprintf("%v", [v])])',
    ]),
  },
  {
    name: "sprintf %d of a 4,000-bit integer, repeated",
    source: big(["b := bits.lsh(1, 4000)", 'r := count([s | some i in numbers.range(1, 200000); s := sprintf("%d", [b + i])])']),
  },
  {
    name: "strings.render_template with a range over a big input array, repeated",
    source: big([
      'r := count([s | some i in numbers.range(1, 100000); s := strings.render_template("{{range .xs}}{{.}},{{end}}", {"xs": input.xs})])',
    ]),
    get input() {
      return { xs: Array.from({ length: 20000 }, (_, i) => i) };
    },
  },

  // ---- regex and glob ----------------------------------------------------------------------
  {
    name: "regex.match with a fresh pattern per call",
    source: big(['r := count([1 | some i in numbers.range(1, 200000); regex.match(sprintf("^(a|b)*%d(c|d)+[a-z]{2,9}$", [i]), "abab")])']),
  },
  {
    name: "regex.match with a fresh nested-repeat pattern per call",
    source: big(['r := count([1 | some i in numbers.range(1, 200000); regex.match(sprintf("((a{%d}){30}){30}", [i % 30 + 1]), "b")])']),
  },
  {
    name: "regex.is_valid of fresh nested-repeat patterns",
    source: big(['r := count([1 | some i in numbers.range(1, 200000); regex.is_valid(sprintf("(((a{%d}){10}){10}){10}", [i]))])']),
  },
  {
    name: "regex.replace over a 64 KB input string, repeated",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := regex.replace(input.s, "a", "bb")])']),
    get input() {
      return { s: "a".repeat(65536) };
    },
  },
  {
    name: "regex.split of a 64 KB input string, repeated",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := regex.split(",", input.s)])']),
    get input() {
      return { s: "a,".repeat(32768) };
    },
  },
  {
    name: "regex.find_all_string_submatch_n over a 64 KB input string",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := regex.find_all_string_submatch_n("(a)(b)?", input.s, -1)])']),
    get input() {
      return { s: "a".repeat(65536) };
    },
  },
  {
    name: "regex.globs_match of two long wildcard patterns, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); regex.globs_match(input.a, input.b)])"]),
    get input() {
      return { a: "a.*".repeat(200), b: ".*b".repeat(200) };
    },
  },
  {
    // The library's walk recurses once per starred token and backtracks: 30,000 alternating stars against "." ran 6.7 s and overflowed the stack.
    name: "regex.globs_match of 60,000 alternating starred tokens against a dot",
    source: big(["r := regex.globs_match(input.a, input.b)"]),
    get input() {
      return { a: "a*b*".repeat(30000), b: "." };
    },
  },
  {
    name: "regex.globs_match of a 1 MB glob",
    source: big(["r := regex.globs_match(input.a, input.b)"]),
    get input() {
      return { a: "0".repeat(1_200_000), b: "i" };
    },
  },
  {
    name: "glob.match with a fresh pattern per call",
    source: big(['r := count([1 | some i in numbers.range(1, 200000); glob.match(sprintf("*a*%d*{x,y,z}*", [i]), ["."], "a.b.c")])']),
  },

  // ---- encodings ---------------------------------------------------------------------------
  {
    name: "base64.encode and decode of a 64 KB input string, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := base64.decode(base64.encode(input.s))])"]),
    get input() {
      return { s: "ab".repeat(32768) };
    },
  },
  {
    name: "hex.encode and decode of a 64 KB input string, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := hex.decode(hex.encode(input.s))])"]),
    get input() {
      return { s: "ab".repeat(32768) };
    },
  },
  {
    name: "urlquery.encode and decode of a 64 KB input string, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := urlquery.decode(urlquery.encode(input.s))])"]),
    get input() {
      return { s: "é &".repeat(21845) };
    },
  },
  {
    name: "urlquery.decode_object of a query of 10,000 parameters, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := urlquery.decode_object(input.q)])"]),
    get input() {
      return { q: Array.from({ length: 10000 }, (_, i) => `k${i}=v`).join("&") };
    },
  },
  {
    name: "urlquery.encode_object of a big input object, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := urlquery.encode_object(input.o)])"]),
    get input() {
      return { o: Object.fromEntries(Array.from({ length: 10000 }, (_, i) => [`k${i}`, ["a", "b"]])) };
    },
  },
  {
    name: "json.marshal_with_options with a long indent, repeated",
    source: big([
      'r := count([x | some i in numbers.range(1, 100000); x := json.marshal_with_options(input.v, {"pretty": true, "indent": input.indent})])',
    ]),
    get input() {
      return { v: Array.from({ length: 200 }, (_, i) => ({ a: [i, { b: i }] })), indent: " ".repeat(64) };
    },
  },
  {
    name: "json.marshal of a 64 KB input string of control characters, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := json.marshal(input.s)])"]),
    get input() {
      return { s: "\u0001".repeat(65536) };
    },
  },
  {
    name: "json.unmarshal of a 64 KB text of escapes, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := json.unmarshal(input.t)])"]),
    get input() {
      return { t: JSON.stringify("\u0001é".repeat(10000)) };
    },
  },
  {
    name: "yaml.unmarshal of nested aliases (billion laughs)",
    source: big(["r := count(yaml.unmarshal(input.t))"]),
    get input() {
      return {
        t: [
          'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
          ...Array.from({ length: 8 }, (_, i) => {
            const p = String.fromCharCode(97 + i);
            const q = String.fromCharCode(98 + i);
            return `${q}: &${q} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`;
          }),
        ].join("\n"),
      };
    },
  },
  {
    name: "yaml.unmarshal of a 64 KB flow sequence, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := yaml.unmarshal(input.t)])"]),
    get input() {
      return { t: `[${Array.from({ length: 10000 }, (_, i) => i).join(",")}]` };
    },
  },
  {
    name: "json.is_valid and yaml.is_valid of 64 KB texts, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); json.is_valid(input.t); yaml.is_valid(input.t)])"]),
    get input() {
      return { t: `[${Array.from({ length: 10000 }, (_, i) => i).join(",")}]` };
    },
  },

  // ---- objects, arrays, sets -----------------------------------------------------------------
  {
    name: "object.filter and object.remove with 10,000 keys, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := object.remove(object.filter(input.o, input.ks), input.ks)])"]),
    get input() {
      return {
        o: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, i])),
        ks: Array.from({ length: 10000 }, (_, i) => `k${i}`),
      };
    },
  },
  {
    name: "object.get with a 10,000-key path, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 200000); x := object.get(input.o, input.path, 0)])"]),
    get input() {
      return { o: {}, path: Array.from({ length: 10000 }, (_, i) => `k${i}`) };
    },
  },
  {
    name: "json.filter and json.remove with 2,000 paths, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := json.remove(json.filter(input.o, input.ps), input.ps)])"]),
    get input() {
      return {
        o: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, { a: i, b: [i] }])),
        ps: Array.from({ length: 2000 }, (_, i) => `k${i}/a`),
      };
    },
  },
  {
    name: "json.patch with 2,000 operations, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := json.patch(input.o, input.ops)])"]),
    get input() {
      return {
        o: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i])),
        ops: Array.from({ length: 2000 }, (_, i) => ({ op: "copy", from: `/k${i}`, path: `/c${i}` })),
      };
    },
  },
  {
    name: "object.union_n of 1,000 input objects, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := object.union_n(input.os)])"]),
    get input() {
      return { os: Array.from({ length: 1000 }, (_, i) => ({ [`k${i}`]: i, shared: { [`k${i}`]: i } })) };
    },
  },
  {
    name: "object.subset of a big input object, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); object.subset(input.o, input.o)])"]),
    get input() {
      return { o: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, [i]])) };
    },
  },
  {
    name: "array.concat, slice and reverse of big input arrays, repeated",
    source: big([
      "r := count([x | some i in numbers.range(1, 100000); x := array.reverse(array.slice(array.concat(input.xs, input.xs), 1, 30000))])",
    ]),
    get input() {
      return { xs: Array.from({ length: 20000 }, (_, i) => i) };
    },
  },
  {
    name: "array.flatten of a big nested input array, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := array.flatten(input.xs)])"]),
    get input() {
      return { xs: Array.from({ length: 5000 }, (_, i) => [i, [i, [i]]]) };
    },
  },
  {
    name: "intersection of 1,000 sets, repeated",
    source: big([
      "ss := {{j | some j in numbers.range(k, k + 50)} | some k in numbers.range(1, 1000)}",
      "r := count([x | some i in numbers.range(1, 100000); x := intersection(ss)])",
    ]),
  },
  {
    name: "union of 1,000 sets, repeated",
    source: big([
      "ss := {{j | some j in numbers.range(k, k + 50)} | some k in numbers.range(1, 1000)}",
      "r := count([x | some i in numbers.range(1, 100000); x := union(ss)])",
    ]),
  },
  {
    name: "sort of arrays that differ only in their last element",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := sort(input.xs)])"]),
    get input() {
      return { xs: Array.from({ length: 500 }, (_, i) => [...Array.from({ length: 200 }, () => 0), 500 - i]) };
    },
  },
  {
    name: "sum, max and product of a big input array, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := [sum(input.xs), max(input.xs), product(input.ones)]])"]),
    get input() {
      return { xs: Array.from({ length: 50000 }, (_, i) => i + 0.5), ones: Array.from({ length: 50000 }, () => 1) };
    },
  },
  {
    name: "count and type checks of big collections, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 300000); x := count(input.xs) + count(input.o)])"]),
    get input() {
      return {
        xs: Array.from({ length: 50000 }, (_, i) => i),
        o: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
      };
    },
  },

  // ---- numbers and bits --------------------------------------------------------------------
  {
    name: "bits.and, or, xor and rsh of 4,000-bit integers, repeated",
    source: big([
      "a := bits.lsh(1, 4000) - 1",
      "r := count([x | some i in numbers.range(1, 100000); x := bits.rsh(bits.xor(bits.or(a, i), bits.and(a, a - i)), 7)])",
    ]),
  },
  {
    name: "float arithmetic with a 4,000-bit integer, repeated",
    source: big(["a := bits.lsh(1, 4000) + 1", "r := count([x | some i in numbers.range(1, 200000); x := (a * 1.5) / 3.7 + 0.1])"]),
  },
  {
    name: "round, ceil and floor of huge floats, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 200000); x := round(1.5e300 * i) + ceil(2.5e300) + floor(-3.5e300)])"]),
  },
  {
    name: "to_number of a huge exponent",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := to_number(sprintf("1e%d", [100000 + i]))])']),
  },
  {
    name: "json.unmarshal of a number with a huge exponent",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := json.unmarshal(sprintf("1e%d", [100000 + i])) + 1])']),
  },
  {
    name: "units.parse_bytes with a huge exponent",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := units.parse_bytes("1e99999KiB")])']),
  },
  {
    name: "numbers.range_step with a tiny fractional step",
    source: big(["r := count(numbers.range_step(0, 1000000, 1))"]),
  },

  // ---- time, net, semver, uuid ---------------------------------------------------------------
  {
    name: "time.parse_rfc3339_ns, add_date and diff in a loop",
    source: big([
      'r := count([x | some i in numbers.range(1, 200000); t := time.parse_rfc3339_ns("2024-02-29T12:34:56.789+05:30"); x := time.diff(time.add_date(t + i, 1, 2, 3), t)])',
    ]),
  },
  {
    name: "time.parse_duration_ns of a long duration text, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := time.parse_duration_ns(input.d)])"]),
    get input() {
      return { d: "1h2m3s4ms5us6ns".repeat(1000) };
    },
  },
  {
    name: "time.parse_ns with a long layout, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := time.parse_ns(input.layout, input.value)])"]),
    get input() {
      return { layout: "2006-01-02 ".repeat(1) + "x".repeat(4096), value: `2024-01-02 ${"x".repeat(4096)}` };
    },
  },
  {
    // Go's error message quotes the text byte by byte (\xc3\xa9): this took 0.5 s once.
    name: "time.parse_rfc3339_ns of a 100,000-character non-ASCII text",
    source: big(["r := time.parse_rfc3339_ns(input.value)"]),
    get input() {
      return { value: "é".repeat(100000) };
    },
  },
  {
    // Each character went through a TextEncoder and a spread of its own: 1 s once.
    name: "uri.parse of a 430,000-character path",
    source: big(["r := count(uri.parse(input.value))"]),
    get input() {
      return { value: "0".repeat(430_000) };
    },
    finishes: true,
  },
  {
    name: "net.cidr_merge of 20,000 input addresses, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := net.cidr_merge(input.ips)])"]),
    get input() {
      return { ips: Array.from({ length: 20000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}/32`) };
    },
  },
  {
    name: "net.cidr_contains_matches of 300 × 300 CIDRs, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := net.cidr_contains_matches(input.a, input.a)])"]),
    get input() {
      return { a: Array.from({ length: 300 }, (_, i) => `10.${i & 255}.0.0/16`) };
    },
  },
  {
    name: "net.cidr_expand of an IPv6 /100",
    source: big(['r := count(net.cidr_expand("2001:db8::/100"))']),
  },
  {
    name: "net.cidr_contains and intersects in a loop",
    source: big([
      'r := count([1 | some i in numbers.range(1, 300000); net.cidr_contains("2001:db8::/32", "2001:db8:1::/48"); net.cidr_intersects("10.0.0.0/8", "10.1.0.0/16")])',
    ]),
  },
  {
    name: "semver.compare of versions with long prerelease parts, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := semver.compare(input.a, input.b)])"]),
    get input() {
      return {
        a: `1.2.3-${Array.from({ length: 2000 }, () => "a").join(".")}.1`,
        b: `1.2.3-${Array.from({ length: 2000 }, () => "a").join(".")}.2`,
      };
    },
  },
  {
    name: "uuid.parse and uuid.rfc4122 in a loop",
    source: big([
      'r := count([x | some i in numbers.range(1, 200000); x := [uuid.parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), uuid.rfc4122(sprintf("k%d", [i]))]])',
    ]),
  },

  // ---- crypto, tokens, graphql, rego ---------------------------------------------------------
  {
    name: "crypto.sha256, md5 and sha1 of a 64 KB input string, repeated",
    source: big([
      "r := count([x | some i in numbers.range(1, 100000); x := [crypto.sha256(input.s), crypto.md5(input.s), crypto.sha1(input.s)]])",
    ]),
    get input() {
      return { s: "ab".repeat(32768) };
    },
  },
  {
    name: "crypto.hmac.sha512 of a 64 KB input string, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := crypto.hmac.sha512(input.s, input.s)])"]),
    get input() {
      return { s: "ab".repeat(32768) };
    },
  },
  {
    name: "io.jwt.decode of a 64 KB input token, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := io.jwt.decode(input.t)])"]),
    get input() {
      return { t: bigToken };
    },
  },
  {
    name: "io.jwt.verify_hs256 of a 64 KB input token, repeated",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := io.jwt.verify_hs256(input.t, sprintf("k%d", [i]))])']),
    get input() {
      return { t: bigToken };
    },
  },
  {
    name: "io.jwt.encode_sign of a 650 KB payload",
    source: big(['r := io.jwt.encode_sign({"alg": "HS256"}, input.p, {"kty": "oct", "k": "c2VjcmV0"})']),
    get input() {
      return { p: { a: Array.from({ length: 20000 }, (_, i) => ({ [`k${i}`]: "v".repeat(20) })) } };
    },
  },
  {
    name: "io.jwt.verify_rs256 with a 16,384-bit key and a 31-bit exponent, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := io.jwt.verify_rs256(input.t, input.k)])"]),
    get input() {
      return { t: bigRSAToken, k: bigRSAKey };
    },
  },
  {
    name: "io.jwt.verify_es256 of one input token, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := io.jwt.verify_es256(input.t, input.k)])"]),
    get input() {
      return {
        t: signedToken(
          "ES256",
          bytesOf(64, () => 1),
        ),
        k: EC_KEY,
      };
    },
  },
  {
    name: "io.jwt.verify_es256 of 250 different input tokens (a re-run of the evaluation each)",
    source: big(["r := count([x | some t in input.ts; x := io.jwt.verify_es256(t, input.k)])"]),
    get input() {
      return {
        ts: Array.from({ length: 250 }, (_, n) =>
          signedToken(
            "ES256",
            bytesOf(64, (i) => (i < 2 ? n >> (8 * i) : 1)),
          ),
        ),
        k: EC_KEY,
      };
    },
  },
  {
    name: "io.jwt.encode_sign with an RS256 key of 250 different payloads (a re-run each)",
    source: big(['r := count([x | some i in numbers.range(1, 250); x := io.jwt.encode_sign({"alg": "RS256"}, {"i": i}, input.k)])']),
    get input() {
      return { k: JSON.parse(RSA_PRIVATE_KEY) };
    },
  },
  {
    name: "crypto.x509.parse_rsa_private_key of a 16,384-bit key, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := crypto.x509.parse_rsa_private_key(input.k)])"]),
    get input() {
      return { k: rsaPrivatePEM(16384) };
    },
  },
  {
    name: "graphql.parse_query of a 64 KB query, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := graphql.parse_query(input.q)])"]),
    get input() {
      return { q: `{ ${Array.from({ length: 6000 }, (_, i) => `f${i}`).join(" ")} }` };
    },
  },
  {
    name: "graphql.is_valid of a query against a big schema, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); graphql.is_valid(input.q, input.schema); x := i])"]),
    get input() {
      return {
        schema: `type Query { ${Array.from({ length: 2000 }, (_, i) => `f${i}: Int`).join(" ")} }`,
        q: `{ ${Array.from({ length: 2000 }, (_, i) => `f${i}`).join(" ")} }`,
      };
    },
  },
  {
    name: "rego.parse_module of a 64 KB module, repeated",
    source: big(['r := count([x | some i in numbers.range(1, 100000); x := rego.parse_module("m.rego", input.m)])']),
    get input() {
      return { m: `package m\n${Array.from({ length: 2000 }, (_, i) => `r${i} if { input.x[${i}] == "a" }`).join("\n")}\n` };
    },
  },
  {
    name: "json.match_schema of a big input document, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := json.match_schema(input.doc, input.schema)])"]),
    get input() {
      return {
        doc: Array.from({ length: 5000 }, (_, i) => ({ a: i, b: "x" })),
        schema: {
          type: "array",
          items: { type: "object", properties: { a: { type: "integer" }, b: { type: "string", pattern: "^x+$" } } },
          uniqueItems: true,
        },
      };
    },
  },
  {
    name: "crypto.x509.parse_certificates of garbage, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 100000); x := crypto.x509.parse_certificates(input.c)])"]),
    get input() {
      return { c: btoa("0".repeat(49152)) };
    },
  },

  // ---- graphs, equality, membership, with ----------------------------------------------------
  {
    name: "graph.reachable_paths over a binary tree of 4,096 leaves, repeated",
    source: big([
      "g := {k: [2 * k, 2 * k + 1] | some k in numbers.range(1, 4095)}",
      "r := count([x | some i in numbers.range(1, 100000); x := count(graph.reachable_paths(g, [1]))])",
    ]),
  },
  {
    // The starting vertices are hashed into a set, each by its contents: 0.9 s once, charged by the graph alone.
    name: "graph.reachable from 2,000 composite vertices holding a 150 KB string",
    source: big(["r := count(graph.reachable({}, input.start))"]),
    get input() {
      return { start: bigPairs(0) };
    },
  },
  {
    // Finding equal members compares their hash keys whole: 0.3-0.46 s once, charged by the member count.
    name: "intersection, union and difference of input sets of 2,000 arrays holding a 150 KB string",
    source: big(["r := [count(input.a & input.b), count(input.a | input.b), count(input.a - input.b)]"]),
    get input() {
      return { a: new Set(bigPairs(0)), b: new Set(bigPairs(1000)) };
    },
  },
  {
    // The keys to remove are hashed into a set, each by its contents: 0.31 s once, charged by their count.
    name: "object.remove of 2,000 composite keys holding a 150 KB string",
    source: big(["r := object.remove({}, input.keys)"]),
    get input() {
      return { keys: bigPairs(0) };
    },
  },
  {
    // An array key is hashed by its contents on every lookup: this ran 34 s to the end once, a step per lookup.
    name: "lookup by an array key holding a 150 KB string, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); input.o[input.k]])"]),
    get input() {
      return { o: { a: 1 }, k: [1, "x".repeat(150_000)] };
    },
  },
  {
    name: "set lookup of an array holding a 150 KB string, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); not input.s[input.k]])"]),
    get input() {
      return { s: new Set(["a"]), k: [1, "x".repeat(150_000)] };
    },
  },
  {
    // Two bodies giving equal big values are compared for the conflict check: 27 s to the budget once, a step per call.
    name: "a function whose two bodies return equal 100,000-element arrays, called 100,000 times",
    source: big(["f(x) := input.a if x > 0", "f(x) := input.b if x > 1", "r := count([1 | some i in numbers.range(2, 100000); f(i)])"]),
    get input() {
      return { a: Array.from({ length: 100_000 }, (_, i) => i), b: Array.from({ length: 100_000 }, (_, i) => i) };
    },
  },
  {
    // Each read merges the base document with the rules' at every level, and each level re-walked all of
    // the one below it: 18 s to the budget once, charged by the top-level sizes.
    name: "reading a base document of 27,000 leaves under a package with a rule, repeated",
    source: big(["q.k0.k0.x := 1", "r := count([1 | some i in numbers.range(1, 100000); count(data.p.q) > 0])"]),
    get data() {
      const level = (d: number): unknown =>
        d === 0 ? 1 : Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, level(d - 1)]));
      return { p: { q: level(3) } };
    },
  },
  {
    // V8 hashes strings of more than 16,383 characters by their length: 23 s once, in one Map bucket.
    name: "set of 2,000 strings of 150,000 characters differing at their end",
    source: big(["r := count({x | some x in input.a})"]),
    get input() {
      return { a: longStrings() };
    },
  },
  {
    name: "object keyed by 2,000 strings of 150,000 characters differing at their end",
    source: big(["r := count(object.keys({x: 1 | some x in input.a}))"]),
    get input() {
      return { a: longStrings() };
    },
  },
  {
    name: "equality of nested arrays built apart, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 200000); input.a == input.b])"]),
    get input() {
      return {
        a: Array.from({ length: 100 }, () => Array.from({ length: 1000 }, (_, j) => j)),
        b: Array.from({ length: 100 }, () => Array.from({ length: 1000 }, (_, j) => j)),
      };
    },
  },
  {
    name: "equality of big objects built apart, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 200000); input.a == input.b])"]),
    get input() {
      return {
        a: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, [i]])),
        b: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, [i]])),
      };
    },
  },
  {
    name: "membership of a big array in a set, repeated",
    source: big(["s := {[1], [2]}", "r := count([1 | some i in numbers.range(1, 200000); input.xs in s])"]),
    get input() {
      return { xs: Array.from({ length: 20000 }, (_, i) => i) };
    },
  },
  {
    name: "membership in the values of a big input object, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 200000); -1 in input.o])"]),
    get input() {
      return { o: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, i])) };
    },
  },
  {
    name: "membership of a number in a big input array, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 200000); -1 in input.xs])"]),
    get input() {
      return { xs: Array.from({ length: 20000 }, (_, i) => i) };
    },
  },
  {
    name: "with replacing data by a big document, repeated",
    source: big(["q := count(data.big)", "r := count([x | some i in numbers.range(1, 200000); x := q with data.big as input.xs])"]),
    get input() {
      return { xs: Array.from({ length: 20000 }, (_, i) => i) };
    },
  },
  {
    // The comprehension reads the loop's variable, so it cannot be reused (eval/comprehension-memo.ts).
    name: "object comprehension copying a big input object, repeated",
    source: big(["r := count([x | some i in numbers.range(1, 1000); x := {k: [v, i] | some k, v in input.o}])"]),
    get input() {
      return { o: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, i])) };
    },
  },
  {
    name: "set of composite keys built from a big input array",
    source: big(['r := count({[x, [x, {"a": x}]] | some x in input.xs})']),
    get input() {
      return { xs: Array.from({ length: 100000 }, (_, i) => i) };
    },
  },
  {
    name: "every nested over a cross product",
    source: big(["xs := numbers.range(1, 3000)", "r if { every x in xs { every y in xs { x + y > 0 } } }"]),
  },
  {
    name: "comprehension over a triple cross product",
    source: big(["xs := numbers.range(1, 500)", "r := count([[x, y, z] | some x in xs; some y in xs; some z in xs])"]),
  },
  {
    name: "print of a big value, repeated",
    source: big(["r := count([1 | some i in numbers.range(1, 100000); print(input.xs)])"]),
    get input() {
      return { xs: Array.from({ length: 20000 }, (_, i) => ({ a: i })) };
    },
    print: true,
  },
];
