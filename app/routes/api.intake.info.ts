// GET: categories and the investigators' public keys a new report is sealed to.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getIntakeInfo } from "../.server/intake/intake";
import { handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";

export async function loader({ context }: LoaderFunctionArgs) {
  return handleApi(async () => json(await getIntakeInfo(services(context))));
}
