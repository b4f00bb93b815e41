/**
 * Policy sets: the list; one set with its versions, the activation timeline, the isolates running
 * the active version, the shadow report as a chart, and the activate / rollback / shadow actions.
 * Every action opens a confirmation that first replays the newest recorded decisions (up to 500)
 * against the candidate (POST …/replay) and shows what would flip; only then can it be confirmed.
 */
import { all, ApiError, enc, get, post, query } from "../api.js";
import { type VersionRef, versionIndex } from "../catalog.js";
import { stackedBars } from "../chart.js";
import { type ViewContext, zonePath } from "../context.js";
import { badge, clear, facts, h, link, table, time } from "../dom.js";
import type { Activation, PolicySet, PolicySetDetail, PolicySetVersion, ReplayResult, ShadowReport } from "../types.js";

export async function setsView(ctx: ViewContext): Promise<void> {
  const base = zonePath(ctx);
  const sets = await all<PolicySet>(`${base}/policy-sets`);
  if (ctx.left()) return;
  const z = `#/z/${enc(ctx.zone!)}`;
  clear(
    ctx.main,
    h("h1", {}, "Policy sets"),
    sets.length === 0
      ? h("p", {}, "No policy sets yet: `caracal policy-set create --name production`.")
      : table(
          `${sets.length} set${sets.length === 1 ? "" : "s"}`,
          ["Name", "ID", "Created"],
          sets.map((s) => [link(`${z}/sets/${enc(s.id)}`, s.name), h("code", {}, s.id), time(s.created_at)]),
        ),
  );
}

type Action = "activate" | "rollback" | "shadow" | "unshadow";

export async function setView(ctx: ViewContext, params: string[]): Promise<void> {
  const base = zonePath(ctx);
  const setId = params[0]!;
  const [set, index] = await Promise.all([get<PolicySetDetail>(`${base}/policy-sets/${enc(setId)}`), versionIndex(base)]);
  if (ctx.left()) return;
  const z = `#/z/${enc(ctx.zone!)}`;
  const a = set.activation;
  const activeIdx = a ? set.versions.findIndex((v) => v.id === a.active_version_id) : -1;
  const reportBox = h("section", { className: "card", "aria-labelledby": "shadow-title" });
  const rerender = () => void setView(ctx, params).catch((err) => ctx.status(String(err instanceof Error ? err.message : err)));

  const actionsFor = (v: PolicySetVersion, i: number) => {
    const buttons: HTMLButtonElement[] = [];
    const button = (label: string, action: Action) => {
      const b = h(
        "button",
        { type: "button", className: action === "activate" ? "" : "secondary", "data-action": action, "data-version": v.id },
        label,
      );
      b.addEventListener("click", () => confirmAction(ctx, set, v, action, index, rerender));
      buttons.push(b);
    };
    if (v.id !== a?.active_version_id)
      button(activeIdx >= 0 && i < activeIdx ? "Roll back…" : "Activate…", activeIdx >= 0 && i < activeIdx ? "rollback" : "activate");
    if (a && v.id !== a.active_version_id && v.id !== a.shadow_version_id) button("Shadow…", "shadow");
    if (a && v.id === a.shadow_version_id) button("Stop shadow…", "unshadow");
    return h("div", { className: "actions" }, ...buttons);
  };

  clear(
    ctx.main,
    h("p", { className: "crumbs" }, link(`${z}/sets`, "Policy sets"), " / ", set.name),
    h("h1", {}, `Policy set ${set.name}`),
    h(
      "section",
      { className: "card", "aria-labelledby": "activation-title" },
      h("h2", { id: "activation-title" }, "Activation"),
      a ? activationFacts(a, set) : h("p", {}, "This set is not the zone's active set."),
    ),
    table(
      "Versions, newest first",
      ["Version", "Policies, in evaluation order", "Status", "Created", "Actions"],
      set.versions
        .map((v, i) => [v, i] as const)
        .reverse()
        .map(([v, i]) => [
          h("code", {}, v.id),
          h("ol", { className: "members" }, ...v.policy_version_ids.map((pv) => h("li", {}, memberLink(z, pv, index.get(pv))))),
          [
            v.id === a?.active_version_id ? badge("active", "allow") : null,
            v.id === a?.shadow_version_id ? badge("shadow", "shadow") : null,
          ],
          time(v.created_at),
          actionsFor(v, i),
        ]),
    ),
    table(
      "Activation timeline, newest first",
      ["#", "When", "Who", "From", "To", "Shadow"],
      [...set.history]
        .reverse()
        .map((e) => [
          e.seq,
          time(e.activated_at),
          e.actor,
          e.from_version_id ? h("code", {}, e.from_version_id) : "—",
          h("code", {}, e.to_version_id),
          e.shadow_version_id ? h("code", {}, e.shadow_version_id) : "—",
        ]),
    ),
    reportBox,
  );
  await shadowReport(ctx, base, set, reportBox);
}

