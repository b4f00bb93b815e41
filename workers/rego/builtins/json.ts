import type { BuiltinTable } from "./types.js";

export const jsonBuiltins: BuiltinTable = {};
