/**
 * gzip with a ceiling: a compressed upload is inflated through
 * DecompressionStream chunk by chunk, counting bytes, and abandoned as soon as
 * the count passes the limit, so a gzip bomb costs at most the limit in memory
 * and work, never its full inflated size.
 */
import { BundleError } from "./errors.js";

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function gunzipLimited(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new BundleError("bundle_too_large", `the archive inflates to more than ${maxBytes} bytes; refused before inflating the rest`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError("invalid_archive", `not a valid gzip stream: ${err instanceof Error ? err.message : String(err)}`);
  }
  return concat(chunks, total);
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function concat(chunks: Uint8Array[], total = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
