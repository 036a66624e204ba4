// Case exports (ADR 054) through the real server: an investigator's export built by the page's own
// code (app/staff/case-export.ts) from Node, with the real font. Its PDF holds the report in Korean
// and English as text (pdftotext), its files are the originals byte for byte, export:verify (the
// function, and once the real command) accepts it and names every single changed byte, missing or
// added file; the server audited the export without its content and pins the signing key. The
// reporter's access copy comes out of the same builder, unsigned.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  encodeManifest,
  exportSigningKeyPair,
  EXPORT_PARTS,
  loadSodium,
  parseManifest,
  signManifest,
  toBase64Url,
  verifyExportEntries,
  type ExportCertificate,
} from "../../crypto";
import { exportCertificateKey } from "../../app/.server/casework/export";
import { formatDateTime, formatDay, translator } from "../../app/i18n";
import { buildAccessExport } from "../../app/reporter/access-export";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { verifyExportZip } from "../../app/shared/export/zip";
import { exportStaffCase, shownCase } from "../../app/staff/case-export";
import { openCaseKeys } from "../../app/staff/decrypt";
import type { StaffCaseView } from "../../app/staff/wire";
import { exportVerify, EXPORT_VERIFY_EXIT } from "../../cli/export-verify";
import { auditLog, staffUsers } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile, patternedBytes } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import { openIdentityWithReason } from "../support/identity";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const run = promisify(execFile);
const FONT = new Uint8Array(readFileSync("node_modules/@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf"));
const TITLE = "회계 부정 신고 Accounting fraud in the Q3 ledger";
const DESCRIPTION = "재무팀이 2025년 3분기 매출을 부풀렸습니다. The finance team inflated revenue in the third quarter.";
const DETAILS = "관련 전표 번호는 JV-2025-0931입니다. Voucher JV-2025-0931 shows it.";
const MESSAGE = "추가 증거를 보냅니다. Sending more evidence.";
const FILES = [
  { name: "장부 사본 ledger.bin", type: "application/octet-stream", bytes: patternedBytes(300_000, "LEDGER") },
  { name: "메모 memo.txt", type: "text/plain", bytes: Buffer.from("손으로 쓴 메모 handwritten memo\n") },
];

/** The PDF's text, whitespace folded (pdftotext breaks lines where the PDF does). */
async function pdfText(pdf: Uint8Array): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "cor-export-pdf-"));
  const file = path.join(dir, "export.pdf");
  writeFileSync(file, pdf);
  const { stdout } = await run("pdftotext", ["-enc", "UTF-8", file, "-"]);
  return stdout.replace(/\s+/g, " ");
}

const fold = (s: string) => s.replace(/\s+/g, " ");

/** The same ZIP with one byte of one entry changed (the rest as they were). */
function withByteChanged(zip: Uint8Array, entry: string): Uint8Array {
  const files = unzipSync(zip);
  const bytes = files[entry]!.slice();
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  return zipSync({ ...files, [entry]: bytes }, { level: 0 });
}

const BACKENDS = await backends();
const FIRST = BACKENDS[0];

