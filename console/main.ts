/**
 * The web console (docs/console.md): a shell with sign-in, a zone picker and hash routes, one
 * module per view. It talks only to the admin API (/v1) with the token the user signs in with.
 */
import { ApiError, checkToken, setActor, setToken, token, UNAUTHORIZED_EVENT } from "./api.js";
import type { View, ViewContext } from "./context.js";
import { clear, h, link } from "./dom.js";
import { auditView } from "./views/audit.js";
import { explainView } from "./views/explain.js";
import { playgroundView } from "./views/playground.js";
import { policiesView, policyView } from "./views/policies.js";
import { setsView, setView } from "./views/sets.js";
import { zoneView, zonesView } from "./views/zones.js";

/** Routes under #/z/{zone}/…; the first segment picks the view. */
const zoneRoutes: Record<string, { title: string; view: View }> = {
  "": { title: "Overview", view: zoneView },
  policies: { title: "Policies", view: (ctx, p) => (p[0] ? policyView(ctx, p) : policiesView(ctx)) },
  sets: { title: "Policy sets", view: (ctx, p) => (p[0] ? setView(ctx, p) : setsView(ctx)) },
  audit: { title: "Live audit", view: auditView },
  explain: { title: "Explain", view: explainView },
  playground: { title: "Playground", view: playgroundView },
};
const NAV = ["", "policies", "sets", "audit", "playground"];

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const session = document.getElementById("session") as HTMLElement;
const statusEl = document.getElementById("status") as HTMLElement;

let leave: (() => void)[] = [];
let generation = 0;

let statusTimer: ReturnType<typeof setTimeout> | undefined;
/** A short message in the status region (announced politely), cleared after a while. */
function status(message: string): void {
  clearTimeout(statusTimer);
  statusEl.textContent = message;
  if (message) statusTimer = setTimeout(() => (statusEl.textContent = ""), 15_000);
}

function signIn(reason?: string): void {
  clear(nav);
  clear(session);
  document.title = "Sign in · Caracal Edge console";
  const input = h("input", { id: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const name = h("input", { id: "actor", type: "text", autocomplete: "username", maxlength: 100, pattern: "[!-~][ -~]*" });
  const error = h("p", { className: "error", role: "alert" }, reason ?? "");
  const form = h(
    "form",
    { className: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h(
      "p",
      {},
      "Paste the admin token (CARACAL_ADMIN_TOKEN; `caracal dev` prints it). It is kept for this tab only and sent as the bearer header.",
    ),
    h("label", { for: "token" }, "Admin token"),
    input,
    h("label", { for: "actor" }, "Your name for the activation history (optional)"),
    name,
    h("button", { type: "submit" }, "Sign in"),
    error,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    error.textContent = "";
    try {
      await checkToken(value);
      setToken(value);
      setActor(name.value.trim());
      if (!location.hash || location.hash === "#/signin") location.hash = "#/zones";
      else void route();
    } catch (err) {
      error.textContent =
        err instanceof ApiError && err.status === 401 ? "That token was refused." : String(err instanceof Error ? err.message : err);
    }
  });
  clear(main, form);
  input.focus();
}

function renderNav(zone: string | null, active: string): void {
  clear(
    nav,
    h(
      "ul",
      {},
      h("li", {}, link("#/zones", "Zones", active === "zones" ? { "aria-current": "page" } : {})),
      zone
        ? NAV.map((key) =>
            h(
              "li",
              {},
              link(
                `#/z/${encodeURIComponent(zone)}${key ? `/${key}` : ""}`,
                zoneRoutes[key]!.title,
                key === active ? { "aria-current": "page" } : {},
              ),
            ),
          )
        : null,
    ),
  );
  const out = h("button", { type: "button", className: "secondary" }, "Sign out");
  out.addEventListener("click", () => {
    setToken(null);
    location.hash = "#/signin";
  });
  clear(session, zone ? h("span", { className: "zone-id", title: "zone in view" }, zone) : null, out);
}

async function route(): Promise<void> {
  for (const fn of leave) fn();
  leave = [];
  const mine = ++generation;
  if (!token()) return signIn();
  const parts = location.hash
    .replace(/^#\/?/, "")
    .split("/")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p; // a malformed escape: the id is then simply not found
      }
    });
  let zone: string | null = null;
  let key = "zones";
  let view: View;
  let params: string[] = [];
  if (parts[0] === "z" && parts[1]) {
    zone = parts[1];
    key = parts[2] ?? "";
    const r = zoneRoutes[key];
    if (!r) {
      location.hash = `#/z/${encodeURIComponent(zone)}`;
      return;
    }
    view = r.view;
    params = parts.slice(3).filter(Boolean);
    document.title = `${r.title} · ${zone} · Caracal Edge console`;
  } else {
    view = zonesView;
    document.title = "Zones · Caracal Edge console";
  }
  renderNav(zone, key);
  const ctx: ViewContext = {
    main,
    zone,
    onLeave: (fn) => leave.push(fn),
    left: () => mine !== generation,
    status,
  };
  clear(main, h("p", { className: "loading" }, "Loading…"));
  try {
    await view(ctx, params);
    if (!ctx.left()) main.focus({ preventScroll: true });
  } catch (err) {
    if (ctx.left()) return;
    if (err instanceof ApiError && err.status === 401) return signIn("The token was refused; sign in again.");
    clear(
      main,
      h(
        "div",
        { className: "card error", role: "alert" },
        h("h1", {}, "Could not load this view"),
        h("p", {}, err instanceof Error ? err.message : String(err)),
      ),
    );
  }
}

window.addEventListener(UNAUTHORIZED_EVENT, () => {
  setToken(null);
  signIn("The token was refused; sign in again.");
});
window.addEventListener("hashchange", () => void route());
void route();
