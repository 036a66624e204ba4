// POST /api/staff/cases/:reportId/:op: every investigator action on a case.
// Each op has its schema (app/staff/wire.ts) and one call into the domain
// module, which checks the investigator holds the case's key (else 404) and
// audits the action. GET .../grants lists who may be granted access, GET
// .../reviewers?affiliate=cloud|agi who a share with that affiliate is sealed to,
// GET .../shares the case's shares and provision records, GET .../admins the
// administrators an archive of the case is sealed to.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { isUuid, toBase64Url } from "../../crypto/encoding";
import {
  addNote,
  answerPrivacy,
  assignCase,
  changeStatus,
  grantAccess,
  grantCandidates,
  recordContentEvent,
  requireCaseAccess,
  sendStaffMessage,
  staffCaseView,
  setLabels,
  setPriority,
} from "../.server/casework/casework";
import { activeAdmins, archiveCase, caseHolds, decideDeletion, liftHold, placeHold } from "../.server/retention/case-retention";
import { notifyReporter } from "../.server/notifications/reporter-notify";
import { caseRetentionOn } from "../.server/retention/retention";
import { attachUploadedFile } from "../.server/followup/followup";
import { caseProvisions, caseShares, createShare, grantShare, investigatorFeedback, reviewersForCase, revokeShare, updateShare } from "../.server/sharing/sharing";
import { ApiError, handleApi, json, parseWith, readJson, requireMethod } from "../.server/platform/http";
import { createUpload } from "../.server/intake/intake";
import { services, type Services } from "../.server/platform/services";
import { INVESTIGATOR } from "../.server/staff/guards";
import { requireStaff, type StaffPrincipal } from "../.server/staff/auth";
import { caseOps, type CaseOp } from "../staff/wire";
import type { z } from "zod";

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
    return createUpload(s, { reportId: id, ciphertextBytes: i.ciphertextBytes, for: "existing" });
  },
  attachments: async (s, staff, id, i) => {
    const { report } = await requireCaseAccess(s, staff.id, { id });
    return attachUploadedFile(s, id, i, "investigator", { actorType: "staff", actorId: staff.id, action: "attachment.added", reportId: id, caseNumber: report.caseNumber });
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
};

/** Share packages carry whole report texts; everything else is small. */
const bodyLimit = (op: CaseOp) => (op === "archive" ? 24 * 1024 * 1024 : op === "shares" || op === "share-update" ? 2 * 1024 * 1024 : 256 * 1024);

function target(params: Record<string, string | undefined>): { reportId: string; op: string } {
  const reportId = params.reportId ?? "";
  if (!isUuid(reportId)) throw new ApiError(404, "not_found", "no such case");
  return { reportId, op: params.op ?? "" };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleApi(async () => {
    requireMethod(request, "POST");
    const s = services(context);
    const staff = await requireStaff(s, request, INVESTIGATOR);
    const { reportId, op } = target(params);
    if (!Object.hasOwn(caseOps, op)) throw new ApiError(404, "not_found", "no such action");
    const key = op as CaseOp;
    const input = parseWith(caseOps[key], await readJson(request, bodyLimit(key)));
    const result = await (handlers[key] as Handler<CaseOp>)(s, staff, reportId, input);
    return json(result ?? { ok: true });
  });
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    const staff = await requireStaff(s, request, INVESTIGATOR);
    const { reportId, op } = target(params);
    if (op === "reviewers") {
      // Who a share with the given affiliate is sealed to: GET .../reviewers?affiliate=cloud
      const affiliate = new URL(request.url).searchParams.get("affiliate") ?? "";
      return json(await reviewersForCase(s, staff, reportId, affiliate));
    }
    if (op === "shares") {
      const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
      return json({ shares: await caseShares(s, report), provisions: await caseProvisions(s, reportId) });
    }
    if (op === "view") {
      // The case as its page loads it (ciphertext), for clients other than the page.
      const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
      const view = await staffCaseView(s, staff, report.caseNumber);
      return json({ ...view, shares: await caseShares(s, report), provisions: await caseProvisions(s, reportId), holds: await caseHolds(s, reportId), retentionOn: caseRetentionOn(s, report) });
    }
    if (op === "admins") {
      // Who an archive of this case is sealed to.
      await requireCaseAccess(s, staff.id, { id: reportId });
      return json((await activeAdmins(s)).map((a) => ({ id: a.id, displayName: a.displayName, publicKey: toBase64Url(a.publicKey) })));
    }
    if (op !== "grants") throw new ApiError(404, "not_found", "no such resource");
    const rows = await grantCandidates(s, staff, reportId);
    return json(rows.map((r) => ({ id: r.id, displayName: r.displayName, publicKey: toBase64Url(r.publicKey) })));
  });
}
