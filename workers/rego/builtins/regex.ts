import type { BuiltinTable } from "./types.js";

export const regexBuiltins: BuiltinTable = {};
