/**
 * The admin API, mounted at /v1. Its OpenAPI 3.1 document is generated from
 * the zod schemas that validate the requests, and served without auth: it
 * describes the API and holds no data.
 */
import { adminAuth } from "./auth.js";
import { bodySizeCap, jsonBodyOnly, jsonBodyShape } from "./body.js";
import { newRouter } from "./router.js";
import { activationRouter } from "./routes/activation.js";
import { auditRouter } from "./routes/audit.js";
import { bundleSigningRouter } from "./routes/bundle-signing.js";
import { clientsRouter } from "./routes/clients.js";
import { explainRouter } from "./routes/explain.js";
import { issuersRouter } from "./routes/issuers.js";
import { policiesRouter } from "./routes/policies.js";
import { policySetVersionsRouter } from "./routes/policy-set-versions.js";
import { policySetsRouter } from "./routes/policy-sets.js";
import { policyVersionsRouter } from "./routes/policy-versions.js";
import { replayRouter } from "./routes/replay.js";
import { shadowReportRouter } from "./routes/shadow-report.js";
import { signingKeysRouter } from "./routes/signing-keys.js";
import { wasmVersionsRouter } from "./routes/wasm-versions.js";
import { zonesRouter } from "./routes/zones.js";

export function adminApi() {
  const api = newRouter();
  api.openAPIRegistry.registerComponent("securitySchemes", "adminToken", {
    type: "http",
    scheme: "bearer",
    description: "The admin token (CARACAL_ADMIN_TOKEN)",
  });
  // Registered before the auth middleware: Hono runs matching handlers in registration order,
  // and the document's handler answers without calling on.
  api.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: { title: "Caracal Edge admin API", version: "1" },
    servers: [{ url: new URL("/v1", c.req.url).toString() }],
    security: [{ adminToken: [] }],
  }));
  api.use("*", adminAuth, bodySizeCap, jsonBodyOnly, jsonBodyShape);
  for (const router of [
    zonesRouter,
    policiesRouter,
    policyVersionsRouter,
    bundleSigningRouter,
    wasmVersionsRouter,
    policySetsRouter,
    policySetVersionsRouter,
    activationRouter,
    signingKeysRouter,
    clientsRouter,
    issuersRouter,
    auditRouter,
    explainRouter,
    replayRouter,
    shadowReportRouter,
  ]) {
    api.route("/", router);
  }
  return api;
}
