// Liveness and database status for load balancers and operators.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { describeError } from "../.server/platform/log";
import { services } from "../.server/platform/services";
import { json } from "../.server/platform/http";

export async function loader({ context }: LoaderFunctionArgs) {
  const s = services(context);
  const started = performance.now();
  try {
    await s.database.ping();
    return json({ status: "ok", database: { kind: s.database.kind, status: "up", ms: Math.round(performance.now() - started) } });
  } catch (error) {
    s.log.error("health check: database down", describeError(error));
    return json({ status: "degraded", database: { kind: s.database.kind, status: "down" } }, { status: 503 });
  }
}
