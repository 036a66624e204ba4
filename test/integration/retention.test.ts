// Retention and destruction through the real server on PGlite and PostgreSQL,
// with time travel by `retention:run --now`: the boundaries (3 years minus a
// day kept, plus a day destroyed), legal holds, the separate archive with its
// own date, never-acknowledged reports, expired shares; after destruction
// nothing of the case (markers or ciphertexts) is left in any table or in the
// blob store, and the audit chain still verifies. Deletion requests: granted
// destroys, refused because of a hold tells the reporter why.
import { openIdentityWithReason } from "../support/identity";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptMessage, loadSodium, newRecordId, toBase64Url } from "../../crypto";
import { openArchive, archivedFileDecryptor, type ArchiveWire } from "../../app/admin/archive-reader";
import { addDays, addMonths } from "../../app/.server/platform/dates";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { archiveCase, type ArchivableCase } from "../../app/staff/archive-builder";
import { createShare } from "../../app/staff/share-builder";
import { archives, attachments, auditLog, messages, reportKeyEnvelopes, reports, shares } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { scanDatabase, scanDirectory, scanDirectoryForBytes, scanLines } from "../support/scan";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

interface Made {
  reportId: string;
  caseNumber: string;
  receipt: string;
  markers: string[];
}

const iso = (day: string) => `${day}T12:00:00+09:00`;

