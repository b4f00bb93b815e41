/** The web console's files as the Worker serves them: the page, its script and stylesheet, the CSP, no token needed. */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const get = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://caracal.test${path}`, init));

describe("web console", () => {
  it("serves the page with a strict CSP and no data, without a token", async () => {
    for (const path of ["/console", "/console/"]) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      const html = await res.text();
      // No inline script: the only script is the same-origin module the page names.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).toMatch(/<script type="module" src="\/console\/app-[A-Z0-9]{8}\.js"><\/script>/);
      expect(html).toMatch(/<link rel="stylesheet" href="\/console\/app-[A-Z0-9]{8}\.css">/);
    }
  });

  it("serves the script and stylesheet the page names, cacheable by content", async () => {
    const html = await (await get("/console")).text();
    const script = /src="(\/console\/app-[A-Z0-9]{8}\.js)"/.exec(html)![1]!;
    const style = /href="(\/console\/app-[A-Z0-9]{8}\.css)"/.exec(html)![1]!;
    const js = await get(script);
    const entry = await js.clone().text();
    // The engine is a chunk the entry loads on demand, by a same-origin relative import.
    const chunk = /"\.\/(engine-[A-Z0-9]{8}\.js)"/.exec(entry)?.[1];
    expect(chunk).toBeDefined();
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    const engine = await get(`/console/${chunk}`);
    expect(engine.status).toBe(200);
    const code = entry + (await engine.text());
    // The chunk holds the engine the playground runs; nothing generates code at run time.
    expect(code.includes("rego_parse_error")).toBe(true);
    // (a method named eval — `.eval(`, or `}eval(` defining one — is not the global eval)
    expect(/new Function\b|(?<![.\w$}])eval\(/.exec(code)?.[0] ?? null).toBeNull();
    const css = await get(style);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 404 problem+json for other paths under /console and a stale script name", async () => {
    for (const path of ["/console/app-00000000.js", "/console/nope", "/console/app.js"]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("does not answer writes", async () => {
    const res = await get("/console", { method: "POST", body: "x" });
    expect(res.status).toBe(404);
  });
});