function memberLink(z: string, pv: string, ref: VersionRef | undefined): Node {
  if (!ref) return h("code", {}, pv);
  return link(`${z}/policies/${enc(ref.policy.id)}/${enc(pv)}`, [ref.policy.name, " ", h("code", {}, pv)]);
}

function activationFacts(a: Activation, set: PolicySetDetail): HTMLElement {
  const iso = set.isolates;
  return facts([
    ["Active version", h("code", {}, a.active_version_id)],
    ["Shadow version", a.shadow_version_id ? h("code", {}, a.shadow_version_id) : "none"],
    ["Activated", `#${a.seq} by ${a.activated_by} at ${time(a.activated_at)}`],
    [
      "Isolates",
      iso
        ? `${iso.running_active} of ${iso.reporting} reporting isolate${iso.reporting === 1 ? "" : "s"} run the active version (reports of the last 30 s)`
        : "not known: isolates report over the invalidation stream (Redis), which this deployment does not have",
    ],
  ]);
}

const WINDOWS = {
  hour: { label: "last hour, per minute", bucket: "minute", ms: 3_600_000 },
  day: { label: "last 24 hours, per hour", bucket: "hour", ms: 86_400_000 },
  month: { label: "last 30 days, per day", bucket: "day", ms: 30 * 86_400_000 },
} as const;

async function shadowReport(
  ctx: ViewContext,
  base: string,
  set: PolicySetDetail,
  box: HTMLElement,
  window: keyof typeof WINDOWS = "day",
): Promise<void> {
  const w = WINDOWS[window];
  const since = new Date(Date.now() - w.ms).toISOString();
  const report = await get<ShadowReport>(`${base}/policy-sets/${enc(set.id)}/shadow-report${query({ since, bucket: w.bucket })}`);
  if (ctx.left()) return;
  const select = h(
    "select",
    { id: "shadow-window" },
    ...Object.entries(WINDOWS).map(([k, v]) => h("option", { value: k, ...(k === window ? { selected: true } : {}) }, v.label)),
  );
  select.addEventListener("change", () => void shadowReport(ctx, base, set, box, select.value as keyof typeof WINDOWS));
  const rate = report.agreement_rate === null ? "—" : `${(report.agreement_rate * 100).toFixed(1)} %`;
  clear(
    box,
    h("h2", { id: "shadow-title" }, "Shadow report"),
    h("div", { className: "field" }, h("label", { for: "shadow-window" }, "Window"), select),
    report.evaluated === 0
      ? h("p", {}, "No shadow evaluations of this set's versions in this window.")
      : [
          facts([
            ["Evaluated", report.evaluated],
            ["Agreement", rate],
            ["Enforced allow, shadow deny", report.allow_to_deny],
            ["Enforced deny, shadow allow", report.deny_to_allow],
            ["Shadow errors", report.shadow_errors],
            ["Shadow versions", report.shadow_versions.join(", ")],
          ]),
          stackedBars(
            "Shadow agreement over time",
            [
              { key: "agreed", label: "agreed", className: "fill-agree" },
              { key: "allow_to_deny", label: "allow → deny", className: "fill-deny" },
              { key: "deny_to_allow", label: "deny → allow", className: "fill-flip" },
            ],
            report.buckets.map((b) => ({
              label: b.start.slice(w.bucket === "day" ? 5 : 11, w.bucket === "day" ? 10 : 16),
              values: { agreed: b.agreed, allow_to_deny: b.allow_to_deny, deny_to_allow: b.deny_to_allow },
            })),
          ),
          report.by_client.length
            ? table(
                "By client",
                ["Client", "Evaluated", "Agreed", "Allow → deny", "Deny → allow"],
                report.by_client.map((c) => [h("code", {}, c.client_id), c.evaluated, c.agreed, c.allow_to_deny, c.deny_to_allow]),
              )
            : null,
          report.truncated ? h("p", { className: "note" }, "More shadow events than one report reads: narrow the window.") : null,
        ],
  );
}

const TITLES: Record<Action, string> = {
  activate: "Activate",
  rollback: "Roll back to",
  shadow: "Shadow",
  unshadow: "Stop shadowing",
};

