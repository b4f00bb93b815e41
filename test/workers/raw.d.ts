/** Vite's `?raw` imports: the file's text (used to load OPA's plan cases inside workerd). */
declare module "*?raw" {
  const text: string;
  export default text;
}
