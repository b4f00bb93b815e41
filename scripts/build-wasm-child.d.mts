/** Bundles workers/wasm/child.ts into workers/wasm/child-bundle.gen.js; returns that path. */
export declare function buildWasmChild(): Promise<string>;
export declare const CHILD_BUNDLE: string;
