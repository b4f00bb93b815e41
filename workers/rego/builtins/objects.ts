import type { BuiltinTable } from "./types.js";

export const objectsBuiltins: BuiltinTable = {};
