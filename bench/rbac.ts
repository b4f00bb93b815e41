/**
 * The classic RBAC policy of issue 3 and its data: 1,000 users with 2 of 50
 * roles each, 20 {action, object} permissions per role, and three inputs
 * (allowed through the user's first role, through the second, denied).
 */
export const RBAC_POLICY = `package example
default allow := false
allow if {
    roles := data.user_roles[input.user]
    r := roles[_]
    permissions := data.role_permissions[r]
    p := permissions[_]
    p == {"action": input.action, "object": input.object}
}
`;

export function rbacData(): { data: unknown; inputs: unknown[] } {
  const roles = Array.from({ length: 50 }, (_, i) => `role-${i}`);
  const role_permissions: Record<string, { action: string; object: string }[]> = {};
  for (const [i, r] of roles.entries())
    role_permissions[r] = Array.from({ length: 20 }, (_, j) => ({
      action: ["read", "write", "delete", "list"][j % 4] as string,
      object: `object-${i}-${j}`,
    }));
  const user_roles: Record<string, string[]> = {};
  for (let u = 0; u < 1000; u++) user_roles[`user-${u}`] = [roles[u % 50] as string, roles[(u * 7 + 3) % 50] as string];
  // user-10 has roles 10 and 23.
  const inputs = [
    { user: "user-10", action: "read", object: "object-10-0" }, // first role, first permission
    { user: "user-10", action: "delete", object: "object-23-18" }, // second role, near the end
    { user: "user-10", action: "write", object: "object-99-1" }, // denied
  ];
  return { data: { user_roles, role_permissions }, inputs };
}
