/**
 * Creating an OPA-Wasm policy version from its parts (policy.wasm as base64, the
 * data document, the manifest). A bundle upload (`bundle`, a tar.gz from `opa
 * build -t wasm`) through the ordinary version routes becomes a Wasm version the
 * same way: both go through workers/admin/policy-versions.ts `storeWasmVersion` (the zone's
 * signing rules, `validateWasmBundle`, the blob storage of workers/wasm/store.ts). The identity
 * is the bundle digest over /policy.wasm, /data.json and /.manifest as JSON texts, so versions
 * stay immutable and content-addressed: the same bundle again returns the existing version.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { base64Decode } from "../../crypto.js";
import { database, found } from "../../db.js";
import { badRequest } from "../../http/problem.js";
import { checkSignature, storeWasmVersion, wasmUploadFromParts } from "../policy-versions.js";
import { jsonBody, jsonResponse, PolicyParams, problems } from "../schemas/common.js";
import { PolicyVersion, policyVersionView } from "../schemas/policies.js";
import { newRouter } from "../router.js";
import { policyOfZone } from "../zone-rows.js";

export const wasmVersionsRouter = newRouter();

const CreateWasmVersionRequest = z
  .strictObject({
    wasm: z.string().min(1).openapi({ description: "base64 of the bundle's /policy.wasm (`opa build -t wasm`)" }),
    data: z.record(z.string(), z.unknown()).default({}).openapi({ description: "the bundle's data document (/data.json)" }),
    manifest: z.record(z.string(), z.unknown()).optional().openapi({ description: "the bundle's /.manifest, with its wasm entrypoints" }),
    package: z
      .string()
      .regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/)
      .optional()
      .openapi({
        description: "the decision package (default: the manifest's metadata.decision_package, else the one package with allow or deny)",
      }),
  })
  .openapi("CreateWasmPolicyVersionRequest");

const createWasmVersion = createRoute({
  method: "post",
  path: "/zones/{zone}/policies/{policy}/versions/wasm",
  tags: ["policies"],
  summary: "Add an OPA-compiled Wasm version to a policy",
  description:
    "The module must be OPA Wasm ABI 1.x with the decision package's entrypoints, and every built-in it imports must be served by the OPA SDK or by the engine (synchronously); the deployment needs the Worker Loader binding. The same bundle again returns the existing version with 200.",
  request: { params: PolicyParams, body: jsonBody(CreateWasmVersionRequest) },
  responses: {
    200: jsonResponse(PolicyVersion, "The existing version with this content"),
    201: jsonResponse(PolicyVersion, "The new version"),
    ...problems(404, 413, 415, 422),
  },
});

function decodeWasm(text: string): Uint8Array {
  try {
    return base64Decode(text);
  } catch {
    throw badRequest("wasm must be base64", [{ code: "invalid_base64", message: "wasm is not valid base64", pointer: "/wasm" }]);
  }
}

wasmVersionsRouter.openapi(createWasmVersion, async (c) => {
  const { zone, policy } = c.req.valid("param");
  const body = c.req.valid("json");
  const db = database(c.env);
  const owner = found(await policyOfZone(db, zone, policy), "policy");
  const upload = await wasmUploadFromParts({ wasm: decodeWasm(body.wasm), data: body.data, manifest: body.manifest });
  // Parts carry no signature: a zone that requires signed bundles refuses them.
  await checkSignature(db, zone, upload.signature);
  const { version, created } = await storeWasmVersion(db, c.env, owner, upload, body.package);
  return c.json(policyVersionView(version), created ? 201 : 200);
});
