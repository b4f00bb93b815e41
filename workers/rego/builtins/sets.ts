import type { BuiltinTable } from "./types.js";

export const setsBuiltins: BuiltinTable = {};
