// Liveness for a load balancer or an orchestrator: the process answers HTTP. Nothing else is asked, so
// a database outage never gets a live instance restarted; readiness (/readyz) says whether to send it traffic.
import { json } from "../.server/platform/http";

export function loader() {
  return json({ status: "ok" });
}
