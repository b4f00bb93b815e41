/**
 * An Upstash-REST-compatible front for a local redis-server, for `caracal dev`
 * and the tests: `@upstash/redis` (what the Worker uses) speaks HTTP+JSON, so
 * this bridge turns its requests into RESP2 commands.
 *
 * Protocol (as @upstash/redis sends it): POST / with one command as a JSON
 * array; POST /pipeline with an array of commands; POST /multi-exec for a
 * transaction; `Authorization: Bearer <token>`. Results are `{result}` or
 * `{error}`; with `Upstash-Encoding: base64` every string in a result (except
 * "OK") is base64 of its UTF-8 bytes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual, createHash } from "node:crypto";
import { RespConnection, RespError, type RespValue } from "./resp.js";

export interface BridgeOptions {
  redisPort: number;
  token: string;
  /** port to listen on; 0 picks a free one */
  port?: number;
  host?: string;
  /** where the bridge says that it lost or regained redis-server (default: stderr) */
  log?: (message: string) => void;
}

export interface Bridge {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

type JSONish = string | number | null | JSONish[];

/**
 * The bridge's one connection to redis-server. When redis-server goes away
 * (killed, restarted) the connection is dropped and the next request opens a
 * new one, so a restarted redis-server is used again without restarting the
 * bridge; both events are logged. Requests while it is down get 503.
 */
class RedisLink {
  private connection: RespConnection | undefined;
  private lost = false;

  constructor(
    private readonly port: number,
    private readonly log: (message: string) => void,
  ) {}

  async open(): Promise<void> {
    await this.get();
  }

  async get(): Promise<RespConnection> {
    if (this.connection && !this.connection.isClosed) return this.connection;
    const connection = await RespConnection.open(this.port);
    if (this.lost) this.log(`reconnected to redis-server on 127.0.0.1:${this.port}`);
    this.lost = false;
    connection.onClose((reason) => {
      this.lost = true;
      this.log(`lost redis-server on 127.0.0.1:${this.port} (${reason.message}); reconnecting on the next request`);
    });
    this.connection = connection;
    return connection;
  }

  close(): void {
    this.connection?.close();
  }
}

class RedisUnavailable extends Error {}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const link = new RedisLink(opts.redisPort, opts.log ?? ((m) => process.stderr.write(`upstash bridge: ${m}\n`)));
  await link.open();
  const expected = digest(`Bearer ${opts.token}`);
  const server = createServer((req, res) => {
    const connection = link.get().catch((e: unknown) => {
      throw new RedisUnavailable(`redis-server is unavailable: ${(e as Error)?.message ?? e}`);
    });
    handle(req, res, connection, expected).catch((e: unknown) =>
      reply(res, e instanceof RedisUnavailable ? 503 : 500, { error: String((e as Error)?.message ?? e) }),
    );
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    close: () => closeServer(server).finally(() => link.close()),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, connection: Promise<RespConnection>, expected: Buffer): Promise<void> {
  // Awaited only once the request is authorized and parsed; a rejection meanwhile is not unhandled.
  connection.catch(() => {});
  if (req.method !== "POST") return reply(res, 405, { error: "only POST is supported" });
  if (!timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) return reply(res, 401, { error: "Unauthorized" });
  const body = await readBody(req);
  if (body === undefined) return reply(res, 413, { error: "request body too large" });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reply(res, 400, { error: "request body is not JSON" });
  }
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const path = (req.url ?? "/").split("?")[0];
  const redis = await connection;
  if (path === "/" || path === "") {
    if (!isCommand(parsed)) return reply(res, 400, { error: "expected a command array" });
    const [result] = await redis.send([parsed]);
    return result instanceof RespError
      ? reply(res, 400, { error: result.message })
      : reply(res, 200, { result: encode(result as RespValue, base64) });
  }
  if (path === "/pipeline" || path === "/multi-exec") {
    if (!Array.isArray(parsed) || !parsed.every(isCommand)) return reply(res, 400, { error: "expected an array of command arrays" });
    const commands = parsed as (string | number)[][];
    if (path === "/pipeline") {
      const results = await redis.send(commands);
      return reply(
        res,
        200,
        results.map((r) => (r instanceof RespError ? { error: r.message } : { result: encode(r, base64) })),
      );
    }
    const replies = await redis.send([["MULTI"], ...commands, ["EXEC"]]);
    const exec = replies[replies.length - 1];
    if (exec instanceof RespError || !Array.isArray(exec))
      return reply(res, 400, { error: exec instanceof RespError ? exec.message : "transaction aborted" });
    return reply(
      res,
      200,
      exec.map((r) => (r instanceof RespError ? { error: r.message } : { result: encode(r, base64) })),
    );
  }
  return reply(res, 404, { error: `unknown path ${path}` });
}

function isCommand(x: unknown): x is (string | number)[] {
  return Array.isArray(x) && x.length > 0 && x.every((p) => typeof p === "string" || typeof p === "number");
}

function encode(v: RespValue, base64: boolean): JSONish {
  if (v instanceof RespError) return v.message;
  if (Array.isArray(v)) return v.map((x) => encode(x, base64));
  if (typeof v === "string" && base64 && v !== "OK") return Buffer.from(v, "utf8").toString("base64");
  return v;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
