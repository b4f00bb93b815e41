/**
 * What is wrong with an uploaded bundle, and where: every check at creation
 * raises one of these, and the admin API answers it as a 4xx (413 for the
 * size limits, 422 for everything else) naming the file.
 */
export type BundleErrorCode =
  | "bundle_too_large"
  | "too_many_files"
  | "invalid_archive"
  | "invalid_path"
  | "path_traversal"
  | "link_not_allowed"
  | "duplicate_path"
  | "unknown_file_kind"
  | "invalid_encoding"
  | "invalid_manifest"
  | "invalid_data"
  | "data_conflict"
  | "outside_roots"
  | "no_modules"
  | "decision_package"
  | "invalid_signature";

export class BundleError extends Error {
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    /** the file inside the bundle the error is about, when there is one */
    readonly path?: string,
  ) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.name = "BundleError";
  }

  /** Size limits are 413 (the request is too big); any other problem is 422 (the content is wrong). */
  get status(): 413 | 422 {
    return this.code === "bundle_too_large" || this.code === "too_many_files" ? 413 : 422;
  }
}
