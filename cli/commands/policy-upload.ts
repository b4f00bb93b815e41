/**
 * What `policy create` / `policy version` send (README "Policy bundles"):
 * - one `--file x.rego` alone: `source`, exactly as before bundles (the module is named after the policy);
 * - several `--file`s: a bundle of the modules (by their relative paths) with every data file
 *   (.json/.yaml) merged at the root of `data`, as `opa eval -d` does, into one `data.json`;
 * - `--bundle <dir>`: the folder's files by their paths inside it (the server checks their kinds);
 * - `--bundle <file.tar.gz>`: the archive as it is, checked and read by the server.
 * The same files give the same version id whichever way they are sent.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, isAbsolute, join, normalize, relative, sep } from "node:path";
import { stringifyJS, type JSONValue } from "../../workers/rego/index.js";
import { failure, usageError } from "../errors.js";
import { loadPaths } from "../local/files.js";
import { readSource } from "./shared.js";

export interface UploadOptions {
  file?: string[];
  bundle?: string;
  package?: string;
}

export interface Upload {
  body: Record<string, unknown>;
  /** for a single `--file`: the local path that replaces the server's module name in Rego errors */
  regoFile?: string;
}

export async function buildUpload(opts: UploadOptions): Promise<Upload> {
  const files = opts.file ?? [];
  const extra = opts.package !== undefined ? { package: opts.package } : {};
  if (files.length > 0 && opts.bundle !== undefined) throw usageError("give --file or --bundle, not both");
  if (opts.bundle !== undefined) return { body: { ...(await bundleBody(opts.bundle)), ...extra } };
  if (files.length === 0) throw usageError("give --file <path> (repeatable) or --bundle <dir | bundle.tar.gz>");
  const [only] = files;
  if (files.length === 1 && only !== undefined && only.endsWith(".rego")) {
    return { body: { source: await readSource(only), ...extra }, regoFile: only };
  }
  const modules = files.filter((f) => f.endsWith(".rego"));
  const dataFiles = files.filter((f) => !f.endsWith(".rego"));
  const out: { path: string; content: string }[] = [];
  for (const f of modules) out.push({ path: bundlePath(f), content: await readSource(f) });
  if (dataFiles.length > 0) {
    // loadPaths merges data files named directly at the root of `data`, refusing conflicts, as `caracal eval -d` does.
    const { data } = await loadPaths(dataFiles);
    out.push({ path: "data.json", content: `${stringifyJS(data as JSONValue, 2)}\n` });
  }
  return { body: { files: out, ...extra } };
}

/** A module's path in the bundle: its relative path when it stays below the current folder, else its name. */
function bundlePath(file: string): string {
  const rel = normalize(file);
  if (isAbsolute(rel) || rel.startsWith("..")) return basename(file);
  return rel.split(sep).join("/");
}

async function bundleBody(path: string): Promise<Record<string, unknown>> {
  const info = await lstat(path).catch(() => {
    throw failure(`no such file or directory: ${path}`);
  });
  if (info.isDirectory()) return { files: await folderFiles(path) };
  if (!info.isFile()) throw failure(`${path}: expected a bundle folder or a .tar.gz file`);
  const bytes = await readFile(path);
  return { bundle: bytes.toString("base64") };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function utf8(bytes: Uint8Array, file: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw failure(`${file}: bundle files must be UTF-8 text`);
  }
}

/** Every regular file below the folder, by its path inside it; links are refused, as the server refuses them in archives. */
async function folderFiles(root: string): Promise<{ path: string; content: string }[]> {
  const out: { path: string; content: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join("/");
      if (entry.isSymbolicLink()) throw failure(`${full}: links are not allowed in a bundle`);
      if (entry.isDirectory()) {
        if (entry.name !== ".git") await walk(full);
      } else if (entry.isFile()) out.push({ path: rel, content: utf8(await readFile(full), full) });
      else throw failure(`${full}: not a regular file`);
    }
  };
  await walk(root);
  return out;
}
