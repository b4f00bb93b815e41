/**
 * The planner's output buffer: statements appended to the block being
 * built, string and file tables, and locations stamped on every statement.
 */
import type { Loc } from "../syntax/ast.js";
import type { Block, Operand, Stmt, StmtBodies, StmtType } from "../plan/types.js";

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
