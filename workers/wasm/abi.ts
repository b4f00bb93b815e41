/**
 * Reads a Wasm binary's import, export and global sections (no compilation:
 * a Worker may not compile Wasm) and checks that it is a module in OPA's Wasm
 * ABI 1.x as @open-policy-agent/opa-wasm drives it: the memory and host
 * functions it imports from `env`, the functions and ABI globals it exports.
 * See docs/architecture.md §9.
 */

export interface WasmImport {
  module: string;
  name: string;
  kind: "func" | "table" | "memory" | "global" | "tag";
}

export interface WasmExport {
  name: string;
  kind: "func" | "table" | "memory" | "global" | "tag";
  index: number;
}

export interface WasmModuleInfo {
  imports: WasmImport[];
  exports: WasmExport[];
  /** constant initial values of the module's own globals (index in the global index space → value) */
  globalValues: Map<number, number>;
  importedGlobals: number;
}

export class WasmFormatError extends Error {}

const KINDS = ["func", "table", "memory", "global", "tag"] as const;

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end = bytes.length,
  ) {}
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError("unexpected end of the module");
    return this.bytes[this.pos++] as number;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 28) throw new WasmFormatError("malformed LEB128 integer");
    }
  }
  s32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80 && shift < 35);
    if (b & 0x80) throw new WasmFormatError("malformed LEB128 integer");
    if (shift < 32 && b & 0x40) result |= -1 << shift;
    return result | 0;
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new WasmFormatError("a name runs past the end of its section");
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return text;
  }
  skip(n: number): void {
    if (this.pos + n > this.end) throw new WasmFormatError("unexpected end of the module");
    this.pos += n;
  }
  limits(): void {
    const flags = this.u32();
    this.u32();
    if (flags & 1) this.u32();
  }
}

function kindOf(code: number): WasmImport["kind"] {
  const kind = KINDS[code];
  if (!kind) throw new WasmFormatError(`unknown import/export kind ${code}`);
  return kind;
}

/** Skips a constant expression, returning its value when it is a lone i32.const. */
function constExpr(r: Reader): number | undefined {
  let value: number | undefined;
  let ops = 0;
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return ops === 1 ? value : undefined;
    ops++;
    if (op === 0x41) value = r.s32();
    else if (op === 0x42) r.s32() /* i64: not read exactly, not needed */;
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0x23 || op === 0xd2) r.u32();
    else if (op === 0xd0) r.byte();
    else throw new WasmFormatError(`unsupported instruction 0x${op.toString(16)} in a constant expression`);
  }
}

export function readWasmModule(bytes: Uint8Array): WasmModuleInfo {
  const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || head.some((b, i) => bytes[i] !== b)) throw new WasmFormatError("not a WebAssembly binary (version 1)");
  const r = new Reader(bytes);
  r.pos = 8;
  const info: WasmModuleInfo = { imports: [], exports: [], globalValues: new Map(), importedGlobals: 0 };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} runs past the end of the module`);
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name();
        const name = s.name();
        const kind = kindOf(s.byte());
        if (kind === "func") s.u32();
        else if (kind === "table") {
          s.byte();
          s.limits();
        } else if (kind === "memory") s.limits();
        else if (kind === "global") {
          s.byte();
          s.byte();
          info.importedGlobals++;
        } else {
          s.byte();
          s.u32();
        }
        info.imports.push({ module, name, kind });
      }
    } else if (id === 6) {
      const count = s.u32();
      for (let i = 0; i < count; i++) {
        s.byte(); // value type
        s.byte(); // mutability
        const value = constExpr(s);
        if (value !== undefined) info.globalValues.set(info.importedGlobals + i, value);
      }
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) {
        const name = s.name();
        const kind = kindOf(s.byte());
        info.exports.push({ name, kind, index: s.u32() });
      }
    }
    r.pos = end;
  }
  return info;
}

/** Functions the SDK calls on every module (loading, data, the ABI 1.1 evaluation path). */
const REQUIRED_FUNCTIONS = [
  "builtins",
  "entrypoints",
  "opa_malloc",
  "opa_json_parse",
  "opa_json_dump",
  "opa_heap_ptr_get",
  "opa_heap_ptr_set",
  "opa_eval_ctx_new",
  "opa_eval_ctx_set_input",
  "opa_eval_ctx_set_data",
  "opa_eval_ctx_set_entrypoint",
  "opa_eval_ctx_get_result",
  "eval",
];
/** What OPA's runtime may import from its host, and no more: the SDK provides exactly these. */
const HOST_FUNCTIONS = new Set([
  "opa_abort",
  "opa_println",
  "opa_builtin0",
  "opa_builtin1",
  "opa_builtin2",
  "opa_builtin3",
  "opa_builtin4",
]);

export interface OpaAbi {
  abiVersion: number;
  abiMinorVersion: number;
}

/** Checks the module against OPA's Wasm ABI 1.x; returns its version or every problem found. */
export function checkOpaAbi(bytes: Uint8Array): { ok: true; abi: OpaAbi } | { ok: false; problems: string[] } {
  let info: WasmModuleInfo;
  try {
    info = readWasmModule(bytes);
  } catch (err) {
    return { ok: false, problems: [err instanceof Error ? err.message : String(err)] };
  }
  const problems: string[] = [];
  for (const imp of info.imports) {
    const known =
      imp.module === "env" && ((imp.kind === "memory" && imp.name === "memory") || (imp.kind === "func" && HOST_FUNCTIONS.has(imp.name)));
    if (!known) problems.push(`imports ${imp.kind} ${imp.module}.${imp.name}, which OPA's Wasm ABI does not provide`);
  }
  if (!info.imports.some((i) => i.kind === "memory" && i.module === "env" && i.name === "memory"))
    problems.push("does not import its memory as env.memory");
  if (!info.imports.some((i) => i.kind === "func" && i.module === "env" && i.name === "opa_abort"))
    problems.push("does not import env.opa_abort");
  const exported = new Map(info.exports.map((e) => [e.name, e]));
  for (const name of REQUIRED_FUNCTIONS) {
    if (exported.get(name)?.kind !== "func") problems.push(`does not export function ${name}`);
  }
  const global = (name: string): number | undefined => {
    const e = exported.get(name);
    if (e?.kind !== "global") {
      problems.push(`does not export global ${name}`);
      return undefined;
    }
    const value = info.globalValues.get(e.index);
    if (value === undefined) problems.push(`global ${name} is not a constant`);
    return value;
  };
  const abiVersion = global("opa_wasm_abi_version");
  const abiMinorVersion = global("opa_wasm_abi_minor_version");
  if (abiVersion !== undefined && abiVersion !== 1) problems.push(`is OPA Wasm ABI ${abiVersion}.x; only 1.x is supported`);
  if (abiMinorVersion !== undefined && abiMinorVersion >= 2 && exported.get("opa_eval")?.kind !== "func")
    problems.push(`claims ABI 1.${abiMinorVersion} but does not export function opa_eval`);
  if (problems.length > 0 || abiVersion === undefined || abiMinorVersion === undefined) return { ok: false, problems };
  return { ok: true, abi: { abiVersion, abiMinorVersion } };
}
