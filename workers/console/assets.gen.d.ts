/** The web console's files as strings (scripts/build-console.mjs writes them from console/). */
export declare const html: string;
/** file name (content-addressed: app-<hash>.js, engine-<hash>.js, app-<hash>.css) → content type and text */
export declare const files: Record<string, { type: string; body: string }>;
