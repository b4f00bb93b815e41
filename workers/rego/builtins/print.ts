/**
 * `print(...)`, as OPA runs it: the compiler rewrites `print(a, b)` to
 * `internal.print([{x | x = a}, {y | y = b}])`, so each operand arrives as the
 * set of its values (empty when it is undefined). One line is printed for
 * every combination of values, operands separated by spaces, strings raw and
 * other values in Rego syntax, an undefined operand as `<undefined>`. The
 * line goes to the evaluation's print hook, if it has one; print itself is
 * always true, so it never changes a decision. `trace(note)` is true as well.
 */
import { RSet, termString, type Value } from "../value/index.js";
import { array, str, typeError } from "./args.js";
import type { BuiltinTable } from "./types.js";

export const printBuiltins: BuiltinTable = {
  // `trace(note)`: a note for OPA's tracer; the engine has no note tracer, so it is only true.
  trace: (args) => {
    str(args, 0);
    return true;
  },
  "internal.print": (args, ctx) => {
    const hook = ctx.print;
    if (!hook) return true;
    const operands = array(args, 0).map((x) => {
      if (!(x instanceof RSet)) throw typeError("operand 1 must be an array of sets");
      return x.size === 0 ? ["<undefined>"] : x.values().map(show);
    });
    const line: string[] = new Array(operands.length);
    const emit = (i: number): void => {
      if (i === operands.length) {
        ctx.charge(1);
        hook(line.join(" "));
        return;
      }
      for (const text of operands[i] as string[]) {
        line[i] = text;
        emit(i + 1);
      }
    };
    emit(0);
    return true;
  },
};

function show(v: Value): string {
  return typeof v === "string" ? v : termString(v);
}
