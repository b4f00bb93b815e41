/**
 * Lexical scopes for Rego variables. Each variable gets a name unique within
 * its rule (`x` → `x$3`); `some` and `:=` declare, a comprehension or `every`
 * body is a child scope that sees the variables of the bodies enclosing it,
 * and `_` is a fresh variable at every occurrence.
 */
export class Scope {
  private readonly vars = new Map<string, string>();
  /** every unique name declared here, wildcards included */
  private readonly declared = new Set<string>();

  constructor(
    readonly parent: Scope | null,
    private readonly names: NameSource,
  ) {}

  /** The unique name of `name` here or in an enclosing scope. */
  lookup(name: string): string | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  hasOwn(name: string): boolean {
    return this.vars.has(name);
  }

  /** The unique names declared in this scope itself (live: grows as the scope is resolved). */
  ownNames(): Set<string> {
    return this.declared;
  }

  /** Declares `name` in this scope (shadowing outer ones) and returns its unique name. */
  declare(name: string): string {
    const unique = this.names.fresh(name);
    this.vars.set(name, unique);
    this.declared.add(unique);
    return unique;
  }

  /** The unique name of `name` in this scope chain, declaring it here if absent. */
  use(name: string): string {
    return this.lookup(name) ?? this.declare(name);
  }
}

/** Hands out unique variable names and remembers what the user called them. */
export class NameSource {
  private n = 0;
  readonly display = new Map<string, string>();

  fresh(name: string): string {
    const unique = `${name}$${this.n++}`;
    this.display.set(unique, name);
    return unique;
  }

  /** The name as the user wrote it (`x$3` → `x`). */
  original(unique: string): string {
    return this.display.get(unique) ?? unique;
  }
}

export const WILDCARD = "_";
