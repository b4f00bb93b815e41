/**
 * `caracal token exchange`: an RFC 8693 request to the zone's token endpoint,
 * for trying policies by hand. It authenticates as the client, not with the
 * admin token: with its secret (client_secret_basic), or with --client-key
 * (private_key_jwt: a fresh assertion signed with the client's private JWK,
 * `aud` the token endpoint, a new `jti`, valid for 60 s), and prints the
 * response with the request id that `caracal explain` takes.
 */
import { Option, type Command } from "commander";
import { importJWK, SignJWT, type JWK } from "jose";
import { globalOptions, zonePath } from "../context.js";
import { reason } from "../api-client.js";
import { failure, usageError } from "../errors.js";
import { type HttpAnswer, header, send } from "../http.js";
import { printFields, printJson } from "../output.js";
import { readJsonFile } from "./shared.js";

const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ASSERTION_LIFETIME_SECONDS = 60;

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

interface ExchangeOptions {
  clientId: string;
  clientSecret?: string;
  clientKey?: string;
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
  registerMintCommand(token);

  token
    .command("exchange")
    .description("Exchange a subject token (RFC 8693) and print the response and its request id")
    .requiredOption("--client-id <id>", "the client's id")
    .addOption(new Option("--client-secret <secret>", "the client's secret").env("CARACAL_CLIENT_SECRET"))
    .option("--client-key <file>", "the client's private JWK (private_key_jwt): signs a client assertion instead of a secret")
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
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      if (opts.clientKey !== undefined) {
        form.set("client_id", opts.clientId);
        form.set("client_assertion_type", CLIENT_ASSERTION_TYPE);
        form.set("client_assertion", await clientAssertion(opts.clientKey, opts.clientId, url.toString()));
      } else if (opts.clientSecret !== undefined) {
        const credentials = Buffer.from(`${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`).toString("base64");
        headers.authorization = `Basic ${credentials}`;
      } else {
        throw usageError("give --client-secret (or CARACAL_CLIENT_SECRET) or --client-key");
      }

      let res: HttpAnswer;
      try {
        res = await send(url, {
          method: "POST",
          headers,
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

/** The JWS algorithm a private JWK signs with: its `alg`, or the usual one for its key type. */
function algorithmOf(jwk: JWK): string {
  if (jwk.alg) return jwk.alg;
  if (jwk.kty === "EC")
    return ({ "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" } as Record<string, string>)[jwk.crv ?? ""] ?? "ES256";
  if (jwk.kty === "OKP") return "EdDSA";
  return "RS256";
}

/** A private JWK from a file (or the first key of a JWK Set), ready to sign; `whose` names it in errors. */
async function signingKeyFrom(
  file: string,
  whose: string,
): Promise<{ key: Awaited<ReturnType<typeof importJWK>>; alg: string; kid?: string }> {
  const parsed = await readJsonFile(file);
  const jwk = (parsed as { keys?: JWK[] }).keys?.[0] ?? (parsed as JWK);
  if (typeof jwk !== "object" || jwk === null || !("d" in jwk)) throw failure(`${file} must hold the ${whose}'s private JWK (with "d")`);
  const alg = algorithmOf(jwk);
  try {
    return { key: await importJWK(jwk, alg), alg, ...(jwk.kid ? { kid: jwk.kid } : {}) };
  } catch (err) {
    throw failure(`${file}: the key cannot sign ${alg}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** RFC 7523 §2.2: iss = sub = the client id, aud = the token endpoint, a fresh jti, a short exp. */
async function clientAssertion(file: string, clientId: string, tokenEndpoint: string): Promise<string> {
  const { key, alg, kid } = await signingKeyFrom(file, "client");
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: "JWT", ...(kid ? { kid } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenEndpoint)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ASSERTION_LIFETIME_SECONDS}s`)
    .sign(key);
}

/** `role=payer` → ["role", "payer"]; a value that reads as JSON (`true`, `3`, `["a"]`) is that JSON. */
function claimOf(pair: string): [string, unknown] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw usageError(`--claim takes name=value, got ${JSON.stringify(pair)}`);
  const value = pair.slice(eq + 1);
  try {
    return [pair.slice(0, eq), JSON.parse(value)];
  } catch {
    return [pair.slice(0, eq), value];
  }
}

interface MintOptions {
  key: string;
  issuer: string;
  sub: string;
  claim: string[];
  ttl: string;
}

/**
 * `caracal token mint`: a subject token for trying policies locally, signed with a key that
 * `caracal issuer add --generate-key` made and registered. Not an identity provider: tokens say
 * whatever the flags say, and the zone trusts them only because it trusts that key.
 */
function registerMintCommand(token: Command): void {
  token
    .command("mint")
    .description("Sign a test subject token with a trusted issuer's private key (see `issuer add --generate-key`)")
    .requiredOption("--key <file>", "the issuer's private JWK")
    .requiredOption("--issuer <url>", "the token's iss: the issuer as it was added")
    .requiredOption("--sub <subject>", "the token's sub")
    .option("--claim <name=value>", "another claim (repeatable; JSON values are parsed)", collect, [])
    .option("--ttl <seconds>", "lifetime in seconds", "300")
    .action(async (opts: MintOptions) => {
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl <= 0) throw usageError("--ttl takes a positive number of seconds");
      const { key, alg, kid } = await signingKeyFrom(opts.key, "issuer");
      const jwt = await new SignJWT(Object.fromEntries(opts.claim.map(claimOf)))
        .setProtectedHeader({ alg, typ: "JWT", ...(kid ? { kid } : {}) })
        .setIssuer(opts.issuer)
        .setSubject(opts.sub)
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(key);
      process.stdout.write(`${jwt}\n`);
    });
}
