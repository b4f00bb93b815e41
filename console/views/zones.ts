/** Zones: the list, and one zone's overview (its activation and where to go next). */
import { all, enc, get } from "../api.js";
import { type ViewContext, zonePath } from "../context.js";
import { clear, facts, h, link, table, time } from "../dom.js";
import type { PolicySet, Zone, ZoneDetail } from "../types.js";

export async function zonesView(ctx: ViewContext): Promise<void> {
  const zones = await all<Zone>("/zones");
  if (ctx.left()) return;
  clear(
    ctx.main,
    h("h1", {}, "Zones"),
    zones.length === 0
      ? h("p", {}, "No zones yet: `caracal zone create --name dev`.")
      : table(
          `${zones.length} zone${zones.length === 1 ? "" : "s"}`,
          ["Name", "ID", "Default token lifetime", "Max token lifetime", "Created"],
          zones.map((z) => [
            link(`#/z/${enc(z.id)}`, z.name),
            h("code", {}, z.id),
            `${z.default_token_lifetime} s`,
            `${z.max_token_lifetime} s`,
            time(z.created_at),
          ]),
        ),
  );
}

export async function zoneView(ctx: ViewContext): Promise<void> {
  const base = zonePath(ctx);
  const [zone, sets] = await Promise.all([get<ZoneDetail>(base), all<PolicySet>(`${base}/policy-sets`)]);
  if (ctx.left()) return;
  const a = zone.activation;
  const setName = (id: string) => sets.find((s) => s.id === id)?.name ?? id;
  const z = `#/z/${enc(zone.id)}`;
  clear(
    ctx.main,
    h("h1", {}, `Zone ${zone.name}`),
    facts([
      ["ID", h("code", {}, zone.id)],
      ["Token lifetime", `${zone.default_token_lifetime} s (max ${zone.max_token_lifetime} s)`],
      ["Created", time(zone.created_at)],
    ]),
    h(
      "section",
      { className: "card", "aria-labelledby": "active-title" },
      h("h2", { id: "active-title" }, "Active policy set"),
      a
        ? facts([
            ["Set", link(`${z}/sets/${enc(a.policy_set_id)}`, setName(a.policy_set_id))],
            ["Version", h("code", {}, a.active_version_id)],
            ["Shadow", a.shadow_version_id ? h("code", {}, a.shadow_version_id) : "none"],
            ["Activation", `#${a.seq} by ${a.activated_by} at ${time(a.activated_at)}`],
          ])
        : h("p", {}, "Nothing is active: every exchange is denied (no_active_policy_set)."),
    ),
    h(
      "ul",
      { className: "tiles" },
      h("li", {}, link(`${z}/policies`, "Policies and versions")),
      h("li", {}, link(`${z}/sets`, "Policy sets, activation and shadow")),
      h("li", {}, link(`${z}/audit`, "Live audit")),
      h("li", {}, link(`${z}/playground`, "Playground")),
    ),
  );
}
