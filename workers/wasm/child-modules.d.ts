// The child Worker's modules that the loader supplies (workers/wasm/loader.ts).
declare module "caracal-wasm-policy.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "caracal-wasm-data.json" {
  const data: unknown;
  export default data;
}
