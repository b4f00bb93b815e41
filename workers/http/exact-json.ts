/**
 * JSON.parse that keeps integers beyond 2^53 exact, so stored JSON (e.g. an
 * audit event's input with request.time_ns) is served back digit for digit.
 * It relies on JSON.parse source access and JSON.rawJSON, which workerd's V8
 * has; elsewhere (Node 20) it parses as plain JSON.parse does.
 */
type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

const keepBigIntegers: Reviver = (_key, value, context) =>
  typeof value === "number" && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source) && rawJSON
    ? rawJSON(context.source)
    : value;

export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, keepBigIntegers as Parameters<typeof JSON.parse>[1]);
}
