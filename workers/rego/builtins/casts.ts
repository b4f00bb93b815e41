import type { BuiltinTable } from "./types.js";

export const castsBuiltins: BuiltinTable = {};
