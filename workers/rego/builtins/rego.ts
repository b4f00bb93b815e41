/**
 * `rego.parse_module(filename, source)`: our own parser, answering with the
 * module as OPA's AST JSON. (`rego.metadata.*` are answered at compile time.)
 */
import { formatError } from "../errors.js";
import { fromJS } from "../value/index.js";
import { parseModule } from "../syntax/index.js";
import { moduleJSON } from "../syntax/json.js";
import { builtinError, str } from "./args.js";
import type { BuiltinTable } from "./types.js";

export const regoBuiltins: BuiltinTable = {
  "rego.parse_module": (args) => {
    const file = str(args, 0);
    const source = str(args, 1);
    const { module, errors } = parseModule(file, source);
    if (!module)
      throw builtinError(`${errors.length} error${errors.length === 1 ? "" : "s"} occurred: ${errors.map(formatError).join("\n")}`);
    return fromJS(moduleJSON(module));
  },
};
