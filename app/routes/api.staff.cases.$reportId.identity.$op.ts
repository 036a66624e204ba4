// /api/staff/cases/:reportId/identity/:op: the reporter's identity behind a recorded reason (ADR 052).
// GET state (the accesses and, only after the caller's access was released, what opens the identity);
// POST request (a reason code and the free text under the case key), decide (a second investigator
// approves or refuses a pending request). Every op needs the case's envelope (else 404).
import { investigator } from "../.server/api-guards";
import { decideIdentity, identityState, requestIdentity } from "../.server/identity-access/identity-access";
import { apiOps, endpoint, jsonBody, uuidParam } from "../.server/platform/api-route";
import { identityAccessRequest, identityDecisionRequest, identityStateResponse } from "../shared/identity-wire";
import { z } from "zod";

export const api = apiOps({
  summary: "The reporter's identity behind a recorded reason",
  params: { reportId: uuidParam("no such case", "The case (report id)") },
  opParam: "op",
  ops: {
    state: {
      GET: endpoint({
        summary: "The case's identity accesses; the identity record and its key wrap only after the caller's access was released",
        guard: investigator,
        response: identityStateResponse,
        errors: [{ status: 404, code: "not_found" }],
        handler: ({ services, caller, params }) => identityState(services, caller, params.reportId!),
      }),
    },
    request: {
      POST: endpoint({
        summary: "Records a reason and asks for the identity: released at once, or pending until a second investigator approves",
        guard: investigator,
        body: jsonBody(16 * 1024, identityAccessRequest),
        response: z.object({ state: z.enum(["pending", "released"]) }),
        errors: [
          { status: 404, code: "not_found" },
          { status: 400, code: "bad_reason" },
          { status: 409, code: "no_identity" },
          { status: 409, code: "already_released" },
          { status: 409, code: "request_pending" },
        ],
        handler: ({ services, caller, params, body }) => requestIdentity(services, caller, params.reportId!, body),
      }),
    },
    decide: {
      POST: endpoint({
        summary: "A second investigator approves or refuses a pending request (they see the reason, not the identity)",
        guard: investigator,
        body: jsonBody(1024, identityDecisionRequest),
        response: z.object({ state: z.enum(["released", "refused"]) }),
        errors: [
          { status: 404, code: "not_found" },
          { status: 403, code: "own_request" },
          { status: 409, code: "not_pending" },
        ],
        handler: ({ services, caller, params, body }) => decideIdentity(services, caller, params.reportId!, body),
      }),
    },
  },
  unknownOp: { guard: investigator, message: { GET: "no such resource", POST: "no such action" } },
});
export const loader = api.loader;
export const action = api.action;
