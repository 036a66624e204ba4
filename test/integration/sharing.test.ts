// Sharing with OKESTRO Cloud and OKESTRO AGI through the real server on PGlite
// and PostgreSQL: the server's checks on what a share may hold and to whom it
// is sealed; what a reviewer can read (and, with every key they can reach,
// cannot); the other affiliate's reviewers; late reviewers; update, revoke and
// expiry; provision records shown to the reporter; the audit trail.
import { openIdentityWithReason } from "../support/identity";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachmentDecryptor,
  PURPOSES,
  decryptFeedback,
  decryptRecord,
  encryptJson,
  fromBase64Url,
  fromUtf8,
  loadSodium,
  newRecordId,
  openShareKey,
  toBase64Url,
  unwrapFeedbackKeyForCase,
  type RecordKey,
  type RecordPurpose,
  type StaffKeyPair,
} from "../../crypto";
import { verifyAuditChain } from "../../app/.server/audit/audit";
import { fetchShare, openShare, sendFeedback, type AffiliateShareWire } from "../../app/affiliate/share-reader";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { StaffClient } from "../../app/staff/staff-client";
import { createShare, grantShare, openSharedPackage, replyToFeedback, updateShare, type ShareSelection } from "../../app/staff/share-builder";
import { auditLog, shareAttachments, shareEnvelopes, shareProvisions, shares } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { caseForSharing, type CaseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { cookieFetch, firstSignIn, totpCode, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

// One marker per field of the report; the share selects some and redacts one passage.
const M = {
  title: "MKTITLE-7c1",
  descKeep: "MKDESCKEEP-9a2",
  descRedact: "MKDESCREDACT-4b7",
  details: "MKDETAILS-2e5",
  name: "MKNAME-8d3",
  email: "mkemail-6f1@example.org",
  phone: "010-5555-8813",
  file1Name: "MKFILEONENAME-1aa.txt",
  file1Body: "MKFILEONEBODY-3cc",
  file2Name: "MKFILETWONAME-5ee.txt",
  file2Body: "MKFILETWOBODY-7ff",
  message: "MKMESSAGE-0b9",
  note: "MKNOTE-c4d",
};
const UNSELECTED = [M.descRedact, M.details, M.name, M.email, M.phone, M.file2Name, M.file2Body, M.message, M.note];
const SELECTED = [M.title, M.descKeep, M.file1Name, M.file1Body];

interface SharesView {
  shares: {
    id: string;
    affiliate: string;
    version: number;
    state: string;
    feedbackKey: string;
    shareKey: string | null;
    package: string | null;
    awaiting: { id: string; displayName: string; publicKey: string }[];
    feedback: { id: string; author: "affiliate" | "investigator"; body: string }[];
  }[];
  provisions: { affiliate: string; version: number; items: string[]; legalBasis: string; endedOn: string | null; endReason: string | null }[];
}

for (const backend of await backends()) {
  describe(`sharing with affiliates on ${backend}`, () => {
    let portal: TestPortal;
    let lee: SignedInStaff;
    let leeId: string;
    let cloud: SignedInStaff;
    let agi: SignedInStaff;
    let receipt: string;
    let c: CaseForSharing;
    let consenting: CaseForSharing;
    let shareId = "";
    const selection = (over: Partial<ShareSelection> = {}): ShareSelection => ({
      affiliate: "cloud",
      purpose: "fact_finding",
      purposeNote: null,
      retainUntil: null,
      fields: { title: c.title, description: c.body.description.replace(M.descRedact, "█████") },
      redacted: ["description"],
      files: c.files.filter((f) => f.name === M.file1Name),
      ...over,
    });
    const sharesOf = (reportId: string) => lee.client.get<SharesView>(`/api/staff/cases/${reportId}/shares`);
    const submit = async (consent: boolean, files: ReturnType<typeof memoryFile>[]) => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      return submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: M.title,
          body: { description: `Facts ${M.descKeep} and the name ${M.descRedact} of a witness.`, details: M.details, periodFrom: "2026-01-01", periodTo: null },
          identity: { name: M.name, email: M.email, phone: M.phone },
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: consent,
        },
        files,
        info,
        { baseUrl: portal.url },
      );
    };

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"])).id;
      await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", "Cloud Reviewer"]);
      await createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi", "--name", "AGI Reviewer"]);
      lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      cloud = await firstSignIn(portal.url, "cloud@okestro.example", PASSWORD);
      agi = await firstSignIn(portal.url, "agi@okestro.example", PASSWORD);
      const r = await submit(false, [
        memoryFile(M.file1Name, "text/plain", Buffer.from(M.file1Body)),
        memoryFile(M.file2Name, "text/plain", Buffer.from(M.file2Body)),
      ]);
      receipt = r.receiptCode;
      const reporter = await openCase(receipt, { baseUrl: portal.url });
      await reporter.session.sendMessage(M.message);
      const keys = lee.client.keyPair!;
      c = await caseForSharing(portal, r.reportId, leeId, keys);
      const noteId = newRecordId();
      await lee.client.caseOp(c.ref.id, "notes", {
        id: noteId,
        body: toBase64Url(encryptJson(c.keys.caseKey, { purpose: "note", id: c.ref.id, subId: noteId }, { text: M.note })),
      });
      const r2 = await submit(true, [memoryFile("other.txt", "text/plain", Buffer.from("another case"))]);
      consenting = await caseForSharing(portal, r2.reportId, leeId, keys);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("refuses what a share may not be: identity without consent, keys for outsiders, missing reviewers, foreign files", async () => {
      await expect(createShare(lee.client, c.ref, c.keys, selection({ fields: { title: c.title, name: M.name } }))).rejects.toMatchObject({
        status: 403,
        code: "no_identity_consent",
      });
      // A browser that seals to the AGI reviewer in a Cloud share is refused: keys never go outside the affiliate.
      const agiKey = toBase64Url(agi.client.keyPair!.publicKey);
      const forged = new StaffClient({
        baseUrl: portal.url,
        fetch: async (input, init) => {
          const url = String(input);
          if (url.includes("/reviewers?")) {
            const real = (await (await (lee.client.options.fetch as typeof fetch)(input, init)).json()) as {
              id: string;
              displayName: string;
              publicKey: string;
            }[];
            return Response.json([...real, { id: agi.client.user!.id, displayName: "AGI", publicKey: agiKey }]);
          }
          return (lee.client.options.fetch as typeof fetch)(input, init);
        },
      });
      await expect(createShare(forged, c.ref, c.keys, selection())).rejects.toMatchObject({ status: 400, code: "not_reviewer" });
      const dropAll = new StaffClient({
        baseUrl: portal.url,
        fetch: async (input, init) => {
          const url = String(input);
          if (url.includes("/reviewers?")) return Response.json([]);
          return (lee.client.options.fetch as typeof fetch)(input, init);
        },
      });
      // The browser refuses an affiliate without reviewers itself, in words (ADR 049); a post with no envelope at all
      // is the server's 400 (its schema takes at least one; the hostile-input matrix sends it).
      await expect(createShare(dropAll, c.ref, c.keys, selection())).rejects.toMatchObject({ status: 409, code: "no_reviewers" });
      // A file of another case, swapped in on the way: the server checks every file belongs to this one.
      const foreign = consenting.files[0]!.id;
      const selected = selection().files[0]!.id;
      const swapping = new StaffClient({
        baseUrl: portal.url,
        fetch: (input, init) =>
          (lee.client.options.fetch as typeof fetch)(input, typeof init?.body === "string" ? { ...init, body: init.body.replaceAll(selected, foreign) } : init),
      });
      await expect(createShare(swapping, c.ref, c.keys, selection())).rejects.toMatchObject({ status: 400, code: "bad_files" });
      expect(await portal.services.db.select().from(shares)).toHaveLength(0);
      expect(await portal.services.db.select().from(shareEnvelopes)).toHaveLength(0);
      expect(await portal.services.db.select().from(shareProvisions)).toHaveLength(0);
    });

    it("shares the selected, redacted fields and one file with OKESTRO Cloud, recorded as a provision", async () => {
      ({ shareId } = await createShare(lee.client, c.ref, c.keys, selection()));
      const view = await sharesOf(c.ref.id);
      expect(view.shares).toHaveLength(1);
      expect(view.shares[0]).toMatchObject({ id: shareId, affiliate: "cloud", version: 1, state: "active" });
      expect(view.provisions).toEqual([
        expect.objectContaining({ affiliate: "cloud", version: 1, items: ["title", "description", "attachments"], legalBasis: "policy", endedOn: null }),
      ]);
      // The investigators read back exactly what they shared.
      const pkg = openSharedPackage(c.keys, c.ref.id, view.shares[0]!);
      expect(pkg!.fields).toEqual({ title: M.title, description: `Facts ${M.descKeep} and the name █████ of a witness.` });
    });

    it("lets the Cloud reviewer read the share, its file, and post feedback the investigators read", async () => {
      const list = await cloud.client.get<{ id: string; caseNumber: string; hasKey: boolean; purpose: string }[]>("/api/affiliate/shares");
      expect(list).toEqual([expect.objectContaining({ id: shareId, caseNumber: c.ref.caseNumber, hasKey: true, purpose: "fact_finding" })]);
      const opened = openShare(await fetchShare(cloud.client, shareId), cloud.client.keyPair!);
      expect(opened.pkg.fields.title).toBe(M.title);
      expect(opened.pkg.fields.description).toContain(M.descKeep);
      expect(opened.pkg.files.map((f) => f.name)).toEqual([M.file1Name]);
      const file = await readSharedFile(cloud, opened.wire, opened.pkg.reportId, cloud.client.keyPair!, opened.pkg.files[0]!.id);
      expect(fromUtf8(file)).toBe(M.file1Body);
      await sendFeedback(cloud.client, opened, "Checked with our procurement team.");
      const view = await sharesOf(c.ref.id);
      const fk = unwrapFeedbackKeyForCase(c.keys.caseKey, c.ref.id, shareId, fromBase64Url(view.shares[0]!.feedbackKey));
      const fb = view.shares[0]!.feedback[0]!;
      expect(decryptFeedback(fk, shareId, fb.id, fromBase64Url(fb.body), "affiliate").text).toBe("Checked with our procurement team.");
      await replyToFeedback(lee.client, c.ref.id, c.keys, view.shares[0]!, "Thank you.");
      const again = openShare(await fetchShare(cloud.client, shareId), cloud.client.keyPair!);
      expect(again.feedback.map((f) => [f.author, f.text])).toEqual([
        ["affiliate", "Checked with our procurement team."],
        ["investigator", "Thank you."],
      ]);
    });

    it("gives the Cloud reviewer, with every key they can reach, none of the unselected fields or redacted passages", async () => {
      const responses: string[] = [];
      const grab = async (path: string) => {
        const r = await (cloud.client.options.fetch as typeof fetch)(`${portal.url}${path}`, {});
        const bytes = Buffer.from(await r.arrayBuffer());
        responses.push(bytes.toString("latin1"));
        return { status: r.status, bytes };
      };
      expect((await grab("/api/affiliate/shares")).status).toBe(200);
      const share = await grab(`/api/affiliate/shares/${shareId}`);
      expect(share.status).toBe(200);
      const wire = JSON.parse(share.bytes.toString()) as AffiliateShareWire;
      const downloads: Buffer[] = [];
      for (const f of c.files) {
        const got = await grab(`/api/affiliate/shares/${shareId}/attachments/${f.id}`);
        expect(got.status).toBe(f.name === M.file1Name ? 200 : 404);
        if (got.status === 200) downloads.push(got.bytes);
      }
      // Everything else a signed-in reviewer might try answers without content.
      for (const path of [
        `/api/staff/cases`,
        `/api/staff/cases/${c.ref.id}/shares`,
        `/api/staff/cases/${c.ref.id}/attachments/${c.files[1]!.id}`,
        `/staff/cases/${c.ref.caseNumber}`,
        `/api/followup/case`,
        "/api/admin/audit",
      ]) {
        expect([401, 403, 302]).toContain((await grab(path)).status);
      }
      const raw = responses.join("\n") + downloads.map((d) => d.toString("latin1")).join("");
      for (const m of [...UNSELECTED, ...SELECTED]) expect(raw, `plaintext ${m} in a response`).not.toContain(m);

      // The key closure: private key -> envelope -> share key -> package, file keys, feedback key.
      const keyPair = cloud.client.keyPair!;
      const shareKey = openShareKey(fromBase64Url(wire.envelope), shareId, keyPair);
      const opened = openShare(wire, keyPair);
      const keys: RecordKey[] = [shareKey, opened.pkg.feedbackKey, ...opened.fileKeys.values()];
      const recovered: string[] = [JSON.stringify(opened.pkg), ...opened.feedback.map((f) => f.text ?? "")];
      recovered.push(fromUtf8(await readSharedFile(cloud, wire, opened.pkg.reportId, keyPair, opened.pkg.files[0]!.id)));
      // Then every base64url value in every answer, tried with every reachable key, purpose and binding.
      const blobs = new Set(responses.flatMap((r) => r.match(/[A-Za-z0-9_-]{40,}/g) ?? []));
      const ids = [shareId, c.ref.id, ...c.files.map((f) => f.id), ...wire.feedback.map((f) => f.id)];
      const subIds = [undefined, String(wire.version), ...ids];
      let opens = 0;
      for (const b of blobs) {
        let bytes: Uint8Array;
        try {
          bytes = fromBase64Url(b);
        } catch {
          continue;
        }
        for (const key of keys) {
          for (const purpose of Object.keys(PURPOSES) as RecordPurpose[]) {
            for (const id of ids) {
              for (const subId of subIds) {
                try {
                  // Bytes, not necessarily text (a file key): searched as latin1 so nothing is lost to decoding.
                  recovered.push(Buffer.from(decryptRecord(key, { purpose, id, subId }, bytes)).toString("latin1"));
                  opens++;
                } catch {
                  // not decryptable with this key and binding
                }
              }
            }
          }
        }
      }
      // The package, the file key and the two feedback entries open; nothing else does.
      expect(opens).toBe(1 + 1 + wire.feedback.length);
      const all = recovered.join("\n");
      for (const m of SELECTED) expect(all).toContain(m);
      for (const m of UNSELECTED) expect(all, `reviewer recovered ${m}`).not.toContain(m);
    });

    it("shows the AGI reviewer nothing of the Cloud share, and the Cloud reviewer nothing of an AGI share", async () => {
      expect(await agi.client.get("/api/affiliate/shares")).toEqual([]);
      await expect(agi.client.get(`/api/affiliate/shares/${shareId}`)).rejects.toMatchObject({ status: 404 });
      await expect(agi.client.raw(`/api/affiliate/shares/${shareId}/attachments/${selection().files[0]!.id}`)).rejects.toMatchObject({ status: 404 });
      const opened = openShare(await fetchShare(cloud.client, shareId), cloud.client.keyPair!);
      await expect(
        agi.client.post(`/api/affiliate/shares/${shareId}/feedback`, { id: newRecordId(), body: toBase64Url(new Uint8Array(41 + 256)) }),
      ).rejects.toMatchObject({ status: 404 });
      const { shareId: agiShare } = await createShare(
        lee.client,
        c.ref,
        c.keys,
        selection({ affiliate: "agi", purpose: "corrective_action", files: [], fields: { title: c.title }, redacted: [] }),
      );
      expect((await agi.client.get<{ id: string }[]>("/api/affiliate/shares")).map((s) => s.id)).toEqual([agiShare]);
      expect((await cloud.client.get<{ id: string }[]>("/api/affiliate/shares")).map((s) => s.id)).toEqual([shareId]);
      await expect(cloud.client.get(`/api/affiliate/shares/${agiShare}`)).rejects.toMatchObject({ status: 404 });
      await expect(sendFeedback(cloud.client, { ...opened, wire: { ...opened.wire, id: agiShare } }, "cross")).rejects.toMatchObject({ status: 404 });
    });

    it("lets a reviewer who joined later in only through an investigator's grant", async () => {
      await createStaff(portal, "affiliate", "cloud2@okestro.example", ["--affiliate", "cloud", "--name", "Cloud Two"]);
      const late = await firstSignIn(portal.url, "cloud2@okestro.example", PASSWORD);
      expect(await late.client.get("/api/affiliate/shares")).toEqual([expect.objectContaining({ id: shareId, hasKey: false })]);
      await expect(late.client.get(`/api/affiliate/shares/${shareId}`)).rejects.toMatchObject({ status: 404 });
      const share = (await sharesOf(c.ref.id)).shares.find((s) => s.id === shareId)!;
      expect(share.awaiting.map((a) => a.displayName)).toEqual(["Cloud Two"]);
      // An AGI reviewer cannot be granted a Cloud share.
      await expect(
        grantShare(lee.client, c.ref.id, c.keys, share, { id: agi.client.user!.id, displayName: "AGI", publicKey: toBase64Url(agi.client.keyPair!.publicKey) }),
      ).rejects.toMatchObject({ status: 400, code: "not_reviewer" });
      await grantShare(lee.client, c.ref.id, c.keys, share, share.awaiting[0]!);
      expect(openShare(await fetchShare(late.client, shareId), late.client.keyPair!).pkg.fields.title).toBe(M.title);
    });

    it("updates a share to a new version under a new key, keeping the feedback and recording both provisions", async () => {
      const before = await portal.services.db.select().from(shareEnvelopes).where(eq(shareEnvelopes.shareId, shareId));
      const share = (await sharesOf(c.ref.id)).shares.find((s) => s.id === shareId)!;
      await updateShare(lee.client, c.ref, c.keys, share, selection({ fields: { title: c.title, details: c.body.details }, redacted: [], files: [] }));
      const after = await portal.services.db.select().from(shareEnvelopes).where(eq(shareEnvelopes.shareId, shareId));
      expect(after).toHaveLength(2);
      for (const e of after) expect(before.some((b) => Buffer.from(b.envelope).equals(Buffer.from(e.envelope)))).toBe(false);
      expect(await portal.services.db.select().from(shareAttachments).where(eq(shareAttachments.shareId, shareId))).toHaveLength(0);
      const opened = openShare(await fetchShare(cloud.client, shareId), cloud.client.keyPair!);
      expect(opened.pkg.version).toBe(2);
      expect(opened.pkg.fields).toEqual({ title: M.title, details: M.details });
      expect(opened.feedback.map((f) => f.text)).toEqual(["Checked with our procurement team.", "Thank you."]);
      await expect(cloud.client.raw(`/api/affiliate/shares/${shareId}/attachments/${selection().files[0]!.id}`)).rejects.toMatchObject({ status: 404 });
      const provisions = (await sharesOf(c.ref.id)).provisions.filter((p) => p.affiliate === "cloud");
      expect(provisions.map((p) => [p.version, p.items.join(","), p.endReason])).toEqual([
        [1, "title,description,attachments", "superseded"],
        [2, "title,details", null],
      ]);
      // An update against a stale version is refused.
      await expect(updateShare(lee.client, c.ref, c.keys, share, selection())).rejects.toMatchObject({ status: 409 });
    });

    it("shares identity only with consent, with consent as the legal basis", async () => {
      // Only after opening it with a recorded reason (ADR 052).
      await openIdentityWithReason(lee.client, consenting.keys, consenting.ref.id, "reporter_consent");
      const { shareId: id } = await createShare(lee.client, consenting.ref, consenting.keys, {
        affiliate: "cloud",
        purpose: "legal_review",
        purposeNote: null,
        retainUntil: null,
        fields: { title: consenting.title, name: consenting.identity!.name, email: consenting.identity!.email },
        redacted: [],
        files: [],
      });
      const opened = openShare(await fetchShare(cloud.client, id), cloud.client.keyPair!);
      expect(opened.pkg.fields).toMatchObject({ name: M.name, email: M.email });
      expect(opened.pkg.fields.phone).toBeUndefined();
      expect((await sharesOf(consenting.ref.id)).provisions).toEqual([expect.objectContaining({ items: ["title", "name", "email"], legalBasis: "consent" })]);
    });

    it("hides a share once its retention date has passed", async () => {
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const { shareId: id } = await createShare(lee.client, consenting.ref, consenting.keys, {
        affiliate: "cloud",
        purpose: "fact_finding",
        purposeNote: null,
        retainUntil: tomorrow,
        fields: { title: consenting.title },
        redacted: [],
        files: [],
      });
      await expect(fetchShare(cloud.client, id)).resolves.toBeTruthy();
      const later = Date.now() + 3 * 86_400_000;
      portal.setNow(new Date(later));
      try {
        // Sessions do not last three days: a second client signs in at the later date.
        const again = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
        await again.signIn("cloud@okestro.example", PASSWORD);
        await again.secondFactor({ code: totpCode(cloud.totpSecret, later) });
        await expect(fetchShare(again, id)).rejects.toMatchObject({ status: 404 });
        expect((await again.get<{ id: string }[]>("/api/affiliate/shares")).map((s) => s.id)).not.toContain(id);
      } finally {
        portal.setNow(null);
      }
      const past = "2020-01-01";
      await expect(
        createShare(lee.client, consenting.ref, consenting.keys, {
          affiliate: "cloud",
          purpose: "fact_finding",
          purposeNote: null,
          retainUntil: past,
          fields: { title: consenting.title },
          redacted: [],
          files: [],
        }),
      ).rejects.toMatchObject({ status: 400, code: "bad_retention" });
    });

    it("revokes a share: its keys and package are destroyed, the provision and the feedback stay for investigators", async () => {
      const share = (await sharesOf(c.ref.id)).shares.find((s) => s.id === shareId)!;
      await lee.client.caseOp(c.ref.id, "share-revoke", { shareId });
      await expect(fetchShare(cloud.client, shareId)).rejects.toMatchObject({ status: 404 });
      expect((await cloud.client.get<{ id: string }[]>("/api/affiliate/shares")).map((s) => s.id)).not.toContain(shareId);
      expect(await portal.services.db.select().from(shareEnvelopes).where(eq(shareEnvelopes.shareId, shareId))).toHaveLength(0);
      const [row] = await portal.services.db.select().from(shares).where(eq(shares.id, shareId));
      expect(row).toMatchObject({ state: "revoked", packageCt: null, shareKeyCt: null });
      const view = await sharesOf(c.ref.id);
      expect(view.provisions.filter((p) => p.affiliate === "cloud").map((p) => p.endReason)).toEqual(["superseded", "revoked"]);
      const fk = unwrapFeedbackKeyForCase(c.keys.caseKey, c.ref.id, shareId, fromBase64Url(share.feedbackKey));
      const fb = view.shares.find((s) => s.id === shareId)!.feedback[0]!;
      expect(decryptFeedback(fk, shareId, fb.id, fromBase64Url(fb.body), "affiliate").text).toBe("Checked with our procurement team.");
      await expect(lee.client.caseOp(c.ref.id, "share-revoke", { shareId })).rejects.toMatchObject({ status: 409 });
    });

    it("lists the provisions of the case for the reporter, and audits every affiliate access", async () => {
      const provisions = (await openCase(receipt, { baseUrl: portal.url })).case.provisions;
      expect(provisions.map((p) => [p.affiliate, p.items.join(","), p.endReason])).toEqual([
        ["cloud", "title,description,attachments", "superseded"],
        ["agi", "title", null],
        ["cloud", "title,details", "revoked"],
      ]);
      expect(JSON.stringify(provisions)).not.toContain(leeId);
      const actions = (await portal.services.db.select().from(auditLog).where(eq(auditLog.actorId, cloud.client.user!.id))).map((e) => e.action);
      for (const a of ["share.listed", "share.opened", "share.downloaded", "share.feedback"]) expect(actions).toContain(a);
      const byLee = (await portal.services.db.select().from(auditLog).where(eq(auditLog.actorId, leeId))).map((e) => e.action);
      for (const a of ["share.created", "share.updated", "share.granted", "share.revoked", "share.feedback"]) expect(byLee).toContain(a);
      expect((await verifyAuditChain(portal.services.db, portal.services)).ok).toBe(true);
    });
  });
}

async function readSharedFile(
  who: SignedInStaff,
  wire: AffiliateShareWire,
  reportId: string,
  keyPair: StaffKeyPair,
  attachmentId: string,
): Promise<Uint8Array> {
  const opened = openShare(wire, keyPair);
  const r = await who.client.raw(`/api/affiliate/shares/${wire.id}/attachments/${attachmentId}`);
  const decryptor = new AttachmentDecryptor(opened.fileKeys.get(attachmentId)!, { reportId, attachmentId });
  const out = [...decryptor.push(new Uint8Array(await r.arrayBuffer())), ...decryptor.finish()];
  return Buffer.concat(out);
}
