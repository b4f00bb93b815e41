/** Zones: the isolation unit. Created and listed outside any zone; everything else lives under one. */
import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { zoneActivations, zones } from "../../../schema/index.js";
import { conflict } from "../../http/problem.js";
import { newId } from "../../ids.js";
import { database, found, nowIso } from "../../db.js";
import { afterCursor, pageOrder, toPage } from "../pagination.js";
import { activationView } from "../schemas/activation.js";
import { jsonBody, jsonResponse, PageQuery, problems, ZoneParams } from "../schemas/common.js";
import { CreateZoneRequest, Zone, ZoneDetail, ZonePage, zoneLifetimes, zoneView } from "../schemas/zones.js";
import { newRouter } from "../router.js";

export const zonesRouter = newRouter();

const createZone = createRoute({
  method: "post",
  path: "/zones",
  tags: ["zones"],
  summary: "Create a zone",
  request: { body: jsonBody(CreateZoneRequest) },
  responses: { 201: jsonResponse(Zone, "The new zone"), ...problems(409, 413, 415) },
});

zonesRouter.openapi(createZone, async (c) => {
  const request = c.req.valid("json");
  const row = { id: newId("zn"), name: request.name, ...zoneLifetimes(request), requireSignedBundles: false, createdAt: nowIso() };
  const inserted = await database(c.env).insert(zones).values(row).onConflictDoNothing().returning({ id: zones.id });
  if (inserted.length === 0) throw conflict(`a zone named "${request.name}" already exists`);
  return c.json(zoneView(row), 201);
});

const listZones = createRoute({
  method: "get",
  path: "/zones",
  tags: ["zones"],
  summary: "List zones in creation order",
  request: { query: PageQuery },
  responses: { 200: jsonResponse(ZonePage, "A page of zones"), ...problems() },
});

zonesRouter.openapi(listZones, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const rows = await database(c.env)
    .select()
    .from(zones)
    .where(afterCursor(zones, cursor))
    .orderBy(...pageOrder(zones))
    .limit(limit + 1);
  return c.json(toPage(rows, limit, zoneView), 200);
});

const getZone = createRoute({
  method: "get",
  path: "/zones/{zone}",
  tags: ["zones"],
  summary: "Get a zone and its active policy set",
  request: { params: ZoneParams },
  responses: { 200: jsonResponse(ZoneDetail, "The zone"), ...problems(404) },
});

zonesRouter.openapi(getZone, async (c) => {
  const { zone } = c.req.valid("param");
  const db = database(c.env);
  const [zoneRows, pointerRows] = await db.batch([
    db.select().from(zones).where(eq(zones.id, zone)),
    db.select().from(zoneActivations).where(eq(zoneActivations.zoneId, zone)),
  ]);
  const row = found(zoneRows, "zone");
  const pointer = pointerRows[0];
  return c.json({ ...zoneView(row), activation: pointer ? activationView(pointer) : null }, 200);
});
