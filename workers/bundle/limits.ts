/**
 * The documented limits of one policy version's bundle (README "Policy bundles").
 * A version's files are stored as content-addressed chunks, so these bound the
 * work of one upload and what an isolate holds per version, not a D1 row.
 */
export const BUNDLE_LIMITS = {
  /** total bytes of the files' contents, after decompression */
  maxTotalBytes: 5 * 1024 * 1024,
  maxFiles: 10_000,
  /** bytes of one path inside the bundle */
  maxPathBytes: 1024,
  /**
   * bytes of the decompressed tar stream: the files plus their 512-byte headers and padding
   * (10,000 files each padded to the next 512 bytes, plus a pax header each, fit in 5 MiB + 16 MiB)
   */
  maxTarBytes: 21 * 1024 * 1024,
} as const;

export type BundleLimits = typeof BUNDLE_LIMITS;
