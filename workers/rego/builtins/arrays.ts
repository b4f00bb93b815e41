import type { BuiltinTable } from "./types.js";

export const arraysBuiltins: BuiltinTable = {};
