/**
 * Content-addressed blobs in D1 (schema: `blobs`, `blob_chunks`). D1 caps a
 * row at 2 MB, so a blob — a bundle's files, its merged data, its plan — is
 * gzip-compressed, base64-encoded and cut into chunks of BLOB_CHUNK_CHARS.
 * Blobs are keyed by the SHA-256 of their uncompressed content and written
 * with INSERT OR IGNORE: the same content twice is one blob, and nothing is
 * ever updated or deleted. `blobWrites` returns statements for the caller's
 * own batch, so a version and its blobs commit together or not at all.
 */
import { and, eq, inArray } from "drizzle-orm";
import { blobChunks, blobs } from "../../schema/index.js";
import { base64Decode, base64Encode, sha256Hex } from "../crypto.js";
import type { Db } from "../db.js";
import { gunzipLimited, gzip } from "./gzip.js";

/** 512 KiB of base64 per chunk row: a quarter of D1's row limit, leaving room for the key columns. */
export const BLOB_CHUNK_CHARS = 512 * 1024;
const ENCODING = "gzip+base64";
/** what a stored blob may inflate to: a plan of a 5 MiB bundle can be several times its source */
const MAX_BLOB_BYTES = 256 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface PreparedBlob {
  sha256: string;
  size: number;
  chunks: string[];
}

export async function prepareBlob(content: string): Promise<PreparedBlob> {
  const bytes = encoder.encode(content);
  const sha256 = await sha256Hex(bytes);
  const encoded = base64Encode(await gzip(bytes));
  const chunks: string[] = [];
  for (let at = 0; at < encoded.length; at += BLOB_CHUNK_CHARS) chunks.push(encoded.slice(at, at + BLOB_CHUNK_CHARS));
  if (chunks.length === 0) chunks.push("");
  return { sha256, size: bytes.length, chunks };
}

/** The statements that store the blobs (idempotently), for the caller's batch. */
export function blobWrites(db: Db, zoneId: string, prepared: PreparedBlob[], createdAt: string) {
  const unique = [...new Map(prepared.map((b) => [b.sha256, b])).values()];
  return unique.flatMap((b) => [
    db
      .insert(blobs)
      .values({ zoneId, sha256: b.sha256, size: b.size, encoding: ENCODING, chunks: b.chunks.length, createdAt })
      .onConflictDoNothing(),
    // One statement per chunk: a chunk is close to D1's limit on one bound value.
    ...b.chunks.map((data, seq) => db.insert(blobChunks).values({ zoneId, sha256: b.sha256, seq, data }).onConflictDoNothing()),
  ]);
}

export class BlobMissing extends Error {}

/** Reads blobs of a zone by SHA-256, checking each is complete and matches its hash. */
export async function readBlobs(db: Db, zoneId: string, shas: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(shas)];
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  const [metas, chunks] = await db.batch([
    db
      .select()
      .from(blobs)
      .where(and(eq(blobs.zoneId, zoneId), inArray(blobs.sha256, wanted))),
    db
      .select()
      .from(blobChunks)
      .where(and(eq(blobChunks.zoneId, zoneId), inArray(blobChunks.sha256, wanted)))
      .orderBy(blobChunks.sha256, blobChunks.seq),
  ]);
  for (const meta of metas) {
    const parts = chunks.filter((c) => c.sha256 === meta.sha256);
    if (meta.encoding !== ENCODING || parts.length !== meta.chunks || parts.some((p, i) => p.seq !== i))
      throw new BlobMissing(`blob ${meta.sha256} is incomplete`);
    const bytes = await gunzipLimited(base64Decode(parts.map((p) => p.data).join("")), MAX_BLOB_BYTES);
    const sha = await sha256Hex(bytes);
    if (sha !== meta.sha256 || bytes.length !== meta.size) throw new BlobMissing(`blob ${meta.sha256} does not match its hash`);
    out.set(meta.sha256, decoder.decode(bytes));
  }
  for (const sha of wanted) if (!out.has(sha)) throw new BlobMissing(`blob ${sha} is missing`);
  return out;
}
