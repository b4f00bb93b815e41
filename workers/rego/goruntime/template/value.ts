import { GoError } from "../errors.js";

/** A value as text/template sees it: what OPA hands to Go after a JSON round trip with UseNumber. */
export type GoVal =
  | { k: "invalid" }
  | { k: "nil" }
  | { k: "bool"; v: boolean }
  | { k: "string"; v: string }
  | { k: "number"; v: string }
  | { k: "int"; v: bigint }
  | { k: "float"; v: number }
  | { k: "slice"; v: GoVal[] }
  | { k: "map"; v: Map<string, GoVal> };

export const INVALID: GoVal = { k: "invalid" };
export const NIL: GoVal = { k: "nil" };

/** A parse or execution error; the message is text/template's. */
export class TemplateError extends GoError {}
