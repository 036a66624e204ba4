// POST: stores an encrypted report, its key envelopes and its finished uploads
// in one transaction. Only ciphertext arrives here.
import { anyone } from "../.server/api-guards";
import { limitReportsPerClient, submitReport } from "../.server/intake/intake";
import { apiRoute, endpoint, jsonBody } from "../.server/platform/api-route";
import { LIMITS } from "../intake/limits";
import { submitReportRequest, submitReportResponse } from "../intake/wire";

export const api = apiRoute({
  summary: "Report submission",
  methods: {
    POST: endpoint({
      summary: "Stores an encrypted report, its key envelopes and its finished uploads in one transaction",
      guard: anyone,
      body: jsonBody(LIMITS.submissionBytes, submitReportRequest),
      // Counted before the body is read: a refused client costs no parsing (ADR 034).
      before: ({ services, context }) => limitReportsPerClient(services, context.clientKey),
      proofOfWork: "report",
      status: 201,
      response: submitReportResponse,
      errors: [
        { status: 400, code: "bad_ciphertext" },
        { status: 409, code: "report_exists" },
        { status: 409, code: "recipients_changed" },
        { status: 429, code: "too_many_reports" },
      ],
      handler: ({ services, body }) => submitReport(services, body),
    }),
  },
});
export const action = api.action;
