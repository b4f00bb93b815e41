/**
 * The planner's output buffer: statements appended to the block being
 * built, string and file tables, and locations stamped on every statement.
 */
import type { Loc } from "../syntax/ast.js";
import type { Block, Operand, Stmt, StmtBodies, StmtType } from "../plan/types.js";
import { RegoError } from "../errors.js";

/**
 * How deep blocks may nest in one function: what follows an expression that
 * iterates is planned inside its scan's block (as in OPA's IR), and so is a
 * `not`, an `every` or a comprehension body, so a body of many iterating
 * expressions nests as deep as it is long. The planner and the evaluator
 * recurse over nested blocks; beyond this a located compile error, not an
 * exhausted stack. Documented in README.md (the engine section).
 */
export const MAX_BLOCK_DEPTH = 256;

export const BLOCK_DEPTH_ERROR = `plan nesting deeper than ${MAX_BLOCK_DEPTH} (each iterating expression, not, every and comprehension nests one level)`;

export class Emitter {
  readonly strings: { value: string }[] = [];
  readonly files: { value: string }[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly fileIndex = new Map<string, number>();
  /** the statements of the block being built */
  curr: Stmt[] = [];
  loc: Loc | undefined;
  /** how many blocks enclose `curr` at run time (a with block is inline and does not count) */
  depth = 0;

  string(s: string): number {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push({ value: s });
      this.stringIndex.set(s, i);
    }
    return i;
  }

  stringOperand(s: string): Operand {
    return { type: "string_index", value: this.string(s) };
  }

  private file(name: string): number {
    let i = this.fileIndex.get(name);
    if (i === undefined) {
      i = this.files.length;
      this.files.push({ value: name });
      this.fileIndex.set(name, i);
    }
    return i;
  }

  emit<T extends StmtType>(type: T, body: StmtBodies[T]): void {
    this.curr.push(this.stmt(type, body));
  }

  /** Stamps the location on `body` (always a fresh literal at the call sites) and wraps it. */
  stmt<T extends StmtType>(type: T, body: StmtBodies[T]): Stmt {
    const loc = this.loc;
    const stmt = body as StmtBodies[T] & Partial<{ file: number; row: number; col: number }>;
    if (loc) {
      stmt.file = this.file(loc.file || "<query>");
      stmt.row = loc.row;
      stmt.col = loc.col;
    }
    return { type, stmt } as Stmt;
  }

  /** Runs `fn` with a fresh current block and returns that block. */
  block(fn: () => void, inline = false): Block {
    if (!inline && this.depth >= MAX_BLOCK_DEPTH) {
      const l = this.loc;
      throw new RegoError("rego_compile_error", BLOCK_DEPTH_ERROR, l && { file: l.file, row: l.row, col: l.col });
    }
    const prev = this.curr;
    this.curr = [];
    if (!inline) this.depth++;
    try {
      fn();
      return { stmts: this.curr };
    } finally {
      this.curr = prev;
      if (!inline) this.depth--;
    }
  }
}

export const local = (n: number): Operand => ({ type: "local", value: n });
export const bool = (b: boolean): Operand => ({ type: "bool", value: b });