/** The confirmation dialog: replay first, then the action. */
function confirmAction(
  ctx: ViewContext,
  set: PolicySetDetail,
  v: PolicySetVersion,
  action: Action,
  index: Map<string, VersionRef>,
  done: () => void,
): void {
  const base = zonePath(ctx);
  const a = set.activation;
  // What the zone would enforce and shadow after confirming.
  const target = action === "shadow" || action === "unshadow" ? a!.active_version_id : v.id;
  const replayed = action === "unshadow" ? null : v.id;
  const shadowSelect = h(
    "select",
    { id: "dialog-shadow" },
    h("option", { value: "" }, "none"),
    ...set.versions.filter((o) => o.id !== v.id).map((o) => h("option", { value: o.id }, o.id)),
  );
  const result = h("div", { className: "replay", "aria-live": "polite" }, replayed ? h("p", {}, "Replaying recorded decisions…") : null);
  const confirm = h("button", { type: "button", id: "dialog-confirm", disabled: replayed !== null }, `${TITLES[action]} ${v.id}`);
  const cancel = h("button", { type: "button", className: "secondary" }, "Cancel");
  const error = h("p", { className: "error", role: "alert" });
  const dialog = h(
    "dialog",
    { className: "confirm", "aria-labelledby": "dialog-title" },
    h("h2", { id: "dialog-title" }, `${TITLES[action]} ${v.id}?`),
    h(
      "p",
      {},
      action === "shadow"
        ? `Keeps ${a!.active_version_id} enforced and evaluates ${v.id} alongside it, unenforced.`
        : action === "unshadow"
          ? `Keeps ${a!.active_version_id} enforced and stops evaluating ${v.id} alongside it.`
          : `Enforces ${v.id} (${v.policy_version_ids.map((pv) => index.get(pv)?.policy.name ?? pv).join(", ")}) in every edge isolate within about a second.`,
    ),
    action === "activate" || action === "rollback"
      ? h(
          "div",
          { className: "field" },
          h("label", { for: "dialog-shadow" }, "Shadow version after this (activating replaces the shadow)"),
          shadowSelect,
        )
      : null,
    replayed ? h("h3", {}, `Replay of the newest recorded decisions against ${replayed}`) : null,
    result,
    error,
    h("div", { className: "actions" }, cancel, confirm),
  );
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    error.textContent = "";
    const shadow = action === "shadow" ? v.id : action === "unshadow" ? null : shadowSelect.value ? shadowSelect.value : null;
    try {
      const activation = await post<Activation>(`${base}/policy-sets/${enc(set.id)}/activate`, { version: target, shadow });
      dialog.close();
      ctx.status(
        `Activation #${activation.seq}: ${activation.active_version_id} enforced${activation.shadow_version_id ? `, ${activation.shadow_version_id} in shadow` : ""}.`,
      );
      done();
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
      confirm.disabled = false;
    }
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  cancel.focus();
  if (!replayed) return;
  post<ReplayResult>(`${base}/policy-sets/${enc(set.id)}/replay`, { version: replayed, limit: 500 })
    .then((r) => {
      clear(result, replayView(ctx, r));
      confirm.disabled = false;
    })
    .catch((err) => {
      clear(
        result,
        h("p", { className: "error" }, `The replay failed: ${err instanceof ApiError ? err.message : String(err)}. You may still confirm.`),
      );
      confirm.disabled = false;
    });
}

function replayView(ctx: ViewContext, r: ReplayResult): HTMLElement {
  const z = `#/z/${enc(ctx.zone!)}`;
  if (r.replayed === 0) return h("p", { className: "replay-summary" }, "No recorded decisions to replay: nothing to compare yet.");
  const flips = r.allow_to_deny + r.deny_to_allow;
  return h(
    "div",
    {},
    h(
      "p",
      { className: `replay-summary ${flips ? "warn" : "ok"}` },
      `${r.replayed} decisions replayed: ${r.unchanged} unchanged, ${r.allow_to_deny} allow → deny, ${r.deny_to_allow} deny → allow, ${r.errors} errors.`,
      r.next_cursor ? " (more recorded decisions exist; these are the newest 500)" : "",
    ),
    r.flips.length
      ? table(
          "Decisions that would change",
          ["Request", "Client", "When", "Recorded", "Candidate", "Candidate's reasons"],
          r.flips
            .slice(0, 20)
            .map((f) => [
              link(`${z}/explain/${enc(f.request_id)}`, h("code", {}, f.request_id)),
              h("code", {}, f.client_id),
              time(f.time),
              badge(f.from, f.from),
              badge(f.to, f.to),
              f.error ? `${f.error.code}: ${f.error.message}` : f.reasons.join("; "),
            ]),
        )
      : null,
  );
}
