/**
 * The part of Go's text/template that strings.render_template exposes: text
 * and {{actions}} with trim markers and comments; fields, variables,
 * pipelines and parenthesised pipelines; if / else if / with / range (with
 * else, break, continue) / define / template / block; and the built-in
 * functions and, or, not, len, index, slice, print, printf, println, eq, ne,
 * lt, le, gt, ge, html, js, urlquery.
 *
 * Values are those OPA hands to Go after a JSON round trip with UseNumber:
 * strings, json.Number (a string type that prints as its text), booleans,
 * nil, []any and map[string]any (value.ts). Literal numbers in the template
 * are Go ints and float64s.
 *
 * As in Go, lexer.ts splits the text, parser.ts builds the tree, funcs.ts holds
 * the built-in functions, and this file executes the tree.
 */
import { lex } from "./lexer.js";
import { type ControlNode, MAX_DEPTH, type Node, type Operand, Parser, type Pipe } from "./parser.js";
import { FUNCS, type Fn, formatValue, goBool, goString, isTrue, printAction, typeOf } from "./funcs.js";
import { type GoVal, INVALID, NIL, TemplateError } from "./value.js";

class Break {}
class Continue {}

/** A step limit: templates cannot loop forever, but ranges can nest deeply. */
const MAX_STEPS = 1_000_000;

class Exec {
  private out = "";
  private vars: [string, GoVal][] = [];
  private steps = 0;
  private depth = 0;

  constructor(
    private readonly defines: Map<string, Node[]>,
    root: GoVal,
    private readonly charge: (steps: number) => void,
  ) {
    this.vars.push(["$", root]);
  }

  run(nodes: Node[], dot: GoVal): string {
    this.walk(nodes, dot);
    return this.out;
  }

  /** Each node executed and each range iteration costs a step of the evaluation's budget. */
  private step(): void {
    this.charge(1);
    if (++this.steps > MAX_STEPS) throw new TemplateError("template: execution step limit exceeded");
  }

  private error(node: { line: number; src: string }, msg: string): never {
    throw new TemplateError(`template: template:${node.line}: executing "template" at <${node.src}>: ${msg}`);
  }

  /** One level deeper: a template call or an if / with / range body (parser.ts MAX_DEPTH). */
  private enter(node: { line: number; src: string }): void {
    if (++this.depth > MAX_DEPTH) this.error(node, `exceeded maximum template depth (${MAX_DEPTH})`);
  }

  private walk(nodes: Node[], dot: GoVal): void {
    for (const n of nodes) {
      this.step();
      switch (n.t) {
        case "text":
          this.out += n.text;
          break;
        case "action": {
          const v = this.pipe(n, n.pipe, dot);
          if (n.pipe.decl.length === 0) this.out += printAction(v);
          break;
        }
        case "if":
        case "with": {
          const mark = this.vars.length;
          const v = this.pipe(n, n.pipe, dot);
          const body = isTrue(v) ? n.list : n.elseList;
          // {{break}} and {{continue}} leave through here as exceptions.
          this.enter(n);
          try {
            if (body) this.walk(body, n.t === "with" && body === n.list ? v : dot);
          } finally {
            this.depth--;
          }
          this.vars.length = mark;
          break;
        }
        case "range":
          this.enter(n);
          try {
            this.range(n, dot);
          } finally {
            this.depth--;
          }
          break;
        case "template": {
          const body = this.defines.get(n.name);
          if (!body) this.error(n, `no such template "${n.name}"`);
          this.enter(n);
          const saved = this.vars;
          const newDot = n.pipe ? this.pipe(n, n.pipe, dot) : NIL;
          this.vars = [["$", newDot]];
          this.walk(body, newDot);
          this.vars = saved;
          this.depth--;
          break;
        }
        case "break":
          throw new Break();
        case "continue":
          throw new Continue();
      }
    }
  }

  private range(n: ControlNode, dot: GoVal): void {
    const mark = this.vars.length;
    const decl = n.pipe.decl;
    const val = this.pipe(n, { ...n.pipe, decl: [] }, dot);
    let count: number;
    let item: (i: number) => [GoVal, GoVal];
    switch (val.k) {
      case "slice":
        count = val.v.length;
        item = (i) => [{ k: "int", v: BigInt(i) }, val.v[i] as GoVal];
        break;
      case "map": {
        const keys = [...val.v.keys()].sort();
        count = keys.length;
        item = (i) => [goString(keys[i] as string), val.v.get(keys[i] as string) as GoVal];
        break;
      }
      case "int":
        // Range over an integer (Go 1.22); the step limit bounds huge counts.
        count = val.v > 0n ? Number(val.v > BigInt(MAX_STEPS) ? BigInt(MAX_STEPS) + 1n : val.v) : 0;
        item = (i) => [
          { k: "int", v: BigInt(i) },
          { k: "int", v: BigInt(i) },
        ];
        break;
      case "invalid":
      case "nil":
        count = 0;
        item = () => [INVALID, INVALID];
        break;
      default:
        return this.error(n, `range can't iterate over ${formatValue(val)}`);
    }
    if (count === 0) {
      if (n.elseList) this.walk(n.elseList, dot);
      this.vars.length = mark;
      return;
    }
    for (let i = 0; i < count; i++) {
      this.step();
      const [key, elem] = item(i);
      if (decl.length === 1) this.vars.push([decl[0] as string, elem]);
      else if (decl.length === 2) this.vars.push([decl[0] as string, key], [decl[1] as string, elem]);
      try {
        this.walk(n.list, elem);
      } catch (e) {
        if (e instanceof Break) {
          this.vars.length = mark;
          break;
        }
        if (!(e instanceof Continue)) throw e;
      }
      this.vars.length = mark;
    }
    this.vars.length = mark;
  }

