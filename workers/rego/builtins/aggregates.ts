import type { BuiltinTable } from "./types.js";

export const aggregatesBuiltins: BuiltinTable = {};
