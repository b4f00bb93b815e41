import type { BuiltinTable } from "./types.js";

export const comparisonBuiltins: BuiltinTable = {};
