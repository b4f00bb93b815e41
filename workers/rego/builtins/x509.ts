import type { BuiltinTable } from "./types.js";

export const x509Builtins: BuiltinTable = {};
