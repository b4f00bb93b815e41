import type { BuiltinTable } from "./types.js";

export const unitsBuiltins: BuiltinTable = {};
