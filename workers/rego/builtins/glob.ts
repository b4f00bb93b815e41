import type { BuiltinTable } from "./types.js";

export const globBuiltins: BuiltinTable = {};
