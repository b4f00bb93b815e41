/**
 * Two policy versions that decide the fixture exchange (bench/edge.ts setupZone) opposite ways, so
 * the stream tests see which one an instance enforces.
 */
export const ALLOW = `package payments
default allow := false
allow if input.subject.claims.role == "payer"
`;
export const DENY = `package payments
default allow := false
deny contains "paused by operations" if true
`;
