/**
 * `caracal token exchange`: an RFC 8693 request to the zone's token endpoint,
 * for trying policies by hand. It authenticates as the client
 * (client_secret_basic), not with the admin token, and prints the response
 * with the request id that `caracal explain` takes.
 */
import { Option, type Command } from "commander";
import { globalOptions, zonePath } from "../context.js";
import { reason } from "../api-client.js";
import { failure } from "../errors.js";
import { type HttpAnswer, header, send } from "../http.js";
import { printFields, printJson } from "../output.js";

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

interface ExchangeOptions {
  clientId: string;
  clientSecret: string;
  subjectToken: string;
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType: string;
  resource: string[];
  audience: string[];
  scope?: string;
  requestedTokenType?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("Call the zone's STS as a client");

  token
    .command("exchange")
    .description("Exchange a subject token (RFC 8693) and print the response and its request id")
    .requiredOption("--client-id <id>", "the client's id")
    .addOption(new Option("--client-secret <secret>", "the client's secret").env("CARACAL_CLIENT_SECRET").makeOptionMandatory())
    .requiredOption("--subject-token <jwt>", "the token to exchange")
    .addOption(new Option("--subject-token-type <urn>", "its token type").default(JWT_TYPE))
    .option("--actor-token <jwt>", "a token of the party acting for the subject")
    .addOption(new Option("--actor-token-type <urn>", "its token type").default(JWT_TYPE))
    .option("--resource <uri>", "target resource (repeatable)", collect, [])
    .option("--audience <name>", "target audience (repeatable)", collect, [])
    .option("--scope <scopes>", "space-separated scopes to request")
    .option("--requested-token-type <urn>", "urn:ietf:params:oauth:token-type:access_token (default) or …:jwt")
    .action(async (opts: ExchangeOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const url = new URL(`${zonePath(g)}/oauth2/token`, g.apiUrl);
      const form = new URLSearchParams({ grant_type: GRANT, subject_token: opts.subjectToken, subject_token_type: opts.subjectTokenType });
      if (opts.actorToken) {
        form.set("actor_token", opts.actorToken);
        form.set("actor_token_type", opts.actorTokenType);
      }
      for (const r of opts.resource) form.append("resource", r);
      for (const a of opts.audience) form.append("audience", a);
      if (opts.scope) form.set("scope", opts.scope);
      if (opts.requestedTokenType) form.set("requested_token_type", opts.requestedTokenType);
      const credentials = Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString("base64");

      let res: HttpAnswer;
      try {
        res = await send(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${credentials}` },
          body: form.toString(),
        });
      } catch (err) {
        throw failure(`cannot reach the STS at ${url.origin} (${reason(err)}); is \`caracal dev\` running, or is --api-url right?`);
      }
      const requestId = header(res, "x-request-id");
      const text = res.text;
      let response: unknown = text;
      try {
        response = JSON.parse(text);
      } catch {
        // not JSON: printed as text
      }
      if (g.json) printJson({ request_id: requestId, status: res.status, response });
      else {
        printFields([["Request ID", requestId]]);
        printJson(response);
      }
      if (res.status < 200 || res.status >= 300) {
        const error = response as { error?: string; error_description?: string };
        throw failure(`${error.error ?? res.status}: ${error.error_description ?? text} (HTTP ${res.status}, request ${requestId})`);
      }
    });
}
