/**
 * The shape of a validation rule: at the start of each validation it
 * registers observers with the walker (and may keep state across them), and
 * reports errors through `report`.
 */
import type { Position } from "../ast.js";
import type { Events } from "../walk.js";

export type Report = (message: string, pos: Position | null) => void;

export interface Rule {
  name: string;
  register(events: Events, report: Report): void;
}
