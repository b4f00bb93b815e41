/**
 * D1 failures as their own error. Every call the Worker makes on the DB
 * binding goes through `guardD1`: an error D1 throws (the database is
 * unreachable, read-only, overloaded, …) becomes a `StorageUnavailableError`,
 * which the app answers with 503 and Retry-After (admin: problem+json; token
 * endpoint: OAuth `temporarily_unavailable`) instead of a 500. That includes
 * constraint errors the code does not expect: the routes that race on a
 * unique key (activation, key creation) catch their own error and answer
 * 409, and anything else is worth a retry rather than a 500.
 */

/** Seconds a client is asked to wait before retrying after a storage failure. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

export class StorageUnavailableError extends Error {
  override name = "StorageUnavailableError";
}

function classify(err: unknown): StorageUnavailableError {
  const message = err instanceof Error ? err.message : String(err);
  return new StorageUnavailableError(`D1 failed: ${message}`, { cause: err });
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw classify(err);
  }
}

/** A statement whose results are guarded; `batch` unwraps it to the binding's own statement. */
class GuardedStatement {
  constructor(readonly inner: D1PreparedStatement) {}
  bind(...values: unknown[]): GuardedStatement {
    return new GuardedStatement(this.inner.bind(...values));
  }
  first(column?: string): Promise<unknown> {
    return guarded(() => (column === undefined ? this.inner.first() : this.inner.first(column)));
  }
  run(): Promise<D1Result> {
    return guarded(() => this.inner.run());
  }
  all(): Promise<D1Result> {
    return guarded(() => this.inner.all());
  }
  raw(options?: { columnNames?: boolean }): Promise<unknown[]> {
    return guarded(() => (options?.columnNames ? this.inner.raw({ columnNames: true }) : this.inner.raw()));
  }
}

const unwrap = (s: D1PreparedStatement): D1PreparedStatement => (s instanceof GuardedStatement ? s.inner : s);

const guardedBindings = new WeakMap<D1Database, D1Database>();

/** The binding with every failure classified (one wrapper per binding). */
export function guardD1(db: D1Database): D1Database {
  let wrapped = guardedBindings.get(db);
  if (!wrapped) {
    wrapped = {
      prepare: (query: string) => new GuardedStatement(db.prepare(query)) as unknown as D1PreparedStatement,
      batch: (statements: D1PreparedStatement[]) => guarded(() => db.batch(statements.map(unwrap))),
      exec: (query: string) => guarded(() => db.exec(query)),
      withSession: (constraint?: string) => db.withSession(constraint as D1SessionConstraint),
      dump: () => guarded(() => db.dump()),
    } as unknown as D1Database;
    guardedBindings.set(db, wrapped);
  }
  return wrapped;
}

/** The storage failure behind an error (drizzle wraps driver errors in its own, with `cause`). */
export function storageFailure(err: unknown): StorageUnavailableError | undefined {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 8; e = e.cause, i++) {
    if (e instanceof StorageUnavailableError) return e;
  }
  return undefined;
}
