/**
 * Bundle data (issue 12): what a version's data documents cost an isolate.
 * A role table of users → roles plus per-user attributes, grown to the bundle
 * limit (5 MiB of files), is assembled as the admin API does, stored as a blob
 * (gzip, 512 KiB chunks), decoded once as the STS does when it prepares the
 * version, and then looked up per exchange. Reports the JSON size, the heap the
 * decoded value holds (after a full GC, the value kept alive), decode time,
 * the stored size, and a lookup's p50 — which must not grow with the data,
 * because nothing is converted per request.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { assembleBundle } from "../workers/bundle/bundle.js";
import { prepareBlob } from "../workers/bundle/blobs.js";
import { compileBundle } from "../workers/policy/compile.js";
import { fromJS, parseJSON, prepare, type Value } from "../workers/rego/index.js";
import { fmtNs, line, summarize, timeNs } from "./stats.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const POLICY = `package roles

default allow := false

allow if {
  some role in data.roles.by_user[input.subject.claims.sub]
  input.action in data.roles.grants[role]
}
`;

/** A role table whose JSON is about `targetBytes`. */
function roleTable(targetBytes: number): string {
  const grants: Record<string, string[]> = {};
  for (let r = 0; r < 50; r++) grants[`role-${r}`] = Array.from({ length: 8 }, (_, a) => `action-${(r * 7 + a) % 40}`);
  const byUser: Record<string, string[]> = {};
  const attributes: Record<string, { team: string; tier: number; region: string }> = {};
  let bytes = 0;
  for (let u = 0; bytes < targetBytes; u++) {
    const user = `user-${u.toString(36).padStart(6, "0")}@example.com`;
    byUser[user] = [`role-${u % 50}`, `role-${(u * 13) % 50}`];
    attributes[user] = { team: `team-${u % 300}`, tier: u % 4, region: ["eu", "us", "ap"][u % 3] as string };
    bytes += 114; // JSON bytes per user across both tables
  }
  return JSON.stringify({ by_user: byUser, grants, attributes });
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function benchBundleData(): Promise<string[]> {
  const out: string[] = [];
  for (const mib of [1, 4.6]) {
    const json = roleTable(mib * 1024 * 1024);
    const bundle = await assembleBundle(
      [
        { path: "roles.rego", content: POLICY },
        { path: "roles/data.json", content: json },
      ],
      "files",
    );
    const compiled = compileBundle(bundle, { regoVersion: 1 });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    const [dataBlob, planBlob] = [await prepareBlob(bundle.dataJSON), await prepareBlob(JSON.stringify(compiled.plan))];

    const before = heapAfterGc();
    let data: Value = null;
    const decodeNs = timeNs(() => {
      data = parseJSON(bundle.dataJSON);
    });
    const held = heapAfterGc() - before;

    const policy = prepare(compiled.plan);
    const inputs = ["user-000001@example.com", "user-0000zz@example.com", "nobody@example.com"].map((sub) =>
      fromJS({ subject: { claims: { sub } }, action: "action-3" }),
    );
    const run = (i: number) => policy.evaluateSync("roles/allow", { input: inputs[i % 3] as Value, data });
    for (let i = 0; i < 20_000; i++) run(i);
    const samples = Array.from({ length: 60_000 }, (_, i) => timeNs(() => run(i)));
    // The STS evaluates with trace (provenance and the data paths explain shows): what each adds.
    // The three are sampled interleaved, so the machine's load colours them alike.
    const traced = (i: number, dataPaths: boolean) =>
      policy.evaluateSync("roles/allow", { input: inputs[i % 3] as Value, data }, { trace: true, dataPaths });
    for (let i = 0; i < 20_000; i++) traced(i, i % 2 === 0);
    const plain: number[] = [];
    const provenanceOnly: number[] = [];
    const withPaths: number[] = [];
    for (let i = 0; i < 60_000; i++) {
      plain.push(timeNs(() => run(i)));
      provenanceOnly.push(timeNs(() => traced(i, false)));
      withPaths.push(timeNs(() => traced(i, true)));
    }

    const jsonMiB = (json.length / 1024 / 1024).toFixed(2);
    out.push(
      `data.json ${jsonMiB} MiB (${Object.keys(JSON.parse(json).by_user).length} users): decoded once in ${fmtNs(decodeNs)}, holds ${(held / 1024 / 1024).toFixed(1)} MiB of heap (${(held / json.length).toFixed(1)}× the JSON)`,
      `  stored: data blob ${(dataBlob.chunks.join("").length / 1024).toFixed(0)} KiB in ${dataBlob.chunks.length} chunk(s), plan blob ${(planBlob.chunks.join("").length / 1024).toFixed(1)} KiB (gzip+base64)`,
      line("  lookup per exchange (data shared, not converted)", summarize(samples)),
      line("  interleaved: plain", summarize(plain)),
      line("  interleaved: trace, provenance only", summarize(provenanceOnly)),
      line("  interleaved: trace with data paths (as the STS)", summarize(withPaths)),
    );
    data = null;
  }
  return out;
}
