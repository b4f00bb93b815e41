/**
 * STS benchmark (issue 5): token exchanges per second and p50/p99 latency
 * against the Worker running locally in workerd (Miniflare, local D1), and
 * the CPU cost of one exchange next to the floor it cannot beat, one ES256
 * verify + one ES256 sign, measured in the same workerd in the same run. It
 * also measures the audit append every exchange waits for (the zone's
 * Durable Object buffer) next to a D1 INSERT and a Queue send, counts the D1
 * round trips of a steady-state exchange (the Worker runs with its D1 binding
 * wrapped, bench/wrapped-worker.ts), and measures the exchange p50 again with
 * every D1 call delayed by 100 ms, as a colo far from the D1 primary sees it.
 * The invalidation stream is on (real redis-server behind the Upstash bridge)
 * when redis-server is installed, as in production.
 *
 * CPU is read from the workerd process (/proc, utime + stime), so it covers
 * everything one exchange costs the runtime: HTTP, the Worker's JavaScript,
 * WebCrypto and the local D1's SQLite work (which at the edge runs in D1, not
 * in the Worker). `npm run bench -- sts` runs it alone.
 */
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { redisServerAvailable } from "../cli/redis/redis-server.js";
import { ROOT, api, applyMigrations, bundle, startEdge, type EdgeInstance } from "./edge.js";
import { startStream, type Stream } from "./fan-out.js";
import { line, summarize } from "./stats.js";
/** A policy with the decision rules and obligations a real zone would have. */
import POLICY from "./fixtures/payments.rego";

const SUBJECT_TOKENS = 64;
const WARMUP = 100;
const SEQUENTIAL = 1000;
const CONCURRENCY = 16;
const LOAD_SECONDS = 5;
const CRYPTO_ROUNDS = 2000;
const AUDIT_WRITES = 500;
const TRIVIAL_QUERIES = 1000;
const COMPUTE_ROUNDS = 1000;
const DELAYED_D1_MS = 100;
const DELAYED_EXCHANGES = 200;

interface BenchStack {
  edge: EdgeInstance;
  url: URL;
  workerdPid: number;
}

async function startStack(vars: Record<string, string>): Promise<BenchStack> {
  const probe = await bundle(`${ROOT}bench/sts-probe.ts`);
  const before = new Set(workerdChildren());
  const edge = await startEdge({
    contents: await wrappedWorker(),
    vars,
    extraWorkers: [
      {
        name: "probe",
        contents: probe,
        options: {
          durableObjects: { AUDIT_BUFFER: { className: "AuditBuffer", scriptName: "caracal", useSQLite: true } },
          queueProducers: { AUDIT_QUEUE: { queueName: "audit-bench" } },
        },
      },
    ],
  });
  const started = workerdChildren().filter((pid) => !before.has(pid));
  if (started.length !== 1) throw new Error(`expected one new workerd process, found ${started.length}`);
  await applyMigrations(edge);
  return { edge, url: edge.url, workerdPid: started[0]! };
}

let wrapped: Promise<string> | undefined;
function wrappedWorker(): Promise<string> {
  return (wrapped ??= bundle(`${ROOT}bench/wrapped-worker.ts`));
}

async function d1Calls(url: URL): Promise<number> {
  return ((await (await fetch(new URL("/__bench/d1-calls", url))).json()) as { count: number }).count;
}

/** The exchange p50 of a Worker whose every D1 call takes `delayMs` longer (a far colo), after a warm-up. */
async function delayedP50(vars: Record<string, string>, delayMs: number): Promise<number> {
  const edge = await startEdge({ contents: await wrappedWorker(), vars: { ...vars, BENCH_D1_DELAY_MS: String(delayMs) } });
  try {
    await applyMigrations(edge);
    const fixture = await setupZone(edge.url);
    await sequential(fixture, 20);
    return summarize(await sequential(fixture, DELAYED_EXCHANGES)).p50;
  } finally {
    await edge.stop();
  }
}

