import type { BuiltinTable } from "./types.js";

export const membershipBuiltins: BuiltinTable = {};
