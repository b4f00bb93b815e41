/**
 * Storage of OPA-Wasm versions: the version row plus its policy_wasm_modules row,
 * with the module (as base64 text: blobs hold text) and the data document in
 * content-addressed blobs (workers/bundle/blobs.ts), so neither is bound to one
 * D1 row's size and the same module in two versions is stored once. Rows made
 * before that hold both inline (`wasm`, `data`); `readWasmCode` reads either.
 */
import { eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { policyVersions, policyWasmModules } from "../../schema/index.js";
import { blobWrites, prepareBlob, readBlobs } from "../bundle/blobs.js";
import { base64Decode, base64Encode } from "../crypto.js";
import { type Db, nowIso } from "../db.js";
import { newId } from "../ids.js";
import type { ValidatedWasmBundle } from "./bundle.js";
import type { WasmBundleCode } from "./loader.js";

type VersionRow = typeof policyVersions.$inferSelect;

export interface NewWasmVersion {
  row: VersionRow;
  /** the version row, its blobs and its module row, for one batch (one transaction): all or nothing */
  statements: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
  /** runs `statements` as one batch */
  store: () => Promise<void>;
}

/** A new Wasm version of `policy` and the statements that store it (nothing is written here). */
export async function newWasmVersion(
  db: Db,
  policy: { id: string; zoneId: string },
  bundle: ValidatedWasmBundle,
  wasm: Uint8Array,
  extra: { revision?: string | null; fileCount?: number | null } = {},
): Promise<NewWasmVersion> {
  const [module, data] = await Promise.all([prepareBlob(base64Encode(wasm)), prepareBlob(bundle.dataJSON)]);
  const createdAt = nowIso();
  const row: VersionRow = {
    id: newId("pv"),
    policyId: policy.id,
    zoneId: policy.zoneId,
    // No Rego source and no plan: the module is the program.
    source: null,
    sourceSha256: bundle.sha256,
    regoVersion: 1,
    package: bundle.package,
    plan: null,
    filesBlob: null,
    dataBlob: null,
    planBlob: null,
    revision: extra.revision ?? null,
    fileCount: extra.fileCount ?? null,
    engine: "wasm",
    createdAt,
  };
  const statements: NewWasmVersion["statements"] = [
    db.insert(policyVersions).values(row),
    ...blobWrites(db, policy.zoneId, [module, data], createdAt),
    db.insert(policyWasmModules).values({
      versionId: row.id,
      zoneId: policy.zoneId,
      sha256: bundle.sha256,
      wasm: null,
      data: null,
      wasmBlob: module.sha256,
      dataBlob: data.sha256,
      manifest: bundle.manifestJSON,
      entrypoints: JSON.stringify(bundle.entrypoints),
      builtins: JSON.stringify(bundle.builtins),
    }),
  ];
  return {
    row,
    statements,
    store: async () => {
      await db.batch(statements);
    },
  };
}

/** The module and data of a Wasm version, from its blobs or (older rows) inline. */
export async function readWasmCode(db: Db, versionId: string): Promise<WasmBundleCode> {
  const row = (
    await db
      .select({
        zoneId: policyWasmModules.zoneId,
        wasm: policyWasmModules.wasm,
        data: policyWasmModules.data,
        wasmBlob: policyWasmModules.wasmBlob,
        dataBlob: policyWasmModules.dataBlob,
      })
      .from(policyWasmModules)
      .where(eq(policyWasmModules.versionId, versionId))
  )[0];
  if (!row) throw new Error(`the module of Wasm version ${versionId} is missing`);
  const shas = [row.wasmBlob, row.dataBlob].filter((b): b is string => b !== null);
  const texts = await readBlobs(db, row.zoneId, shas);
  const wasm = row.wasmBlob !== null ? texts.get(row.wasmBlob) : row.wasm;
  const data = row.dataBlob !== null ? texts.get(row.dataBlob) : row.data;
  if (wasm == null || data == null) throw new Error(`the module of Wasm version ${versionId} is missing`);
  return { wasm: base64Decode(wasm).buffer as ArrayBuffer, data: JSON.parse(data) };
}