/** workerd processes this Node process started. */
function workerdChildren(): number[] {
  const pids: number[] = [];
  for (const entry of execFileSync("ls", ["/proc"], { encoding: "utf8" }).split("\n")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = execFileSync("cat", [`/proc/${entry}/stat`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (comm === "workerd" && Number(rest?.split(" ")[1]) === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds (user + system) the process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).replace(/^.*\) /s, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

interface Fixture {
  zone: string;
  clientId: string;
  /** sends the i-th exchange (or, with a wrong secret, a request refused at client authentication); its wall ms */
  send: (i: number, wrongSecret?: boolean) => Promise<number>;
}

/** A zone as an operator would set it up, and a function sending the i-th exchange (returns its wall ms). */
async function setupZone(url: URL): Promise<Fixture> {
  const zone = (await api(url, "POST", "/zones", { name: "bench" })).id as string;
  const policy = await api(url, "POST", `/zones/${zone}/policies`, { name: "payments-policy", source: POLICY });
  const set = (await api(url, "POST", `/zones/${zone}/policy-sets`, { name: "production" })).id as string;
  const psv = (await api(url, "POST", `/zones/${zone}/policy-sets/${set}/versions`, { policy_version_ids: [policy.versions[0].id] })).id;
  await api(url, "POST", `/zones/${zone}/policy-sets/${set}/activate`, { version: psv });
  const client = await api(url, "POST", `/zones/${zone}/clients`, { name: "checkout", attributes: { team: "payments" } });
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const issuer = "https://idp.example";
  await api(url, "POST", `/zones/${zone}/issuers`, {
    issuer,
    jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: "idp-1", alg: "ES256" }] },
  });
  const subjects = await Promise.all(
    Array.from({ length: SUBJECT_TOKENS }, (_, i) =>
      new SignJWT({ sub: `user-${i}`, role: "payer", tier: "gold", scope: "payments:read payments:write" })
        .setProtectedHeader({ alg: "ES256", kid: "idp-1" })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
    ),
  );
  const endpoint = new URL(`/zones/${zone}/oauth2/token`, url);
  const basic = (secret: string) => `Basic ${Buffer.from(`${client.id}:${secret}`).toString("base64")}`;
  const [authorization, wrongAuthorization] = [basic(client.client_secret), basic("cs_wrong")];
  const send = async (i: number, wrongSecret = false) => {
    const body = new URLSearchParams({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: subjects[i % SUBJECT_TOKENS]!,
      subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      resource: "https://payments.example/api",
      scope: "payments:read",
    });
    const t0 = performance.now();
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      authorization: wrongSecret ? wrongAuthorization : authorization,
    };
    const res = await fetch(endpoint, { method: "POST", headers, body });
    const text = await res.text();
    if (res.status !== (wrongSecret ? 401 : 200)) throw new Error(`exchange ${i} answered ${res.status}: ${text}`);
    return performance.now() - t0;
  };
  return { zone, clientId: client.id, send };
}

const ms = (x: number) => x * 1e6; // stats.ts formats nanoseconds

async function sequential(fixture: Fixture, n: number, wrongSecret = false): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await fixture.send(i, wrongSecret));
  return samples;
}

async function underLoad(fixture: Fixture): Promise<{ samples: number[]; seconds: number }> {
  const samples: number[] = [];
  const deadline = performance.now() + LOAD_SECONDS * 1000;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) samples.push(await fixture.send(next++));
    }),
  );
  return { samples, seconds: (performance.now() - t0) / 1000 };
}

