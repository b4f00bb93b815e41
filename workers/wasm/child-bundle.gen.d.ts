/** The OPA-Wasm child Worker as one ES module's source (scripts/build-wasm-child.mjs writes it). */
declare const source: string;
export default source;
