/**
 * The contract between the console's DOM modules and console/engine.ts, the one console module
 * that imports the Worker-side code it reuses (the Rego engine, the bundle reader, the STS's set
 * evaluation). engine.ts is type-checked with the Worker's types (the root tsconfig) and checked
 * against this file; the DOM modules (console/tsconfig.json) see only this file, because the DOM
 * and workerd type libraries cannot be loaded into one program. esbuild maps the import
 * `./engine-api.js` to engine.ts (scripts/build-console.mjs).
 */

export interface TextFile {
  path: string;
  content: string;
}

export interface EngineLocation {
  file: string;
  row: number;
  col: number;
}

/** What the STS would decide for a set of this one policy (workers/sts/decision.ts SetDecision). */
export interface PlaygroundDecision {
  decision: "allow" | "deny";
  status: "ok" | "error";
  determining: { rule: string; location: EngineLocation | null }[];
  reasons: string[];
  error: { code: string; message: string } | null;
  obligations: { ttl: number | null; scope: string[] | null; claims: Record<string, unknown> } | null;
  evaluations: { rules: { rule: string; locations: EngineLocation[] }[] }[];
}

export type PlaygroundResult =
  | { kind: "input_error"; message: string }
  | { kind: "compile_error"; errors: string[] }
  | { kind: "refused"; message: string }
  | { kind: "decision"; decision: PlaygroundDecision; ms: number };

/** A tar or tar.gz bundle's files as text, in path order (the Worker's own archive reader and limits). */
export declare function readBundleFiles(archive: Uint8Array): Promise<TextFile[]>;

/** Compiles the files as the admin API does on upload and evaluates the input as the STS does. */
export declare function evaluatePolicy(
  files: TextFile[],
  regoVersion: 0 | 1,
  pkg: string | undefined,
  inputText: string,
): Promise<PlaygroundResult>;
