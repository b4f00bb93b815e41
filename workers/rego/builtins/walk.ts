import type { BuiltinTable } from "./types.js";

export const walkBuiltins: BuiltinTable = {};
