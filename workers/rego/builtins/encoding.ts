import type { BuiltinTable } from "./types.js";

export const encodingBuiltins: BuiltinTable = {};
