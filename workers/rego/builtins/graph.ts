import type { BuiltinTable } from "./types.js";

export const graphBuiltins: BuiltinTable = {};