async function probe(stack: BenchStack, path: string, body?: string): Promise<any> {
  const worker = await stack.edge.mf.getWorker("probe");
  const res = await worker.fetch(`http://probe${path}`, body === undefined ? {} : { method: "POST", body });
  if (!res.ok) throw new Error(`probe ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** CPU µs per operation of `run`, which performs `count` operations in workerd. */
async function cpuPerOp(stack: BenchStack, count: number, run: () => Promise<unknown>): Promise<number> {
  const before = await cpuSeconds(stack.workerdPid);
  await run();
  return (((await cpuSeconds(stack.workerdPid)) - before) * 1e6) / count;
}

export async function runStsBench(): Promise<string[]> {
  const stream: Stream | undefined = redisServerAvailable() ? await startStream() : undefined;
  try {
    return await runWith(stream);
  } finally {
    await stream?.stop();
  }
}

async function runWith(stream: Stream | undefined): Promise<string[]> {
  const vars = stream?.vars ?? {};
  const stack = await startStack(vars);
  let stackStopped = false;
  try {
    const fixture = await setupZone(stack.url);
    await sequential(fixture, WARMUP);

    let latencies: number[] = [];
    const callsBefore = await d1Calls(stack.url);
    const exchangeCpu = await cpuPerOp(stack, SEQUENTIAL, async () => (latencies = await sequential(fixture, SEQUENTIAL)));
    const callsDuring = (await d1Calls(stack.url)) - callsBefore;
    const rejectedCpu = await cpuPerOp(stack, SEQUENTIAL, () => sequential(fixture, SEQUENTIAL, true));
    await probe(stack, "/compute?n=50", POLICY); // warm-up: the JIT, as the exchanges had
    const computeCpu = await cpuPerOp(stack, COMPUTE_ROUNDS, () => probe(stack, `/compute?n=${COMPUTE_ROUNDS}`, POLICY));
    const cryptoCpu = await cpuPerOp(stack, CRYPTO_ROUNDS, () => probe(stack, `/crypto?n=${CRYPTO_ROUNDS}`));
    const queryCpu = await cpuPerOp(stack, TRIVIAL_QUERIES, () => probe(stack, `/d1?n=${TRIVIAL_QUERIES}`));
    const auditSink = async (sink: string) => {
      let result = { ms: 0 };
      const cpu = await cpuPerOp(
        stack,
        AUDIT_WRITES,
        async () => (result = await probe(stack, `/audit?n=${AUDIT_WRITES}&zone=${fixture.zone}&client=${fixture.clientId}&sink=${sink}`)),
      );
      return { cpu, wallMs: result.ms / AUDIT_WRITES };
    };
    const buffer = await auditSink("buffer");
    const d1Insert = await auditSink("d1");
    const queue = await auditSink("queue");
    const load = await underLoad(fixture);
    await stack.edge.stop();
    stackStopped = true;
    const slowD1 = await delayedP50(vars, DELAYED_D1_MS);
    const perExchange = callsDuring / SEQUENTIAL;

    const perSecond = (n: number, seconds: number) => `${(n / seconds).toFixed(0)}/s`;
    return [
      `local workerd (Miniflare) + local D1, invalidation stream ${stream ? "on (redis-server + bridge)" : "off (no redis-server): credentials re-read every 5 s"}; one policy active,`,
      "no shadow; each exchange: client auth, ES256 subject verify, policy (allow/deny + ttl/scope/claims, traced), ES256 sign,",
      "audit appended to the zone's Durable Object buffer before the response (drained to D1 from its alarm)",
      `D1 calls per exchange (steady state): ${Number.isInteger(perExchange) ? perExchange : perExchange.toFixed(3)}`,
      `  (${callsDuring} D1 round trips in ${SEQUENTIAL} sequential exchanges after ${WARMUP} warm-up ones)`,
      `exchange p50 with D1 +${DELAYED_D1_MS} ms: ${(slowD1).toFixed(2)} ms (without: ${summarize(latencies).p50.toFixed(2)} ms)`,
      line(`exchange latency, 1 client (${SEQUENTIAL} sequential)`, summarize(latencies.map(ms))),
      `${"exchange throughput, 1 client".padEnd(48)} ${perSecond(SEQUENTIAL, latencies.reduce((a, b) => a + b, 0) / 1000)}`,
      line(`exchange latency, ${CONCURRENCY} concurrent clients (${LOAD_SECONDS} s)`, summarize(load.samples.map(ms))),
      `${`exchange throughput, ${CONCURRENCY} concurrent clients`.padEnd(48)} ${perSecond(load.samples.length, load.seconds)} (${load.samples.length} exchanges)`,
      "workerd CPU (process utime+stime, per operation):",
      `${"  exchange, end to end".padEnd(48)} ${exchangeCpu.toFixed(0)} µs (HTTP, the audit append, the work below)`,
      `${"  exchange work without HTTP or D1".padEnd(48)} ${computeCpu.toFixed(0)} µs (verify, input, policy, claims, sign)`,
      `${"  ES256 verify + ES256 sign (the floor)".padEnd(48)} ${cryptoCpu.toFixed(0)} µs (jose)`,
      `${"  request refused at client auth".padEnd(48)} ${rejectedCpu.toFixed(0)} µs (HTTP, form, cached client, secret check)`,
      `${"  audit append to the DO buffer (2 events)".padEnd(48)} ${buffer.cpu.toFixed(0)} µs, ${buffer.wallMs.toFixed(2)} ms wall (what the exchange awaits)`,
      `${"  audit as 1 D1 INSERT (2 events)".padEnd(48)} ${d1Insert.cpu.toFixed(0)} µs, ${d1Insert.wallMs.toFixed(2)} ms wall (what it awaited before)`,
      `${"  audit as 1 Queue send (2 events)".padEnd(48)} ${queue.cpu.toFixed(0)} µs, ${queue.wallMs.toFixed(2)} ms wall (the alternative)`,
      `${"  trivial D1 query (SELECT 1)".padEnd(48)} ${queryCpu.toFixed(0)} µs (local D1 emulation; at the edge D1 is not Worker CPU)`,
    ];
  } finally {
    if (!stackStopped) await stack.edge.stop();
  }
}
