import type { BuiltinTable } from "./types.js";

export const sprintfBuiltins: BuiltinTable = {};
