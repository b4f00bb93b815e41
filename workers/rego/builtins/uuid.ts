import type { BuiltinTable } from "./types.js";

export const uuidBuiltins: BuiltinTable = {};
