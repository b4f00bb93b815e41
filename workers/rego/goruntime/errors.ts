/**
 * The failures of the Go functions reproduced here. Their message is Go's
 * error text, which OPA hands to the policy author unchanged; the built-ins
 * turn a GoError into eval_builtin_error (builtins/args.ts `goErrors`), so
 * this folder does not depend on the built-in machinery.
 */
export class GoError extends Error {}
