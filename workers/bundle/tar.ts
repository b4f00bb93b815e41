/**
 * Tar, as bundles use it: reading ustar/pax/GNU archives (regular files and
 * folders only; links and devices are refused) within the bundle limits, and
 * writing plain ustar (pax headers for long paths) for `policy export`, in a
 * form `opa eval -b` / `opa run -b` load.
 */
import { BundleError } from "./errors.js";
import { concat, gunzipLimited, gzip, isGzip } from "./gzip.js";
import { BUNDLE_LIMITS } from "./limits.js";

const BLOCK = 512;
/** an extended header carries a path and a few attributes: far below this */
const MAX_PAX_BYTES = 64 * 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

export interface ArchiveEntry {
  /** the entry's name as the archive spells it (normalized later) */
  path: string;
  bytes: Uint8Array;
}

/** A tar or tar.gz archive's regular files, refused past the limits without inflating the rest. */
export async function readArchive(archive: Uint8Array): Promise<ArchiveEntry[]> {
  const tar = isGzip(archive) ? await gunzipLimited(archive, BUNDLE_LIMITS.maxTarBytes) : archive;
  if (tar.length > BUNDLE_LIMITS.maxTarBytes)
    throw new BundleError("bundle_too_large", `archives are limited to ${BUNDLE_LIMITS.maxTarBytes} bytes of tar`);
  return readTar(tar);
}

export function readTar(tar: Uint8Array): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  let total = 0;
  let offset = 0;
  let longName: string | undefined;
  let sawEnd = false;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) {
      sawEnd = true;
      break;
    }
    verifyChecksum(header, offset);
    const size = octal(header, 124, 12, offset);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new BundleError("invalid_archive", `the archive is truncated (entry at byte ${offset})`);
    const body = tar.subarray(dataStart, dataStart + size);
    const name = longName ?? headerName(header);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      if (size > MAX_PAX_BYTES) throw new BundleError("invalid_archive", `pax headers are limited to ${MAX_PAX_BYTES} bytes`, name);
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (type === "L") {
      if (size > BUNDLE_LIMITS.maxPathBytes + 1)
        throw new BundleError("invalid_path", `paths are limited to ${BUNDLE_LIMITS.maxPathBytes} bytes`);
      longName = text(body).replace(/\0+$/, "");
      continue;
    }
    longName = undefined;
    if (type === "g" || type === "5") continue; // global pax header, folder
    if (type === "1" || type === "2") throw new BundleError("link_not_allowed", "links are not allowed in a bundle", name);
    if (type !== "0" && type !== "\0" && type !== "7")
      throw new BundleError("invalid_archive", `unsupported tar entry type '${type}'`, name);
    entries.push({ path: name, bytes: body });
    if (entries.length > BUNDLE_LIMITS.maxFiles)
      throw new BundleError("too_many_files", `bundles are limited to ${BUNDLE_LIMITS.maxFiles} files`);
    total += size;
    if (total > BUNDLE_LIMITS.maxTotalBytes)
      throw new BundleError("bundle_too_large", `bundles are limited to ${BUNDLE_LIMITS.maxTotalBytes} bytes of files`);
  }
  if (!sawEnd && offset !== tar.length) throw new BundleError("invalid_archive", "the archive is truncated");
  return entries;
}

function verifyChecksum(header: Uint8Array, at: number): void {
  const stored = octal(header, 148, 8, at);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
  if (sum !== stored) throw new BundleError("invalid_archive", `not a tar archive (bad header checksum at byte ${at})`);
}

function octal(header: Uint8Array, start: number, length: number, at: number): number {
  const field = header.subarray(start, start + length);
  // Base-256 sizes (high bit set) are for files over 8 GiB: far past any bundle limit.
  if (((field[0] ?? 0) & 0x80) !== 0) throw new BundleError("bundle_too_large", `tar entry at byte ${at} is too large`);
  const digits = String.fromCharCode(...field)
    .replace(/[\0 ]+$/, "")
    .replace(/^ +/, "");
  if (digits === "") return 0;
  if (!/^[0-7]+$/.test(digits)) throw new BundleError("invalid_archive", `not a tar archive (bad number field at byte ${at + start})`);
  return Number.parseInt(digits, 8);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return text(end < 0 ? bytes : bytes.subarray(0, end));
}

function text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BundleError("invalid_archive", "a tar entry name is not UTF-8");
  }
}

function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const ustar = cString(header.subarray(257, 263)) === "ustar";
  const prefix = ustar ? cString(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** The `path` record of a pax extended header (`<len> path=<value>\n` records). */
function paxPath(body: Uint8Array): string | undefined {
  const records = text(body);
  let at = 0;
  let path: string | undefined;
  while (at < records.length) {
    const space = records.indexOf(" ", at);
    const length = Number.parseInt(records.slice(at, space), 10);
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0) throw new BundleError("invalid_archive", "malformed pax header");
    // The length counts bytes; records are ASCII keys with UTF-8 values, so measure the bytes.
    const record = sliceBytes(records, at, length);
    const eq = record.indexOf("=");
    if (eq > 0 && record.slice(record.indexOf(" ") + 1, eq) === "path") path = record.slice(eq + 1).replace(/\n$/, "");
    at += record.length;
  }
  return path;
}

function sliceBytes(s: string, start: number, byteLength: number): string {
  const bytes = encoder.encode(s.slice(start));
  return text(bytes.subarray(0, byteLength));
}

// ------------------------------------------------------------------ writing

export interface TarFile {
  path: string;
  /** text (written as UTF-8) or bytes (a Wasm bundle's policy.wasm) */
  content: string | Uint8Array;
}

/** A gzip-compressed ustar archive of the files, in the order given, with fixed metadata (mode 0644, mtime 0). */
export async function writeTarGz(files: TarFile[]): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (const f of files) {
    const body = typeof f.content === "string" ? encoder.encode(f.content) : f.content;
    const name = encoder.encode(f.path);
    if (name.length > 100) {
      const record = paxRecord("path", f.path);
      blocks.push(header("././@PaxHeader", record.length, "x"), padded(record));
    }
    blocks.push(header(name.length > 100 ? f.path.slice(0, 100) : f.path, body.length, "0"), padded(body));
  }
  blocks.push(new Uint8Array(BLOCK * 2));
  return gzip(concat(blocks));
}

function paxRecord(key: string, value: string): Uint8Array {
  const payload = ` ${key}=${value}\n`;
  const bytes = encoder.encode(payload).length;
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length += 1;
  return encoder.encode(`${length}${payload}`);
}

function padded(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(body.length / BLOCK) * BLOCK);
  out.set(body);
  return out;
}

function header(name: string, size: number, type: string): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (start: number, value: string) => h.set(encoder.encode(value).subarray(0, value.length), start);
  h.set(encoder.encode(name).subarray(0, 100), 0);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${size.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000000\0");
  put(156, type);
  put(257, "ustar\0");
  put(263, "00");
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}
