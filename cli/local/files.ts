/**
 * Loads what `caracal eval -d` and `caracal test` are given, like OPA's loader:
 * `.rego` files are modules; `.json`/`.yaml` files are data — at the root of
 * `data` when named directly, under their directory's path when found inside a
 * directory (`-d bundle/` with `bundle/roles/data.json` → `data.roles`).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import type { SourceModule } from "../../workers/rego/index.js";
import { parseJSON, toJS } from "../../workers/rego/value/json.js";
import { failure } from "../errors.js";

export interface LoadedFiles {
  modules: SourceModule[];
  data: Record<string, unknown>;
}

const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

export async function loadPaths(paths: string[]): Promise<LoadedFiles> {
  const loaded: LoadedFiles = { modules: [], data: {} };
  for (const path of paths) {
    const info = await stat(path).catch(() => {
      throw failure(`no such file or directory: ${path}`);
    });
    if (info.isDirectory()) await loadDirectory(path, path, loaded);
    else await loadFile(path, [], loaded, true);
  }
  return loaded;
}

async function loadDirectory(root: string, dir: string, loaded: LoadedFiles): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) await loadDirectory(root, path, loaded);
    } else {
      const prefix = relative(root, dir).split(sep).filter(Boolean);
      await loadFile(path, prefix, loaded, false);
    }
  }
}

async function loadFile(path: string, dataPrefix: string[], loaded: LoadedFiles, explicit: boolean): Promise<void> {
  const kind = fileKind(path);
  if (!kind) {
    if (explicit) throw failure(`${path}: expected a .rego, .json, .yaml or .yml file`);
    return;
  }
  const text = await readFile(path, "utf8");
  if (kind === "rego") {
    loaded.modules.push({ name: path, source: text });
    return;
  }
  const value = parseDocument(path, text, kind);
  if (dataPrefix.length === 0 && (value === null || typeof value !== "object" || Array.isArray(value))) {
    throw failure(`${path}: data at the root of \`data\` must be an object`);
  }
  mergeAt(loaded.data, dataPrefix, value, path);
}

function fileKind(path: string): "rego" | "json" | "yaml" | undefined {
  if (path.endsWith(".rego")) return "rego";
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".yaml") || path.endsWith(".yml")) return "yaml";
  return undefined;
}

/** Reads a JSON or YAML document (an input file or a data file). */
export async function readDocument(path: string): Promise<unknown> {
  const kind = fileKind(path);
  const text = await readFile(path, "utf8").catch(() => {
    throw failure(`cannot read ${path}`);
  });
  return parseDocument(path, text, kind === "yaml" ? "yaml" : "json");
}

/** An input document given as text (`-i -`, `--stdin-input`): JSON, else YAML, as OPA reads it. */
export function parseInputText(label: string, text: string): unknown {
  if (text.trim() === "") throw failure(`${label}: the input document is empty`);
  try {
    return toJS(parseJSON(text));
  } catch {
    return parseDocument(label, text, "yaml");
  }
}

function parseDocument(path: string, text: string, kind: "json" | "yaml"): unknown {
  try {
    // parseJSON keeps integers beyond 2^53 exact (as bigint after toJS).
    return kind === "json" ? toJS(parseJSON(text)) : parseYaml(text);
  } catch (err) {
    throw failure(`${path}: invalid ${kind.toUpperCase()}: ${(err as Error).message}`);
  }
}

function mergeAt(target: Record<string, unknown>, path: string[], value: unknown, file: string): void {
  const wrapped = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  deepMerge(target, wrapped as Record<string, unknown>, file, []);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>, file: string, at: string[]): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (isObject(existing) && isObject(value)) deepMerge(existing, value, file, [...at, key]);
    else throw failure(`${file}: conflicts with data already loaded at data.${[...at, key].join(".")}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
