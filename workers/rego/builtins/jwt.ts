import type { BuiltinTable } from "./types.js";

export const jwtBuiltins: BuiltinTable = {};
