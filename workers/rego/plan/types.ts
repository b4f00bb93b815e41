/**
 * OPA's intermediate representation, as `opa build -t plan` writes it
 * (open-policy-agent/opa v1/ir/ir.go). These types describe the decoded JSON;
 * `decodePlan` checks a value against them.
 */

export interface Policy {
  static: Static;
  plans: { plans: Plan[] };
  funcs: { funcs: Func[] };
}

export interface Static {
  strings: { value: string }[];
  builtin_funcs: { name: string; decl?: unknown }[];
  files: { value: string }[];
}

export interface Plan {
  name: string;
  blocks: Block[];
}

export interface Func {
  name: string;
  params: number[];
  return: number;
  blocks: Block[];
  path?: string[];
}

export interface Block {
  stmts: Stmt[];
}

export type Operand = { type: "local"; value: number } | { type: "bool"; value: boolean } | { type: "string_index"; value: number };

export interface Loc {
  file: number;
  row: number;
  col: number;
}

export interface StmtBodies {
  ArrayAppendStmt: { array: number; value: Operand };
  AssignIntStmt: { value: number; target: number };
  AssignVarOnceStmt: { source: Operand; target: number };
  AssignVarStmt: { source: Operand; target: number };
  BlockStmt: { blocks: Block[] };
  BreakStmt: { index: number };
  CallDynamicStmt: { args: number[]; result: number; path: Operand[] };
  CallStmt: { func: string; args: Operand[]; result: number };
  DotStmt: { source: Operand; key: Operand; target: number };
  EqualStmt: { a: Operand; b: Operand };
  IsArrayStmt: { source: Operand };
  IsDefinedStmt: { source: number };
  IsObjectStmt: { source: Operand };
  IsSetStmt: { source: Operand };
  IsUndefinedStmt: { source: number };
  LenStmt: { source: Operand; target: number };
  MakeArrayStmt: { capacity: number; target: number };
  MakeNullStmt: { target: number };
  MakeNumberIntStmt: { value: number; target: number };
  MakeNumberRefStmt: { Index: number; target: number };
  MakeObjectStmt: { target: number };
  MakeSetStmt: { target: number };
  NopStmt: Record<string, never>;
  NotEqualStmt: { a: Operand; b: Operand };
  NotStmt: { block: Block };
  ObjectInsertOnceStmt: { key: Operand; value: Operand; object: number };
  ObjectInsertStmt: { key: Operand; value: Operand; object: number };
  ObjectMergeStmt: { a: number; b: number; target: number };
  ResetLocalStmt: { target: number };
  ResultSetAddStmt: { value: number };
  ReturnLocalStmt: { source: number };
  ScanStmt: { source: number; key: number; value: number; block: Block };
  SetAddStmt: { value: Operand; set: number };
  WithStmt: { local: number; path: number[]; value: Operand; block: Block };
}

export type StmtType = keyof StmtBodies;

export type Stmt = {
  [T in StmtType]: { type: T; stmt: StmtBodies[T] & Partial<Loc> };
}[StmtType];

export const STMT_TYPES = [
  "ArrayAppendStmt",
  "AssignIntStmt",
  "AssignVarOnceStmt",
  "AssignVarStmt",
  "BlockStmt",
  "BreakStmt",
  "CallDynamicStmt",
  "CallStmt",
  "DotStmt",
  "EqualStmt",
  "IsArrayStmt",
  "IsDefinedStmt",
  "IsObjectStmt",
  "IsSetStmt",
  "IsUndefinedStmt",
  "LenStmt",
  "MakeArrayStmt",
  "MakeNullStmt",
  "MakeNumberIntStmt",
  "MakeNumberRefStmt",
  "MakeObjectStmt",
  "MakeSetStmt",
  "NopStmt",
  "NotEqualStmt",
  "NotStmt",
  "ObjectInsertOnceStmt",
  "ObjectInsertStmt",
  "ObjectMergeStmt",
  "ResetLocalStmt",
  "ResultSetAddStmt",
  "ReturnLocalStmt",
  "ScanStmt",
  "SetAddStmt",
  "WithStmt",
] as const satisfies readonly StmtType[];
