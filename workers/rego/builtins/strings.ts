import type { BuiltinTable } from "./types.js";

export const stringsBuiltins: BuiltinTable = {};
