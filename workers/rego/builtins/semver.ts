import type { BuiltinTable } from "./types.js";

export const semverBuiltins: BuiltinTable = {};
