/**
 * Caps on the work one graphql.* call may do, so that a policy (or the input
 * it is given) cannot stall the isolate: gqlparser has none by default. Over
 * a cap, every graphql.* built-in fails with eval_builtin_error.
 */
import { GqlLimitError } from "./errors.js";

/** Longest GraphQL document accepted, in UTF-16 code units. */
export const MAX_DOCUMENT_LENGTH = 1 << 20;

/** Most tokens lexed from one document. */
export const MAX_TOKENS = 200_000;

/**
 * Deepest nesting of selection sets, values, list types or AST objects: the
 * parser, walker and codec recurse, and the JavaScript stack is finite.
 */
export const MAX_DEPTH = 200;

/** Most AST nodes decoded from one policy-built object. */
export const MAX_NODES = 500_000;

export function tooLong(length: number): GqlLimitError {
  return new GqlLimitError(`GraphQL document of ${length} characters exceeds the limit of ${MAX_DOCUMENT_LENGTH}`);
}

export function tooManyTokens(): GqlLimitError {
  return new GqlLimitError(`GraphQL document exceeds the limit of ${MAX_TOKENS} tokens`);
}

export function tooDeep(): GqlLimitError {
  return new GqlLimitError(`GraphQL document nests deeper than the limit of ${MAX_DEPTH} levels`);
}

export function tooManyNodes(): GqlLimitError {
  return new GqlLimitError(`GraphQL AST object exceeds the limit of ${MAX_NODES} nodes`);
}

/**
 * Work metering for validation, whose cost is not bounded by the document's
 * size (fragments are re-examined wherever they are spread, and comparing
 * overlapping fields is exponential in the worst case). One unit is about a
 * microsecond of work and costs one evaluation step; units are charged in
 * batches so metering stays cheap.
 */
export class Meter {
  private pending = 0;

  constructor(private readonly charge: (steps: number) => void) {}

  add(units = 1): void {
    this.pending += units;
    if (this.pending >= 1024) this.flush();
  }

  flush(): void {
    if (this.pending > 0) {
      const steps = this.pending;
      this.pending = 0;
      this.charge(steps);
    }
  }
}
