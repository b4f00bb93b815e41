import type { BuiltinTable } from "./types.js";

export const cryptoBuiltins: BuiltinTable = {};