for (const backend of await backends()) {
  describe(`retention and destruction on ${backend}`, () => {
    let portal: TestPortal;
    let lee: SignedInStaff;
    let leeId: string;
    let admin: SignedInStaff;
    let today: string;
    const made = new Map<string, Made>();
    const cases: Record<string, Made> = {};

    const submit = async (label: string, withFile = true): Promise<Made> => {
      const m = (field: string) => `MK-${label}-${field}-${Math.random().toString(36).slice(2, 8)}`;
      const markers = [m("title"), m("desc"), m("name"), m("file"), m("msg")];
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: markers[0]!,
          body: { description: markers[1]!, details: "", periodFrom: null, periodTo: null },
          identity: { name: markers[2]!, email: null, phone: null },
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        withFile ? [memoryFile(`${markers[3]}.txt`, "text/plain", Buffer.from(markers[3]!))] : [],
        info,
        { baseUrl: portal.url },
      );
      const reporter = await openCase(r.receiptCode, { baseUrl: portal.url });
      await reporter.session.sendMessage(markers[4]!);
      await reporter.session.logout();
      const out = { reportId: r.reportId, caseNumber: r.caseNumber, receipt: r.receiptCode, markers };
      made.set(label, out);
      return out;
    };
    const close = async (c: Made) => {
      const keys = (await caseForSharing(portal, c.reportId, leeId, lee.client.keyPair!)).keys;
      await lee.client.caseOp(c.reportId, "status", { to: "acknowledged" });
      const id = newRecordId();
      await lee.client.caseOp(c.reportId, "status", {
        to: "closed",
        outcome: "substantiated",
        summary: { id, body: toBase64Url(encryptMessage(keys.reportKey, c.reportId, id, { author: "investigator", kind: "message", text: "closed" })) },
      });
    };
    const exists = async (c: Made) => (await portal.services.db.select({ id: reports.id }).from(reports).where(eq(reports.id, c.reportId))).length === 1;
    const run = (day: string, ...flags: string[]) => portal.cli("retention:run", "--now", iso(day), ...flags);
    const view = (c: Made) => lee.client.get<ArchivableCase>(`/api/staff/cases/${c.reportId}/view`);

    beforeAll(async () => {
      await loadSodium();
      // The server's own scheduled run would race the explicit runs below.
      portal = await startTestPortal(backend, { RETENTION_INTERVAL_MINUTES: "0" });
      leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"])).id;
      await createStaff(portal, "admin", "admin@okestro.example", ["--name", "Admin"]);
      await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]);
      lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      admin = await firstSignIn(portal.url, "admin@okestro.example", PASSWORD);
      today =
        (await portal.services.db.select({ d: reports.receivedOn }).from(reports).limit(1))[0]?.d ??
        new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date());
      cases.closed = await submit("closed");
      cases.held = await submit("held");
      cases.shortArchive = await submit("shortarchive");
      cases.longArchive = await submit("longarchive");
      cases.unacknowledged = await submit("unack", false);
      cases.open = await submit("open", false);
      for (const c of [cases.closed, cases.held, cases.shortArchive, cases.longArchive]) await close(c!);
      await lee.client.caseOp(cases.open!.reportId, "status", { to: "acknowledged" });
      await lee.client.caseOp(cases.held!.reportId, "holds", { reason: "litigation" });
      // A share of the closed case, and one with its own earlier end on the open case.
      const closedCase = await caseForSharing(portal, cases.closed!.reportId, leeId, lee.client.keyPair!);
      await createShare(lee.client, closedCase.ref, closedCase.keys, {
        affiliate: "cloud",
        purpose: "fact_finding",
        purposeNote: null,
        retainUntil: null,
        fields: { title: closedCase.title },
        redacted: [],
        files: closedCase.files,
      });
      const openCaseKeys = await caseForSharing(portal, cases.open!.reportId, leeId, lee.client.keyPair!);
      await createShare(lee.client, openCaseKeys.ref, openCaseKeys.keys, {
        affiliate: "cloud",
        purpose: "fact_finding",
        purposeNote: null,
        retainUntil: addDays(today, 10),
        fields: { title: openCaseKeys.title },
        redacted: [],
        files: [],
      });
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("moves closed cases into the archive for the administrators, under a statute's own period", async () => {
      for (const [c, basis] of [
        [cases.shortArchive!, "communications_secrets"],
        [cases.longArchive!, "national_tax"],
      ] as const) {
        const keys = (await caseForSharing(portal, c.reportId, leeId, lee.client.keyPair!)).keys;
        // The archive keeps the identity: the archiver opens it with a reason first (ADR 052).
        await openIdentityWithReason(lee.client, keys, c.reportId, "legal_obligation");
        const r = await archiveCase(lee.client, await view(c), keys, null, basis);
        expect(r.retainUntil).toBe(addMonths(today, basis === "national_tax" ? 60 : 3));
        expect(await exists(c)).toBe(false);
      }
      // Gone from the workspace; the administrator reads it with their own key, files included.
      await expect(lee.client.get(`/api/staff/cases/${cases.longArchive!.reportId}/view`)).rejects.toMatchObject({ status: 404 });
      const list = await admin.client.get<{ id: string; caseNumber: string; hasKey: boolean }[]>("/api/admin/archives");
      const entry = list.find((a) => a.caseNumber === cases.longArchive!.caseNumber)!;
      expect(entry.hasKey).toBe(true);
      const wire = await admin.client.get<ArchiveWire>(`/api/admin/archives/${entry.id}`);
      const pkg = openArchive(wire, admin.client.keyPair!);
      const [title, desc, name, file, msg] = cases.longArchive!.markers;
      expect([pkg.title, pkg.body?.description, pkg.identity?.name]).toEqual([title, desc, name]);
      expect(pkg.messages.map((m) => m.text)).toContain(msg);
      const r = await admin.client.raw(`/api/admin/archives/${entry.id}/files/${wire.files[0]!.id}`);
      const decryptor = archivedFileDecryptor(wire, pkg, admin.client.keyPair!, wire.files[0]!.id);
      expect(Buffer.concat([...decryptor.push(new Uint8Array(await r.arrayBuffer())), ...decryptor.finish()]).toString()).toBe(file);
      // Investigators cannot read the archive.
      await expect(lee.client.get("/api/admin/archives")).rejects.toMatchObject({ status: 403 });
      // A held case stays in the workspace.
      const heldKeys = (await caseForSharing(portal, cases.held!.reportId, leeId, lee.client.keyPair!)).keys;
      await openIdentityWithReason(lee.client, heldKeys, cases.held!.reportId, "legal_obligation");
      await expect(archiveCase(lee.client, await view(cases.held!), heldKeys, null, "national_tax")).rejects.toMatchObject({ status: 409, code: "legal_hold" });
    });

    it("lists without destroying on a dry run", async () => {
      const before = await portal.services.db.select({ id: reports.id }).from(reports);
      const out = await run(addDays(addMonths(today, 36), 1), "--dry-run");
      expect(out).toContain("dry run");
      expect(out).toContain(cases.closed!.caseNumber);
      expect(await portal.services.db.select({ id: reports.id }).from(reports)).toEqual(before);
    });

    it("ends a share at its own date and destroys an archive at its statute's date, nothing else", async () => {
      const out = await run(addDays(addMonths(today, 3), 1));
      expect(out).toContain(cases.shortArchive!.caseNumber);
      const archived = await portal.services.db.select({ caseNumber: archives.caseNumber }).from(archives);
      expect(archived.map((a) => a.caseNumber)).toEqual([cases.longArchive!.caseNumber]);
      const states = await portal.services.db.select({ reportId: shares.reportId, state: shares.state }).from(shares);
      expect(states.find((s) => s.reportId === cases.open!.reportId)!.state).toBe("expired");
      expect(states.find((s) => s.reportId === cases.closed!.reportId)!.state).toBe("active");
      for (const c of [cases.closed!, cases.held!, cases.unacknowledged!, cases.open!]) expect(await exists(c)).toBe(true);
    });

    it("destroys a report nobody acknowledged after its bounded life", async () => {
      await run(addMonths(today, 12));
      expect(await exists(cases.unacknowledged!)).toBe(true);
      await run(addDays(addMonths(today, 12), 1));
      expect(await exists(cases.unacknowledged!)).toBe(false);
      expect(await exists(cases.open!)).toBe(true);
    });

    it("keeps a case closed 3 years minus a day ago, destroys it at 3 years and a day, keeps held cases and the long archive", async () => {
      const c = cases.closed!;
      const db = portal.services.db;
      // Everything stored of the case, to look for afterwards: ciphertexts and blob bytes.
      const [row] = await db.select().from(reports).where(eq(reports.id, c.reportId));
      const files = await db.select().from(attachments).where(eq(attachments.reportId, c.reportId));
      const envs = await db.select().from(reportKeyEnvelopes).where(eq(reportKeyEnvelopes.reportId, c.reportId));
      const msgs = await db.select().from(messages).where(eq(messages.reportId, c.reportId));
      const blobBytes: Uint8Array[] = [];
      for (const f of files) {
        const chunks: Buffer[] = [];
        for await (const piece of portal.services.blobs.read(f.blobKey)) chunks.push(piece as Buffer);
        blobBytes.push(Buffer.concat(chunks).subarray(0, 64));
      }
      const cts = [
        row!.titleCt,
        row!.bodyCt,
        row!.identityCt!,
        row!.reporterKeyWrapped,
        ...envs.map((e) => e.envelope),
        ...msgs.map((m) => m.bodyCt),
        ...files.map((f) => f.metaCt),
      ];
      const hex = cts.map((b) => Buffer.from(b).subarray(0, 48).toString("hex"));
      // The scan can find them while they are there.
      expect((await scanDatabase(portal.services, hex.slice(0, 1))).length).toBeGreaterThan(0);
      expect(
        (
          await scanDirectoryForBytes(
            portal.services.config.paths.blobs,
            blobBytes.map((bytes) => ({ label: "blob", bytes })),
          )
        ).length,
      ).toBeGreaterThan(0);

      await run(addDays(addMonths(today, 36), -1));
      expect(await exists(c)).toBe(true);
      const out = await run(addDays(addMonths(today, 36), 1));
      expect(out).toMatch(new RegExp(`${c.caseNumber}\\s+retention`));
      expect(out).toContain(`Kept 1 case(s) under a legal hold:\n  ${cases.held!.caseNumber}`);
      expect(await exists(c)).toBe(false);
      expect(await exists(cases.held!)).toBe(true);
      expect(await exists(cases.open!)).toBe(true);
      expect((await db.select().from(archives)).map((a) => a.caseNumber)).toEqual([cases.longArchive!.caseNumber]);

      expect(await scanDatabase(portal.services, [...c.markers, ...hex])).toEqual([]);
      expect(await scanDirectory(portal.services.config.paths.blobs, c.markers)).toEqual([]);
      expect(
        await scanDirectoryForBytes(
          portal.services.config.paths.blobs,
          blobBytes.map((bytes) => ({ label: "blob", bytes })),
        ),
      ).toEqual([]);
      expect(scanLines("logs", portal.logs, c.markers)).toEqual([]);
      // The reporter's receipt leads nowhere any more.
      await expect(openCase(c.receipt, { baseUrl: portal.url })).rejects.toMatchObject({ status: 404 });
      // The tombstone: case number, dates and reason, nothing else.
      const tomb = (await db.select().from(auditLog).where(eq(auditLog.caseNumber, c.caseNumber))).find((e) => e.action === "case.destroyed")!;
      expect(tomb.actorType).toBe("system");
      expect(Object.keys(tomb.details).sort()).toEqual(["closedOn", "reason", "receivedOn", "retentionOn"]);
      expect(tomb.details).toMatchObject({ reason: "retention", retentionOn: addMonths(today, 36) });
      expect(await portal.cli("audit:verify")).toMatch(/intact|verified|OK/i);
    });

    it("destroys the long archive at its own date, and a held case once the hold is lifted", async () => {
      await run(addDays(addMonths(today, 60), 1));
      expect(await portal.services.db.select().from(archives)).toEqual([]);
      expect(await exists(cases.held!)).toBe(true);
      const holds = (await view(cases.held!)) as unknown as { holds: { id: string; liftedOn: string | null }[] };
      await lee.client.caseOp(cases.held!.reportId, "hold-lift", { holdId: holds.holds[0]!.id });
      await run(addDays(addMonths(today, 60), 1));
      expect(await exists(cases.held!)).toBe(false);
      const actions = (await portal.services.db.select().from(auditLog)).map((e) => e.action);
      for (const a of ["hold.placed", "hold.lifted", "case.archived", "archive.destroyed", "share.expired", "case.destroyed"]) expect(actions).toContain(a);
      expect(await portal.cli("audit:verify")).toMatch(/intact|verified|OK/i);
    });

    it("destroys a case when its deletion request is granted, and refuses with the reason when a hold applies", async () => {
      const granted = await submit("grant");
      const refused = await submit("refuse");
      await lee.client.caseOp(refused.reportId, "holds", { reason: "regulatory_inquiry" });
      const ask = async (c: Made) => {
        const r = await openCase(c.receipt, { baseUrl: portal.url });
        await r.session.requestPrivacy("deletion", "Please delete my report.");
        const v = await view(c);
        return v.privacyRequests.find((p) => p.kind === "deletion" && p.state === "open")!.id;
      };
      const grantId = await ask(granted);
      const refuseId = await ask(refused);
      expect(await lee.client.caseOp(granted.reportId, "privacy-deletion", { requestId: grantId, decision: "grant" })).toEqual({ outcome: "granted" });
      expect(await exists(granted)).toBe(false);
      await expect(openCase(granted.receipt, { baseUrl: portal.url })).rejects.toMatchObject({ status: 404 });
      expect(await scanDatabase(portal.services, granted.markers)).toEqual([]);
      const tomb = (await portal.services.db.select().from(auditLog).where(eq(auditLog.caseNumber, granted.caseNumber))).find(
        (e) => e.action === "case.destroyed",
      )!;
      expect(tomb).toMatchObject({ actorType: "staff", actorId: leeId, details: { reason: "deletion_request" } });

      expect(await lee.client.caseOp(refused.reportId, "privacy-deletion", { requestId: refuseId, decision: "grant" })).toEqual({
        outcome: "refused",
        reason: "legal_hold",
      });
      expect(await exists(refused)).toBe(true);
      const seen = (await openCase(refused.receipt, { baseUrl: portal.url })).case.privacyRequests.find((p) => p.kind === "deletion")!;
      expect(seen).toMatchObject({ state: "answered", outcome: "refused", refusalReason: "legal_hold" });
      // Refusing under a statute names it; without one the refusal is incomplete.
      const third = await ask(refused);
      await expect(lee.client.caseOp(refused.reportId, "privacy-deletion", { requestId: third, decision: "refuse" })).rejects.toMatchObject({
        status: 400,
        code: "basis_required",
      });
      await lee.client.caseOp(refused.reportId, "privacy-deletion", { requestId: third, decision: "refuse", basis: "ecommerce_complaints" });
      const again = (await openCase(refused.receipt, { baseUrl: portal.url })).case.privacyRequests.filter((p) => p.kind === "deletion");
      expect(again.map((p) => [p.refusalReason, p.refusalBasis])).toEqual(expect.arrayContaining([["legal_retention", "ecommerce_complaints"]]));
      expect(await portal.cli("audit:verify")).toMatch(/intact|verified|OK/i);
    });
  });
}
