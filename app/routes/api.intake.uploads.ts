// POST: opens a resumable upload of one encrypted attachment for a report in the making.
import type { ActionFunctionArgs } from "@remix-run/node";
import { createUpload } from "../.server/intake";
import { handleApi, json, parseWith, readJson, requireMethod } from "../.server/http";
import { services } from "../.server/services";
import { createUploadRequest } from "../intake/wire";

export async function action({ request, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const input = parseWith(createUploadRequest, await readJson(request, 4096));
    return json(await createUpload(services(context), { ...input, for: "new" }), { status: 201 });
  });
}
