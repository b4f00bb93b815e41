/** Policy fixtures are bundled as text (esbuild's text loader; see bench/run.ts). */
declare module "*.rego" {
  const source: string;
  export default source;
}
