/** Failures carry the exit code docs/architecture.md §8 gives them: 1 request or validation failure, 2 usage error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_FAILURE | typeof EXIT_USAGE = EXIT_FAILURE,
    /** printed as it is, without the `error: ` prefix (e.g. Rego error lists written as `opa` writes them) */
    readonly options: { bare?: boolean } = {},
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);
export const failure = (message: string) => new CliError(message, EXIT_FAILURE);
