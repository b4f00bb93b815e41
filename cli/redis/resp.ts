/**
 * A minimal RESP2 client for one redis-server connection: commands are
 * written as arrays of bulk strings and replies matched to them in order
 * (Redis answers a connection's commands in the order it received them).
 */
import { type Socket, connect } from "node:net";

export type RespValue = string | number | null | RespValue[] | RespError;

export class RespError {
  constructor(readonly message: string) {}
}

interface Pending {
  resolve(v: RespValue): void;
  reject(e: Error): void;
}

export class RespConnection {
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private closed = false;
  private readonly closeListeners: ((reason: Error) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk) => this.onData(chunk));
    const fail = (e: Error) => this.failAll(e);
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("redis connection closed")));
  }

  /** Connects, or rejects after `timeoutMs` (a paused server may still accept, but a dead port must not hang). */
  static open(port: number, host = "127.0.0.1", timeoutMs = 2000): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connecting to redis-server on ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RespConnection(socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Called once when the connection is lost (not when `close()` ends it). */
  onClose(listener: (reason: Error) => void): void {
    this.closeListeners.push(listener);
  }

  /** Sends commands in one write and resolves with their replies, in order. */
  send(commands: (string | number)[][]): Promise<RespValue[]> {
    if (this.closed) return Promise.reject(new Error("redis connection closed"));
    const replies = commands.map(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          this.pending.push({ resolve, reject });
        }),
    );
    this.socket.write(Buffer.concat(commands.map(encode)));
    return Promise.all(replies);
  }

  close(): void {
    this.closed = true;
    this.closeListeners.length = 0;
    this.socket.destroy();
  }

  private failAll(e: Error): void {
    const wasOpen = !this.closed;
    this.closed = true;
    for (const p of this.pending.splice(0)) p.reject(e);
    if (wasOpen) for (const listener of this.closeListeners.splice(0)) listener(e);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const parsed = parse(this.buffer, 0);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      this.pending.shift()?.resolve(parsed.value);
    }
  }
}

function encode(command: (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${command.length}\r\n`)];
  for (const arg of command) {
    const bytes = Buffer.from(String(arg), "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `at`; undefined when the buffer does not hold all of it yet. */
function parse(buf: Buffer, at: number): { value: RespValue; end: number } | undefined {
  const eol = buf.indexOf("\r\n", at);
  if (eol < 0) return undefined;
  const line = buf.toString("utf8", at + 1, eol);
  switch (buf[at]) {
    case 0x2b: // +
      return { value: line, end: eol + 2 };
    case 0x2d: // -
      return { value: new RespError(line), end: eol + 2 };
    case 0x3a: // :
      return { value: Number(line), end: eol + 2 };
    case 0x24: {
      // $
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      if (buf.length < eol + 2 + n + 2) return undefined;
      return { value: buf.toString("utf8", eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      const items: RespValue[] = [];
      let end = eol + 2;
      for (let i = 0; i < n; i++) {
        const item = parse(buf, end);
        if (!item) return undefined;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`unexpected RESP reply type ${String.fromCharCode(buf[at] ?? 0)}`);
  }
}
