// Readiness for a load balancer: 200 while the database and the blob store answer, 503 otherwise
// (app/.server/platform/readiness.ts). /livez is the liveness check; /healthz stays as it was.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { checkReadiness } from "../.server/platform/readiness";
import { services } from "../.server/platform/services";
import { json } from "../.server/platform/http";

export async function loader({ context }: LoaderFunctionArgs) {
  const r = await checkReadiness(services(context));
  return json({ status: r.ready ? "ready" : "unavailable", database: r.database, blobs: r.blobs }, { status: r.ready ? 200 : 503 });
}
