import type { BuiltinTable } from "./types.js";

export const typechecksBuiltins: BuiltinTable = {};
