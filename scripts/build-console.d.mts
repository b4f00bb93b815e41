/** Bundles console/ into workers/console/assets.gen.js; returns that path. */
export declare function buildConsole(): Promise<string>;
export declare const CONSOLE_ASSETS: string;
