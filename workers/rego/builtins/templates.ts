import type { BuiltinTable } from "./types.js";

export const templatesBuiltins: BuiltinTable = {};
