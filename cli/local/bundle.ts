/**
 * `caracal eval -b` / `caracal test -b`: a bundle (folder or .tar.gz) loaded
 * as the server loads a policy version and as `opa eval -b` does: OPA's
 * layout, the manifest's roots enforced, links and unknown files refused.
 */
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { assembleBundle, type RawFile } from "../../workers/bundle/bundle.js";
import { BundleError } from "../../workers/bundle/errors.js";
import { readArchive } from "../../workers/bundle/tar.js";
import { toJS } from "../../workers/rego/index.js";
import { failure } from "../errors.js";
import type { LoadedFiles } from "./files.js";

export async function loadBundles(paths: string[], into: LoadedFiles): Promise<LoadedFiles> {
  for (const path of paths) {
    const info = await lstat(path).catch(() => {
      throw failure(`no such file or directory: ${path}`);
    });
    try {
      const raw: RawFile[] = info.isDirectory()
        ? await folder(path)
        : (await readArchive(new Uint8Array(await readFile(path)))).map((e) => ({ path: e.path, content: e.bytes }));
      const bundle = await assembleBundle(raw, info.isDirectory() ? "files" : "archive");
      // Keys live in the zone: locally a signature is carried, not checked (the server verifies it on upload).
      if (bundle.signed) process.stderr.write(`${path}: .signatures.json is not verified locally\n`);
      for (const f of bundle.files) if (f.kind === "rego") into.modules.push({ name: f.path, source: f.content });
      const data = toJS(bundle.data) as Record<string, unknown>;
      for (const [key, value] of Object.entries(data)) {
        if (Object.hasOwn(into.data, key)) throw failure(`${path}: data.${key} is also set by another bundle or data file`);
        into.data[key] = value;
      }
    } catch (err) {
      if (err instanceof BundleError) throw failure(`${path}: ${err.message}`);
      throw err;
    }
  }
  return into;
}

async function folder(root: string): Promise<RawFile[]> {
  const out: RawFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink()) throw new BundleError("link_not_allowed", "links are not allowed in a bundle", relative(root, full));
      if (entry.isDirectory()) {
        if (entry.name !== ".git") await walk(full);
      } else out.push({ path: relative(root, full).split(sep).join("/"), content: new Uint8Array(await readFile(full)) });
    }
  };
  await walk(root);
  return out;
}
