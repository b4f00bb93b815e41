/**
 * Rego engine benchmarks (issue 3): compile time of a ~350-line policy, and
 * evaluation of the classic RBAC policy with 1,000 users rotating three inputs.
 * Peers named by the issue (OPA's WASM SDK ≈ 18 µs, regorus ≈ 2.4 µs p50) cannot
 * be run on this machine (no Go toolchain for `opa build`, no crates.io), so
 * they are quoted, not measured.
 */
import { compile, fromJS, prepare, toJS } from "../workers/rego/index.js";
import GATEWAY from "./fixtures/gateway.rego";
import { RBAC_POLICY, rbacData } from "./rbac.js";
import { line, summarize, timeNs } from "./stats.js";

const GATEWAY_ENTRYPOINTS = ["allow", "deny", "ttl", "scope", "claims"].map((r) => `data.gateway.authz.${r}`);

export function benchCompile(runs = 300): string[] {
  const lines = GATEWAY.split("\n").length;
  const compileOnce = () => {
    const r = compile({ modules: [{ name: "gateway.rego", source: GATEWAY }], entrypoints: GATEWAY_ENTRYPOINTS });
    if (!r.plan) throw new Error(`fixture does not compile: ${JSON.stringify(r.errors)}`);
  };
  for (let i = 0; i < 30; i++) compileOnce();
  const samples = Array.from({ length: runs }, () => timeNs(compileOnce));
  return [line(`compile gateway.rego (${lines} lines, 5 entrypoints)`, summarize(samples))];
}

export function benchRbac(rounds = 100_000): string[] {
  const { plan } = compile({ modules: [{ name: "rbac.rego", source: RBAC_POLICY }], entrypoints: ["data.example.allow"] });
  const policy = prepare(plan);
  const { data, inputs } = rbacData();
  const doc = fromJS(data);
  const docs = inputs.map((input) => ({ input: fromJS(input), data: doc }));
  const expected = [true, true, false];
  docs.forEach((d, i) => {
    const got = policy.evaluateSync("example/allow", d).results.map(toJS);
    if (JSON.stringify(got) !== JSON.stringify([{ result: expected[i] }])) throw new Error(`RBAC input ${i} gave ${JSON.stringify(got)}`);
  });
  const run = (i: number) => policy.evaluateSync("example/allow", docs[i % 3] as (typeof docs)[number]);
  for (let i = 0; i < 30_000; i++) run(i);
  const all: number[] = [];
  const perInput: number[][] = [[], [], []];
  for (let i = 0; i < rounds; i++) {
    const ns = timeNs(() => run(i));
    all.push(ns);
    (perInput[i % 3] as number[]).push(ns);
  }
  // The same, counting the conversion of the input from its JSON (as a request brings it).
  const texts = inputs.map((input) => JSON.stringify(input));
  const withInput: number[] = [];
  for (let i = 0; i < rounds; i++)
    withInput.push(timeNs(() => policy.evaluateSync("example/allow", { input: fromJS(JSON.parse(texts[i % 3] as string)), data: doc })));
  return [
    line("RBAC eval, 3 rotating inputs (1,000 users)", summarize(all)),
    line("  counting JSON.parse + fromJS of the input", summarize(withInput)),
    line("  allow via first role", summarize(perInput[0] as number[])),
    line("  allow via second role", summarize(perInput[1] as number[])),
    line("  deny (all 40 permissions checked)", summarize(perInput[2] as number[])),
    "  peers (not runnable here, quoted by issue 3): OPA WASM SDK p50 ≈ 18 µs, regorus p50 ≈ 2.4 µs",
  ];
}
