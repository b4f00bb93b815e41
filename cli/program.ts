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
import { VERSION } from "./version.js";

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
  program
    .command("version")
    .description("Print the CLI's version")
    .action(() => void process.stdout.write(`${VERSION}\n`));
  checkRequiredOptionsLast(program);
  return program;
}

/**
 * `caracal --version` / `-V` exist only when no command is named: global options are accepted
 * after the command too, so a program-level `--version` would swallow `policy-set activate
 * --version <id>`. Registered this way, a typo such as `caracal --verison` still gets
 * commander's "Did you mean --version?".
 */
function namesCommand(program: Command, argv: string[]): boolean {
  const commands = new Set(program.commands.map((c) => c.name()));
  return argv.some((a) => commands.has(a));
}

/**
 * Commander checks required options before unknown ones, so a typo such as `--verison` was
 * reported as a missing `--version` rather than as the unknown option it is (with commander's
 * "Did you mean" suggestion). Required options are checked here instead, in a pre-action hook,
 * which runs after commander's unknown-option and argument checks; the message is commander's own.
 */
function checkRequiredOptionsLast(program: Command): void {
  const required = new Map<Command, Option[]>();
  const visit = (cmd: Command) => {
    const options = cmd.options.filter((o) => o.mandatory);
    for (const o of options) o.mandatory = false;
    if (options.length > 0) required.set(cmd, options);
    cmd.commands.forEach(visit);
  };
  visit(program);
  program.hook("preAction", (_program, action) => {
    for (let cmd: Command | null = action; cmd; cmd = cmd.parent) {
      for (const o of required.get(cmd) ?? []) {
        if (cmd.getOptionValue(o.attributeName()) === undefined)
          cmd.error(`error: required option '${o.flags}' not specified`, { code: "commander.missingMandatoryOptionValue" });
      }
    }
  });
}

/** Runs the CLI and returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    const program = buildProgram();
    if (!namesCommand(program, argv)) program.version(VERSION, "-V, --version", "print the CLI's version");
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // An explicit --help or --version is a success; a missing command (help shown instead) is a usage error.
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? 0 : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(err.options.bare ? `${err.message}\n` : `error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof RegoError) {
      process.stderr.write(`error: ${formatError(err)}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }
}
