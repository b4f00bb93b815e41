/**
 * The live audit: the newest events, then new ones as they are recorded (polling the audit API
 * from the newest event seen, in its (time, id) order, as `caracal audit tail --follow` does),
 * filtered by decision, status and client, with decisions per minute as a chart.
 */
import { all, enc, get, type Page, query } from "../api.js";
import { stackedBars, timeBuckets } from "../chart.js";
import { type ViewContext, zonePath } from "../context.js";
import { badge, clear, h, link, time } from "../dom.js";
import type { AuditEvent, Client } from "../types.js";

const POLL_MS = 2000;
/** Events the view keeps (the chart covers the last 30 minutes of them). */
const KEEP = 1000;
const CHART_MINUTES = 30;

export function outcomeOf(e: AuditEvent): "allow" | "deny" | "error" | "shadow" {
  return e.evaluation_status === "error" ? "error" : e.evaluation_status === "shadow" ? "shadow" : e.decision;
}

export async function auditView(ctx: ViewContext): Promise<void> {
  const base = zonePath(ctx);
  const clients = await all<Client>(`${base}/clients`).catch(() => [] as Client[]);
  if (ctx.left()) return;
  const z = `#/z/${enc(ctx.zone!)}`;
  const select = (id: string, label: string, options: [string, string][]) => {
    const el = h("select", { id }, ...options.map(([v, t]) => h("option", { value: v }, t)));
    return [el, h("div", { className: "field" }, h("label", { for: id }, label), el)] as const;
  };
  const [decision, decisionField] = select("f-decision", "Decision", [
    ["", "all"],
    ["allow", "allow"],
    ["deny", "deny"],
  ]);
  const [status, statusField] = select("f-status", "Status", [
    ["", "all"],
    ["enforced", "enforced"],
    ["shadow", "shadow"],
    ["error", "error"],
  ]);
  const [client, clientField] = select("f-client", "Client", [
    ["", "all"],
    ...clients.map((c): [string, string] => [c.id, `${c.name} (${c.id})`]),
  ]);
  const pause = h("button", { type: "button", className: "secondary", "aria-pressed": "false" }, "Pause");
  const live = h("p", { className: "live", "aria-live": "polite" });
  const chartBox = h("div", {});
  const rows = h("tbody", {});
  clear(
    ctx.main,
    h("h1", {}, "Live audit"),
    h("form", { className: "filters", "aria-label": "Filters" }, decisionField, statusField, clientField, pause),
    live,
    chartBox,
    h(
      "table",
      { className: "audit" },
      h("caption", {}, "Audit events, newest first"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Time", "Request", "Client", "Subject", "Decision", "Deciding policy and rule", "Reasons"].map((t) =>
            h("th", { scope: "col" }, t),
          ),
        ),
      ),
      rows,
    ),
  );

  let events: AuditEvent[] = [];
  let last: { time: string; id: string } | null = null;
  let paused = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let run = 0;
  ctx.onLeave(() => clearTimeout(timer));

  const filters = () => ({ decision: decision.value, status: status.value, client: client.value });
  const row = (e: AuditEvent) =>
    h(
      "tr",
      { "data-request": e.request_id },
      h("td", {}, time(e.time)),
      h("td", {}, link(`${z}/explain/${enc(e.request_id)}`, h("code", {}, e.request_id))),
      h("td", {}, h("code", {}, e.client_id)),
      h("td", {}, e.subject.sub),
      h("td", {}, badge(outcomeOf(e), outcomeOf(e)), e.evaluation_status === "shadow" ? ` ${e.decision}` : ""),
      h(
        "td",
        {},
        ...e.determining_policies.map((d) =>
          h("div", {}, d.policy_name, " ", h("code", {}, d.rule), d.location ? ` ${d.location.file}:${d.location.row}` : ""),
        ),
      ),
      h("td", {}, e.reasons.join("; ")),
    );
  const render = (fresh: AuditEvent[]) => {
    for (const e of fresh) rows.prepend(row(e));
    while (rows.children.length > KEEP) rows.lastElementChild?.remove();
    const end = Math.ceil(Date.now() / 60_000) * 60_000;
    clear(
      chartBox,
      stackedBars(
        `Decisions per minute, last ${CHART_MINUTES} minutes`,
        [
          { key: "allow", label: "allow", className: "fill-agree" },
          { key: "deny", label: "deny", className: "fill-deny" },
          { key: "error", label: "error", className: "fill-error" },
          { key: "shadow", label: "shadow", className: "fill-flip" },
        ],
        timeBuckets(events, outcomeOf, end, 60_000, CHART_MINUTES),
      ),
    );
    live.textContent = `${events.length} event${events.length === 1 ? "" : "s"} shown${paused ? " (paused)" : ", updating every 2 s"}${fresh.length && last ? `; newest ${time(last.time)}` : ""}.`;
  };

  const poll = async (mine: number) => {
    if (ctx.left() || mine !== run) return;
    try {
      const fresh: AuditEvent[] = [];
      let cursor: string | null = null;
      do {
        const q: string = query({ ...filters(), order: "asc", limit: 100, since: last?.time, cursor });
        const page: Page<AuditEvent> = await get<Page<AuditEvent>>(`${base}/audit${q}`);
        if (ctx.left() || mine !== run) return;
        for (const e of page.items) {
          if (last && (e.time < last.time || (e.time === last.time && e.id <= last.id))) continue;
          fresh.push(e);
          last = { time: e.time, id: e.id };
        }
        cursor = page.next_cursor;
      } while (cursor && fresh.length < KEEP);
      events = [...events, ...fresh].slice(-KEEP);
      if (fresh.length) render(fresh);
    } catch (err) {
      live.textContent = `Could not read the audit: ${err instanceof Error ? err.message : String(err)}; retrying.`;
    }
    if (!paused && !ctx.left() && mine === run) timer = setTimeout(() => void poll(mine), POLL_MS);
  };

  /** (Re)starts from the newest 100 events matching the filters. */
  const start = async () => {
    const mine = ++run;
    clearTimeout(timer);
    const page = await get<Page<AuditEvent>>(`${base}/audit${query({ ...filters(), order: "desc", limit: 100 })}`);
    if (ctx.left() || mine !== run) return;
    events = [...page.items].reverse();
    last = events.at(-1) ?? null;
    rows.replaceChildren();
    render(events);
    if (!last) live.textContent = "No events yet: waiting for token exchanges.";
    if (!paused) timer = setTimeout(() => void poll(mine), POLL_MS);
  };

  for (const el of [decision, status, client]) el.addEventListener("change", () => void start());
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(paused));
    if (paused) clearTimeout(timer);
    else void poll(run);
    render([]);
  });
  await start();
}
