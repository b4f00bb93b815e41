/**
 * A D1 binding wrapped to see what the Worker asks of it: every round trip
 * (a statement's first/all/raw/run, a batch, an exec) is counted and can be
 * delayed, as a colo far from the D1 primary sees it. Used by the STS bench
 * (`exchange p50 with D1 +100 ms`) and by the test that counts D1 calls per
 * exchange. The statements themselves run on the real binding.
 */

export interface D1Calls {
  /** round trips so far */
  count: number;
}

export function wrapD1(db: D1Database, calls: D1Calls, delayMs = 0): D1Database {
  const roundTrip = async <T>(run: () => Promise<T>): Promise<T> => {
    calls.count++;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    return run();
  };
  const inner = new WeakMap<object, D1PreparedStatement>();
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const wrapped = {
      bind: (...values: unknown[]) => wrapStatement(stmt.bind(...values)),
      first: (column?: string) => roundTrip(() => (column === undefined ? stmt.first() : stmt.first(column))),
      all: () => roundTrip(() => stmt.all()),
      run: () => roundTrip(() => stmt.run()),
      raw: (options?: { columnNames?: boolean }) => roundTrip(() => stmt.raw(options as { columnNames: true })),
    } as unknown as D1PreparedStatement;
    inner.set(wrapped, stmt);
    return wrapped;
  };
  return {
    prepare: (query: string) => wrapStatement(db.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => roundTrip(() => db.batch(statements.map((s) => inner.get(s) ?? s))),
    exec: (query: string) => roundTrip(() => db.exec(query)),
    dump: () => roundTrip(() => db.dump()),
    withSession: (...args: Parameters<D1Database["withSession"]>) => db.withSession(...args),
  } as unknown as D1Database;
}
