/**
 * The web console at /console: one HTML page, its script and its stylesheet, built from console/
 * into a generated module (docs/console.md says why). The page holds no data and needs no token:
 * the script signs in with the admin token the user types, keeps it in sessionStorage and sends it
 * as the bearer header to the admin API (/v1), the same origin. Strict CSP: only this origin's
 * script, style and API; no inline script, no third-party origin, no framing.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { files, html } from "./assets.gen.js";

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "Content-Security-Policy": CONSOLE_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

export function consoleApp() {
  const app = new Hono<AppEnv>();
  const page = (c: { body: (b: string, s: 200, h: Record<string, string>) => Response }) =>
    c.body(html, 200, { ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
  app.get("/console", (c) => page(c));
  app.get("/console/", (c) => page(c));
  // Named by content: cacheable for a long time, and a new build has new names.
  const immutable = "public, max-age=31536000, immutable";
  for (const [name, file] of Object.entries(files)) {
    app.get(`/console/${name}`, (c) =>
      c.body(file.body, 200, { ...SECURITY_HEADERS, "Content-Type": file.type, "Cache-Control": immutable }),
    );
  }
  return app;
}
