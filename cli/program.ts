/** The `caracal` command line: global options, command groups, and exit codes (0 ok, 1 failure, 2 usage). */
import { Command, CommanderError, Option } from "commander";
import { formatError, RegoError } from "../workers/rego/errors.js";
import { registerAuditCommands } from "./commands/audit.js";
import { registerClientCommands } from "./commands/client.js";
import { registerDevCommand } from "./commands/dev.js";
import { registerIssuerCommands } from "./commands/issuer.js";
import { registerLocalCommands } from "./commands/local.js";
import { registerPolicySetCommands } from "./commands/policy-set.js";
import { registerPolicyCommands } from "./commands/policy.js";
import { registerReplayCommands } from "./commands/replay.js";
import { registerTokenCommands } from "./commands/token.js";
import { registerZoneCommands } from "./commands/zone.js";
import { DEFAULT_API_URL } from "./context.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";

export function buildProgram(): Command {
  const program = new Command("caracal")
    .description("Caracal Edge: policies, policy sets, activation, clients and audit for the edge STS; local Rego authoring")
    .addOption(new Option("--api-url <url>", "admin API base URL").env("CARACAL_API_URL").default(DEFAULT_API_URL))
    .addOption(new Option("--token <token>", "admin token").env("CARACAL_ADMIN_TOKEN"))
    .addOption(new Option("--zone <id>", "zone for zone-scoped commands").env("CARACAL_ZONE_ID"))
    .option("--json", "print the API's JSON instead of ID lines")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(run with --help for usage)")
    // Before the commands are added: subcommands inherit it, and usage errors become exit code 2.
    .exitOverride();
  registerZoneCommands(program);
  registerPolicyCommands(program);
  registerPolicySetCommands(program);
  registerReplayCommands(program);
  registerClientCommands(program);
  registerIssuerCommands(program);
  registerAuditCommands(program);
  registerTokenCommands(program);
  registerLocalCommands(program);
  registerDevCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // An explicit --help is a success; a missing command (help shown instead) is a usage error.
      return err.code === "commander.helpDisplayed" ? 0 : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof RegoError) {
      process.stderr.write(`error: ${formatError(err)}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
}
