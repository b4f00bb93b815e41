/**
 * The fields of each IR statement and what kind of value each holds: the
 * shape both the plan JSON decoder (decode.ts) and the compact form
 * (compact.ts) check and read.
 */
import type { StmtType } from "./types.js";

export type FieldKind = "local" | "operand" | "int" | "string" | "block" | "inlineBlock" | "blocks" | "locals" | "operands" | "strindexes";

export const STMT_FIELDS: Record<StmtType, Record<string, FieldKind>> = {
  ArrayAppendStmt: { array: "local", value: "operand" },
  AssignIntStmt: { value: "int", target: "local" },
  AssignVarOnceStmt: { source: "operand", target: "local" },
  AssignVarStmt: { source: "operand", target: "local" },
  BlockStmt: { blocks: "blocks" },
  BreakStmt: { index: "int" },
  CallDynamicStmt: { args: "locals", result: "local", path: "operands" },
  CallStmt: { func: "string", args: "operands", result: "local" },
  DotStmt: { source: "operand", key: "operand", target: "local" },
  EqualStmt: { a: "operand", b: "operand" },
  IsArrayStmt: { source: "operand" },
  IsDefinedStmt: { source: "local" },
  IsObjectStmt: { source: "operand" },
  IsSetStmt: { source: "operand" },
  IsUndefinedStmt: { source: "local" },
  LenStmt: { source: "operand", target: "local" },
  MakeArrayStmt: { capacity: "int", target: "local" },
  MakeNullStmt: { target: "local" },
  MakeNumberIntStmt: { value: "int", target: "local" },
  MakeNumberRefStmt: { Index: "int", target: "local" },
  MakeObjectStmt: { target: "local" },
  MakeSetStmt: { target: "local" },
  NopStmt: {},
  NotEqualStmt: { a: "operand", b: "operand" },
  NotStmt: { block: "block" },
  ObjectInsertOnceStmt: { key: "operand", value: "operand", object: "local" },
  ObjectInsertStmt: { key: "operand", value: "operand", object: "local" },
  ObjectMergeStmt: { a: "local", b: "local", target: "local" },
  ResetLocalStmt: { target: "local" },
  ResultSetAddStmt: { value: "local" },
  ReturnLocalStmt: { source: "local" },
  ScanStmt: { source: "local", key: "local", value: "local", block: "block" },
  SetAddStmt: { value: "operand", set: "local" },
  WithStmt: { local: "local", path: "strindexes", value: "operand", block: "inlineBlock" },
};
