/**
 * Limits on JSON that is later walked recursively (policy input conversion,
 * the evaluator, audit serialization): subject and actor token claims, client
 * attributes, admin request bodies. Checked before any processing, with an
 * explicit stack, so the check itself cannot overflow whatever it is given.
 */

/** Deepest nesting accepted (an object or array inside another counts one level). */
export const MAX_JSON_DEPTH = 64;
/** Most values (objects, arrays and scalars together) one document may hold. */
export const MAX_JSON_VALUES = 20_000;

/** Why a value exceeds the limits, or undefined when it is within them. */
export function jsonLimitProblem(value: unknown, maxDepth = MAX_JSON_DEPTH, maxValues = MAX_JSON_VALUES): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let count = 0;
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop() as { value: unknown; depth: number };
    if (++count > maxValues) return `it holds more than ${maxValues} values`;
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > maxDepth) return `it is nested more than ${maxDepth} levels deep`;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}
