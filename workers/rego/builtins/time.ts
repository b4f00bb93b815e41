import type { BuiltinTable } from "./types.js";

export const timeBuiltins: BuiltinTable = {};
