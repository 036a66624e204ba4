// /api/staff/cases/:reportId/:op: every investigator action on a case, each op
// declared with its method and schema (app/staff/wire.ts) and one call into the
// domain module, which checks the investigator holds the case's key (else 404)
// and audits the action. GET ops: grants (who may be granted access), reviewers
// (?affiliate=cloud|agi: who a share with that affiliate is sealed to), shares
// (the case's shares and provision records), view (the case as ciphertext),
// admins (the administrators an archive of the case is sealed to).
import type { z } from "zod";
import { toBase64Url } from "../../crypto/encoding";
import { investigator } from "../.server/api-guards";
import {
  addNote,
  answerPrivacy,
  assignCase,
  changeStatus,
  grantAccess,
  grantCandidates,
  recordContentEvent,
  sendStaffMessage,
  staffCaseView,
  setLabels,
  setPriority,
} from "../.server/casework/casework";
import { requireCaseAccess } from "../.server/case-access/case-access";
import { certifyExport } from "../.server/casework/export";
import { activeAdmins } from "../.server/notifications/record";
import { archiveCase, caseHolds, decideDeletion, liftHold, placeHold } from "../.server/retention/case-retention";
import { notifyReporter } from "../.server/casework/reporter-notify";
import { addMask, liftMask, revealMask } from "../.server/casework/masks";
import { caseRetentionOn } from "../.server/retention/retention";
import { attachUploadedFile } from "../.server/case-access/attachments";
import {
  caseProvisions,
  caseShares,
  createShare,
  grantShare,
  investigatorFeedback,
  reviewersForCase,
  revokeShare,
  updateShare,
} from "../.server/sharing/sharing";
import { createUpload } from "../.server/intake/intake";
import { staffClientKey } from "../.server/intake/upload-space";
import { apiOps, endpoint, jsonBody, uuidParam, type HandlerInput, type MethodMap } from "../.server/platform/api-route";
import type { StaffPrincipal } from "../.server/staff/auth";
import type { Services } from "../.server/platform/services";
import { caseOpResponses, caseOps, caseSharesResponse, keyHoldersResponse, staffCaseViewResponse, type CaseOp } from "../staff/wire";

type Handler<K extends CaseOp> = (s: Services, staff: StaffPrincipal, reportId: string, input: z.output<(typeof caseOps)[K]>) => Promise<unknown>;

const handlers: { [K in CaseOp]: Handler<K> } = {
  status: (s, staff, id, i) => changeStatus(s, staff, id, i),
  assign: (s, staff, id, i) => assignCase(s, staff, id, i.assigneeId),
  priority: (s, staff, id, i) => setPriority(s, staff, id, i.priority),
  labels: (s, staff, id, i) => setLabels(s, staff, id, i.labels),
  notes: (s, staff, id, i) => addNote(s, staff, id, i),
  messages: (s, staff, id, i) => sendStaffMessage(s, staff, id, i),
  "privacy-answer": (s, staff, id, i) => answerPrivacy(s, staff, id, i.requestId, i.answer),
  events: (s, staff, id, i) => recordContentEvent(s, staff, id, i.event, i.subject),
  grants: (s, staff, id, i) => grantAccess(s, staff, id, i.granteeId, i.envelope),
  uploads: async (s, staff, id, i) => {
    await requireCaseAccess(s, staff.id, { id });
    return createUpload(s, { reportId: id, ciphertextBytes: i.ciphertextBytes, for: "existing", clientKey: staffClientKey(staff.id) });
  },
  attachments: async (s, staff, id, i) => {
    const { report } = await requireCaseAccess(s, staff.id, { id });
    return attachUploadedFile(s, id, i, "investigator", {
      actorType: "staff",
      actorId: staff.id,
      action: "attachment.added",
      reportId: id,
      caseNumber: report.caseNumber,
    });
  },
  shares: (s, staff, id, i) => createShare(s, staff, id, i),
  "share-update": (s, staff, id, i) => updateShare(s, staff, id, i),
  "share-revoke": (s, staff, id, i) => revokeShare(s, staff, id, i.shareId),
  "share-grant": (s, staff, id, i) => grantShare(s, staff, id, i),
  "share-feedback": (s, staff, id, i) => investigatorFeedback(s, staff, id, i),
  "notify-reporter": (s, staff, id, i) => notifyReporter(s, staff, id, i),
  holds: (s, staff, id, i) => placeHold(s, staff, id, i.reason),
  "hold-lift": (s, staff, id, i) => liftHold(s, staff, id, i.holdId),
  "privacy-deletion": (s, staff, id, i) => decideDeletion(s, staff, id, i),
  archive: (s, staff, id, i) => archiveCase(s, staff, id, i),
  masks: (s, staff, id, i) => addMask(s, staff, id, i),
  "mask-reveal": (s, staff, id, i) => revealMask(s, staff, id, i),
  "mask-lift": (s, staff, id, i) => liftMask(s, staff, id, i),
  export: (s, staff, id, i) => certifyExport(s, staff, id, i),
};

