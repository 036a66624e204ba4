// POST (administrators): add a report category, rename one, or switch it on or off.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { saveCategory } from "../.server/admin/admin";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { uuid } from "../intake/wire";

const schema = z.strictObject({
  id: uuid.optional(),
  nameKo: z.string().max(100).optional(),
  nameEn: z.string().max(100).optional(),
  active: z.boolean().optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const admin = await requireStaff(s, request, ADMIN);
    await saveCategory(s, admin, parseWith(schema, await readJson(request, 2048)));
    return json({ ok: true });
  });
}