  private lookupVar(node: { line: number; src: string }, name: string): GoVal {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === name) return this.vars[i]![1];
    return this.error(node, `undefined variable: ${name}`);
  }

  private pipe(node: { line: number; src: string }, pipe: Pipe, dot: GoVal): GoVal {
    let value: GoVal | undefined;
    for (const cmd of pipe.cmds) value = this.command(node, cmd, dot, value);
    const v = value as GoVal;
    if (pipe.decl.length === 1) {
      const name = pipe.decl[0] as string;
      if (pipe.assign) {
        let found = false;
        for (let i = this.vars.length - 1; i >= 0; i--) {
          if (this.vars[i]![0] === name) {
            this.vars[i]![1] = v;
            found = true;
            break;
          }
        }
        if (!found) this.error(node, `undefined variable: ${name}`);
      } else this.vars.push([name, v]);
    }
    return v;
  }

  private field(node: { line: number; src: string }, receiver: GoVal, names: string[]): GoVal {
    let cur = receiver;
    for (const name of names) {
      switch (cur.k) {
        case "invalid":
          return INVALID;
        case "map":
          cur = cur.v.get(name) ?? INVALID;
          break;
        case "nil":
          return this.error(node, `nil pointer evaluating interface {}.${name}`);
        default:
          this.error(node, `can't evaluate field ${name} in type ${typeOf(cur)}`);
      }
    }
    return cur;
  }

  private command(node: { line: number; src: string }, cmd: Operand[], dot: GoVal, final: GoVal | undefined): GoVal {
    const first = cmd[0] as Operand;
    if (first.t === "ident") {
      if (first.name === "and" || first.name === "or") {
        // Short-circuit: the first falsy (and) / truthy (or) argument, else the last.
        const argNodes = cmd.slice(1);
        const all = argNodes.length + (final ? 1 : 0);
        if (all === 0) this.error(node, `wrong number of args for ${first.name}: want at least 1 got 0`);
        let v: GoVal = INVALID;
        for (let i = 0; i < all; i++) {
          v = i < argNodes.length ? this.operand(node, argNodes[i] as Operand, dot) : (final as GoVal);
          if (isTrue(v) !== (first.name === "and")) return v;
        }
        return v;
      }
      const args = cmd.slice(1).map((o) => this.operand(node, o, dot));
      if (final) args.push(final);
      try {
        return (FUNCS[first.name] as Fn)(args);
      } catch (e) {
        if (e instanceof TemplateError) throw e;
        const msg = (e as Error).message;
        return this.error(node, msg.startsWith("error calling") ? msg : `error calling ${first.name}: ${msg}`);
      }
    }
    if (cmd.length > 1 || final) {
      if (first.t === "field" || first.t === "var" || first.t === "pipe")
        this.error(node, `${first.t === "field" ? "." + first.names.join(".") : "value"} is not a method but has arguments`);
      this.error(node, `can't give argument to non-function ${first.t}`);
    }
    return this.operand(node, first, dot);
  }

  private operand(node: { line: number; src: string }, o: Operand, dot: GoVal): GoVal {
    switch (o.t) {
      case "dot":
        return dot;
      case "field":
        return this.field(node, dot, o.names);
      case "var":
        return this.field(node, this.lookupVar(node, o.name), o.names);
      case "string":
        return goString(o.v);
      case "number":
        return o.v;
      case "bool":
        return goBool(o.v);
      case "nil":
        return this.error(node, "nil is not a command");
      case "ident":
        return this.command(node, [o], dot, undefined);
      case "pipe": {
        const mark = this.vars.length;
        const v = this.pipe(node, o.pipe, dot);
        this.vars.length = mark;
        return this.field(node, v, o.names);
      }
    }
  }
}

/** Parses and executes a template against `data`. Throws TemplateError. */
export function renderGoTemplate(text: string, data: GoVal, charge: (steps: number) => void = () => {}): string {
  const parser = new Parser(lex(text));
  const { nodes } = parser.list(false);
  return new Exec(parser.defines, data, charge).run(nodes, data);
}
