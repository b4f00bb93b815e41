import type { BuiltinTable } from "./types.js";

export const numbersBuiltins: BuiltinTable = {};
