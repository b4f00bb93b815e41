/** The web console's files as strings (scripts/build-console.mjs writes them from console/). */
/** digest of the script and stylesheet, part of their URLs */
export declare const tag: string;
export declare const html: string;
export declare const js: string;
export declare const css: string;
