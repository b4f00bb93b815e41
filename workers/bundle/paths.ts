/**
 * Paths inside a bundle. A bundle is a tree rooted at its own top: a path is
 * a `/`-separated list of plain names, never absolute, never climbing out
 * (`..`), never naming the same file twice through `.` or `//`. Archives as
 * `opa build` writes them root their entries at `/` (`/data.json`), so a
 * single leading `/` (or `./`) in an archive means the bundle's root; in
 * files uploaded by path an absolute path is refused.
 */
import { BundleError } from "./errors.js";
import { BUNDLE_LIMITS } from "./limits.js";

const encoder = new TextEncoder();

export type PathOrigin = "archive" | "files";

export function normalizePath(raw: string, origin: PathOrigin): string {
  let path = raw;
  if (path.startsWith("./")) path = path.slice(2);
  else if (path.startsWith("/")) {
    if (origin === "files") throw new BundleError("path_traversal", "absolute paths are not allowed in a bundle", raw);
    path = path.slice(1);
  }
  if (path === "") throw new BundleError("invalid_path", "empty path", raw);
  if (encoder.encode(path).length > BUNDLE_LIMITS.maxPathBytes)
    throw new BundleError("invalid_path", `paths are limited to ${BUNDLE_LIMITS.maxPathBytes} bytes`, raw);
  // Control characters (NUL, newlines) would make paths ambiguous in listings and in the digest.
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new BundleError("invalid_path", "control characters are not allowed in paths", raw);
  if (path.includes("\\")) throw new BundleError("path_traversal", "backslashes are not path separators in a bundle", raw);
  if (/^[A-Za-z]:/.test(path)) throw new BundleError("path_traversal", "drive letters are not allowed in a bundle", raw);
  for (const segment of path.split("/")) {
    if (segment === "..") throw new BundleError("path_traversal", "'..' is not allowed in a bundle path", raw);
    if (segment === "" || segment === ".") throw new BundleError("invalid_path", "empty or '.' path segments are not allowed", raw);
  }
  return path;
}

/** The folder a file is in, as segments: `roles/admin/data.json` → `["roles", "admin"]`. */
export function folderOf(path: string): string[] {
  const segments = path.split("/");
  segments.pop();
  return segments;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
