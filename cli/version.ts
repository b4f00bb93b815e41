/** The package's version, for `caracal --version` (bundled into the built CLI from package.json). */
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
