import type { BuiltinTable } from "./types.js";

export const netBuiltins: BuiltinTable = {};