/** What each op does, for the API description. */
const summaries: Record<CaseOp, string> = {
  status: "Moves the case along its workflow (closing needs an outcome and a summary message)",
  assign: "Assigns the case to an investigator holding it, or to no one",
  priority: "Sets the priority",
  labels: "Sets the labels (encrypted)",
  notes: "Adds an internal note (encrypted)",
  messages: "Sends a message to the reporter (encrypted)",
  "privacy-answer": "Answers a privacy request (encrypted)",
  events: "Records that content was decrypted, downloaded or exported in the browser",
  grants: "Grants another investigator access (a key envelope)",
  uploads: "Opens an upload of a file for the case",
  attachments: "Attaches a finished upload to the case",
  shares: "Shares the case with an affiliate",
  "share-update": "A new version of a share",
  "share-revoke": "Revokes a share",
  "share-grant": "Seals a share to another reviewer",
  "share-feedback": "The investigator's feedback on a share (encrypted)",
  "notify-reporter": "E-mails the reporter that something changed (the address decrypted in the browser, never stored)",
  holds: "Places a legal hold",
  "hold-lift": "Lifts a legal hold",
  "privacy-deletion": "Decides a deletion request",
  archive: "Moves the closed case into the archive, sealed to the administrators",
  masks: "Masks passages of the report, a message or a note in staff views (encrypted under the case key)",
  "mask-reveal": "Records, with a reason code, that a masked passage is shown in the caller's browser",
  "mask-lift": "Removes a mask for every staff view, with a reason code",
  export:
    "Records that the investigator exports the case (which parts, never the content) and certifies their export signing key, those parts and the export's place in the audit chain (ADR 054); the identity part needs the identity released to the caller (409 identity_not_accessed)",
};

/** Share packages carry whole report texts; everything else is small. */
const bodyLimit = (op: CaseOp) => (op === "archive" ? 24 * 1024 * 1024 : op === "shares" || op === "share-update" ? 2 * 1024 * 1024 : 256 * 1024);

const reportIdOf = (i: { params: HandlerInput<unknown, unknown>["params"] }) => i.params.reportId!;

const postOps = Object.fromEntries(
  (Object.keys(caseOps) as CaseOp[]).map((op): [string, MethodMap] => [
    op,
    {
      POST: endpoint({
        summary: summaries[op],
        guard: investigator,
        body: jsonBody(bodyLimit(op), caseOps[op] as (typeof caseOps)[CaseOp]),
        response: caseOpResponses[op],
        errors:
          op === "export"
            ? [
                { status: 404, code: "not_found" },
                { status: 409, code: "signing_key_changed" },
              ]
            : [{ status: 404, code: "not_found" }],
        handler: async (i) => (await (handlers[op] as Handler<CaseOp>)(i.services, i.caller, reportIdOf(i), i.body)) ?? { ok: true },
      }),
    },
  ]),
);

const getOps: Record<string, MethodMap> = {
  reviewers: {
    GET: endpoint({
      summary: "Who a share with the given affiliate is sealed to",
      guard: investigator,
      query: { affiliate: "cloud or agi" },
      response: keyHoldersResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: (i) => reviewersForCase(i.services, i.caller, reportIdOf(i), i.query.get("affiliate") ?? ""),
    }),
  },
  shares: {
    GET: endpoint({
      summary: "The case's shares and provision records",
      guard: investigator,
      response: caseSharesResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services: s, caller, params }) => {
        const { report } = await requireCaseAccess(s, caller.id, { id: params.reportId! });
        return { shares: await caseShares(s, caller.id, report), provisions: await caseProvisions(s, report.id) };
      },
    }),
  },
  view: {
    GET: endpoint({
      summary: "The case as its page loads it (ciphertext), for clients other than the page",
      guard: investigator,
      response: staffCaseViewResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services: s, caller, params }) => {
        const reportId = params.reportId!;
        const { report } = await requireCaseAccess(s, caller.id, { id: reportId });
        const view = await staffCaseView(s, caller, report.caseNumber);
        return {
          ...view,
          shares: await caseShares(s, caller.id, report),
          provisions: await caseProvisions(s, reportId),
          holds: await caseHolds(s, reportId),
          retentionOn: caseRetentionOn(s, report),
        };
      },
    }),
  },
  admins: {
    GET: endpoint({
      summary: "Who an archive of this case is sealed to",
      guard: investigator,
      response: keyHoldersResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services: s, caller, params }) => {
        await requireCaseAccess(s, caller.id, { id: params.reportId! });
        return (await activeAdmins(s.db)).map((a) => ({ id: a.id, displayName: a.displayName, publicKey: toBase64Url(a.publicKey) }));
      },
    }),
  },
  grants: {
    GET: endpoint({
      summary: "Who may be granted access to the case",
      guard: investigator,
      response: keyHoldersResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services: s, caller, params }) => {
        const rows = await grantCandidates(s, caller, params.reportId!);
        return rows.map((r) => ({ id: r.id, displayName: r.displayName, publicKey: toBase64Url(r.publicKey) }));
      },
    }),
  },
};

const ops: Record<string, MethodMap> = { ...postOps };
for (const [op, methods] of Object.entries(getOps)) ops[op] = { ...ops[op], ...methods };

export const api = apiOps({
  summary: "Investigator actions on a case",
  params: { reportId: uuidParam("no such case", "The case (report id)") },
  opParam: "op",
  ops,
  unknownOp: { guard: investigator, message: { GET: "no such resource", POST: "no such action" } },
});
export const loader = api.loader;
export const action = api.action;