for (const backend of BACKENDS) {
  describe(`case exports on ${backend}`, () => {
    let portal: TestPortal;
    let lee: SignedInStaff;
    let leeId: string;
    let reportId: string;
    let receipt: string;
    let portalKey: string;
    let zip: Uint8Array;
    let certificate: ExportCertificate;
    let ledgerPath = "";
    let memoPath = "";
    const dir = mkdtempSync(path.join(tmpdir(), "cor-export-"));

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "이수진 Lee"])).id;
      lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      portalKey = await exportCertificateKey(portal.services.secret);
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: TITLE,
          body: { description: DESCRIPTION, details: DETAILS, periodFrom: "2025-07-01", periodTo: "2025-09-30" },
          identity: { name: "홍길동", email: "hong@example.com", phone: null },
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        FILES.map((f) => memoryFile(f.name, f.type, f.bytes)),
        info,
        { baseUrl: portal.url },
      );
      reportId = r.reportId;
      receipt = r.receiptCode;
      const reporter = await openCase(receipt, { baseUrl: portal.url });
      await reporter.session.sendMessage(MESSAGE);
      await reporter.session.logout();
      await lee.client.caseOp(reportId, "status", { to: "acknowledged" });
    }, 120_000);

    afterAll(async () => {
      await portal?.stop();
    });

    const exportAs = async (locale: "ko" | "en", parts = EXPORT_PARTS.filter((p) => p !== "notes")) => {
      const c = await lee.client.get<StaffCaseView & { shares: []; provisions: []; retentionOn: string | null }>(`/api/staff/cases/${reportId}/view`);
      const keys = openCaseKeys(c.envelope, c.id, lee.client.keyPair!)!;
      const t = translator(locale);
      // The identity is offered to the export only as the page hands it over: here, as it will once accessed with a reason.
      const shown = shownCase(c, keys, TITLE, { description: DESCRIPTION, details: DETAILS, periodFrom: "2025-07-01", periodTo: "2025-09-30" }, null);
      return exportStaffCase({
        client: lee.client,
        c,
        keys,
        staffSecretKey: lee.client.keyPair!.secretKey,
        shown,
        parts: [...parts],
        words: {
          t,
          locale,
          day: (d, none = "—") => (d ? formatDay(d, locale) : none),
          when: (iso, none = "—") => (iso ? formatDateTime(iso, locale, "Asia/Seoul") : none),
          names: new Map([[leeId, "이수진 Lee"]]),
          category: "회계 Accounting",
        },
        extras: { shares: c.shares, provisions: c.provisions, retentionOn: c.retentionOn },
        font: FONT,
      });
    };

    it("builds a signed ZIP whose PDF has the report in Korean and English and whose files are the originals", async () => {
      const built = await exportAs("ko");
      zip = built.zip;
      certificate = built.manifest.certificate!;
      const entries = unzipSync(zip);
      // Files are numbered in the case's order; each is its original, byte for byte.
      const fileEntry = (name: string) => Object.keys(entries).find((k) => /^files\/\d\d-/.test(k) && k.slice(9) === name);
      expect(Object.keys(entries).sort()).toEqual(
        [`${built.manifest.caseNumber}.pdf`, fileEntry(FILES[0]!.name), fileEntry(FILES[1]!.name), "manifest.json", "manifest.sig"].sort(),
      );
      for (const f of FILES) expect(Buffer.from(entries[fileEntry(f.name)!]!).equals(Buffer.from(f.bytes)), f.name).toBe(true);
      ledgerPath = fileEntry(FILES[0]!.name)!;
      memoPath = fileEntry(FILES[1]!.name)!;
      const text = await pdfText(entries[`${built.manifest.caseNumber}.pdf`]!);
      for (const s of [TITLE, DESCRIPTION, DETAILS, MESSAGE, "제보 내용", "처리 상태 이력", "이수진 Lee"]) expect(text).toContain(fold(s));
      // Anything else the export did not include stays out: the identity was not handed over.
      expect(text).not.toContain("홍길동");
      // The font is embedded as a subset: the PDF is a small fraction of the 6 MB font.
      expect(entries[`${built.manifest.caseNumber}.pdf`]!.length).toBeLessThan(400_000);

      const english = await exportAs("en");
      const enText = await pdfText(unzipSync(english.zip)[`${english.manifest.caseNumber}.pdf`]!);
      for (const s of [TITLE, DESCRIPTION, "The report (title, category, description)", "Status history"]) expect(enText).toContain(fold(s));
    }, 120_000);

    it("certifies the signer and records the export in the audit chain without its content", async () => {
      expect(certificate.staffUserId).toBe(leeId);
      expect(certificate.portalKey).toBe(portalKey);
      expect(certificate.signingKey).toBe(toBase64Url(exportSigningKeyPair(lee.client.keyPair!.secretKey).publicKey));
      const [entry] = await portal.services.db.select().from(auditLog).where(eq(auditLog.seq, certificate.audit.seq));
      expect(entry!.action).toBe("case.exported");
      expect(entry!.reportId).toBe(reportId);
      expect(Buffer.from(entry!.hash).toString("hex")).toBe(certificate.audit.hash);
      expect(entry!.details).toMatchObject({
        exportId: certificate.exportId,
        parts: "report,dialogue,history,deadlines,sharing,privacy,files",
        keyPinned: true,
      });
      const everything = JSON.stringify(await portal.services.db.select().from(auditLog));
      for (const s of ["회계", "Accounting", "ledger", "memo", "evidence"]) expect(everything).not.toContain(s);
      const [me] = await portal.services.db.select({ key: staffUsers.exportSigningKey }).from(staffUsers).where(eq(staffUsers.id, leeId));
      expect(toBase64Url(me!.key!)).toBe(certificate.signingKey);
    });

    it("refuses to certify another signing key for the same investigator", async () => {
      await expect(lee.client.caseOp(reportId, "export", { parts: ["report"], signingKey: toBase64Url(new Uint8Array(32).fill(7)) })).rejects.toMatchObject({
        status: 409,
        code: "signing_key_changed",
      });
    });

    it("certifies the identity part only once the identity was released to the exporter, and signs the audited parts", async () => {
      // The first export's identity was dropped in the browser (not handed over): the certificate says what was audited.
      expect(certificate.parts).toEqual(["report", "dialogue", "history", "deadlines", "sharing", "privacy", "files"]);
      const signingKey = toBase64Url(exportSigningKeyPair(lee.client.keyPair!.secretKey).publicKey);
      const exported = async () => (await portal.services.db.select().from(auditLog).where(eq(auditLog.action, "case.exported"))).length;
      const before = await exported();
      // A client that asks for the identity anyway, without a recorded reason, is refused and nothing is audited.
      await expect(lee.client.caseOp(reportId, "export", { parts: ["report", "identity"], signingKey })).rejects.toMatchObject({
        status: 409,
        code: "identity_not_accessed",
      });
      expect(await exported()).toBe(before);
      const c = await lee.client.get<StaffCaseView>(`/api/staff/cases/${reportId}/view`);
      await openIdentityWithReason(lee.client, openCaseKeys(c.envelope, c.id, lee.client.keyPair!)!, reportId);
      const { certificate: withIdentity } = await lee.client.caseOp<{ certificate: ExportCertificate }>(reportId, "export", {
        parts: ["identity", "report"],
        signingKey,
      });
      expect(withIdentity.parts).toEqual(["report", "identity"]);
      const [entry] = await portal.services.db.select().from(auditLog).where(eq(auditLog.seq, withIdentity.audit.seq));
      expect(entry!.details).toMatchObject({ exportId: withIdentity.exportId, parts: "report,identity" });
    });

    it("names a ZIP with more parts than its certificate was obtained for, though the investigator signed it", async () => {
      // The attack: obtain a certificate for the history only, then sign the full export (notes, identity…) under it.
      const signer = exportSigningKeyPair(lee.client.keyPair!.secretKey);
      const { certificate: historyOnly } = await lee.client.caseOp<{ certificate: ExportCertificate }>(reportId, "export", {
        parts: ["history"],
        signingKey: toBase64Url(signer.publicKey),
      });
      const entries = unzipSync(zip);
      const full = parseManifest(entries["manifest.json"]!);
      const forged = encodeManifest({ ...full, exportId: historyOnly.exportId, createdAt: historyOnly.issuedAt, certificate: historyOnly });
      const forgedZip = zipSync({ ...entries, "manifest.json": forged, "manifest.sig": signManifest(forged, signer) }, { level: 0 });
      const r = await exportVerify([writeZip("more-parts.zip", forgedZip)], { portalKey: async () => portalKey });
      expect(r.code).toBe(EXPORT_VERIFY_EXIT.failed);
      expect(r.text).toContain(
        `parts_not_certified: The manifest lists the parts ${full.parts.join(", ")}, but the portal recorded and certified an export of history`,
      );
      expect(verifyExportZip(forgedZip, { portalKey }).problems).toEqual([
        { code: "parts_not_certified", listed: full.parts.join(", "), certified: "history" },
      ]);
    });

    it("export:verify accepts the export, and names one changed byte in any file, the manifest or the signature", async () => {
      const ok = await exportVerify([writeZip("ok.zip", zip)], { portalKey: async () => portalKey });
      expect(ok.code).toBe(EXPORT_VERIFY_EXIT.ok);
      expect(ok.text).toContain("intact");
      const names = Object.keys(unzipSync(zip));
      for (const name of names) {
        const r = await exportVerify([writeZip(`changed-${names.indexOf(name)}.zip`, withByteChanged(zip, name))], { portalKey: async () => portalKey });
        expect(r.code, name).toBe(EXPORT_VERIFY_EXIT.failed);
        const expected =
          name === "manifest.json"
            ? "manifest_changed: manifest.json was changed"
            : name === "manifest.sig"
              ? "manifest.sig"
              : `file_changed: ${name} was changed`;
        expect(r.text, name).toContain(expected);
      }
    });

    it("names a file that is missing or added, a byte changed in the stored ZIP, and a certificate of another portal", async () => {
      const entries = unzipSync(zip);
      const rest = Object.fromEntries(Object.entries(entries).filter(([k]) => k !== memoPath));
      expect(verifyExportZip(zipSync(rest, { level: 0 })).problems).toEqual([{ code: "file_missing", path: memoPath }]);
      expect(verifyExportZip(zipSync({ ...entries, "files/03-extra.txt": new Uint8Array([1]) }, { level: 0 })).problems).toEqual([
        { code: "file_added", path: "files/03-extra.txt" },
      ]);
      // A flipped byte inside the stored ledger's data, in the ZIP as it lies on disk.
      const raw = zip.slice();
      const marker = Buffer.from(raw).indexOf(Buffer.from(FILES[0]!.bytes.subarray(1000, 1064)));
      expect(marker).toBeGreaterThan(0);
      raw[marker] = raw[marker]! ^ 0xff;
      expect(verifyExportZip(raw, { portalKey }).problems).toEqual([{ code: "file_changed", path: ledgerPath }]);
      const other = verifyExportEntries(new Map(Object.entries(entries)), { portalKey: toBase64Url(new Uint8Array(32)) });
      expect(other.problems.map((p) => p.code)).toEqual(["certificate_foreign"]);
      expect(verifyExportZip(new Uint8Array([1, 2, 3])).problems[0]!.code).toBe("not_zip");
    });

    // The command reads no database: once is enough.
    it.runIf(backend === FIRST)(
      "the real command exits 0 for the export and 1, naming the file, after one byte changed",
      async () => {
        const cli = (file: string) =>
          run(process.execPath, ["--import", "tsx", "cli/main.ts", "export:verify", file, "--portal-key", portalKey]).then(
            (r) => ({ code: 0, out: r.stdout }),
            (e: { code: number; stderr: string; stdout: string }) => ({ code: e.code, out: e.stderr + e.stdout }),
          );
        expect((await cli(writeZip("cli-ok.zip", zip))).code).toBe(0);
        const changed = await cli(writeZip("cli-changed.zip", withByteChanged(zip, memoPath)));
        expect(changed.code).toBe(1);
        expect(changed.out).toContain(`file_changed: ${memoPath} was changed`);
      },
      90_000,
    );

    it("gives the reporter their own copy from the same builder, unsigned, with their words and files", async () => {
      const reporter = await openCase(receipt, { baseUrl: portal.url });
      const c = await reporter.session.refresh();
      const built = await buildAccessExport({
        c,
        download: async (id) => (await reporter.session.downloadAttachment(id)).blob,
        words: { t: translator("ko"), locale: "ko", day: (d, none = "—") => (d ? formatDay(d, "ko") : none) },
        now: new Date(),
        font: FONT,
      });
      await reporter.session.logout();
      const entries = unzipSync(built.zip);
      expect(built.manifest.kind).toBe("reporter-access");
      expect(entries["manifest.sig"]).toBeUndefined();
      const text = await pdfText(entries[`${c.caseNumber}.pdf`]!);
      for (const s of [TITLE, DESCRIPTION, MESSAGE, "홍길동"]) expect(text).toContain(fold(s));
      for (const f of FILES) {
        const k = Object.keys(entries).find((e) => /^files\/\d\d-/.test(e) && e.slice(9) === f.name);
        expect(Buffer.from(entries[k!]!).equals(Buffer.from(f.bytes)), f.name).toBe(true);
      }
      expect(JSON.parse(Buffer.from(entries[`files/01-${c.caseNumber}.json`]!).toString()).report.title).toBe(TITLE);
      const r = await exportVerify([writeZip("access.zip", built.zip)], { portalKey: async () => portalKey });
      expect(r.code).toBe(EXPORT_VERIFY_EXIT.unsigned);
      const tampered = await exportVerify([writeZip("access-changed.zip", withByteChanged(built.zip, `${c.caseNumber}.pdf`))], {
        portalKey: async () => portalKey,
      });
      expect(tampered.code).toBe(EXPORT_VERIFY_EXIT.failed);
      expect(tampered.text).toContain(`file_changed: ${c.caseNumber}.pdf`);
    }, 60_000);

    function writeZip(name: string, bytes: Uint8Array): string {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      return file;
    }
  });
}
