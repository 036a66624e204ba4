// Two instances as two machines behind a load balancer (issue 17): portals A and B on one PostgreSQL
// database and one S3 bucket (s3rver), each with a data directory of its own and the one portal secret.
// A report with two files is submitted through A; the reporter then opens the case with the receipt at A
// and reads it, messages and files, through B with the session A gave; the investigator signs in at A and
// reads the report and decrypts both files byte for byte through B with the staff session A gave.
// Nothing about a session, an upload or a file lives in one instance's memory or disk.
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentDecryptor, decryptFileMeta, decryptTitle, fromBase64Url, loadSodium, toBase64Url, unwrapFileKey } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport, type ReportDraft } from "../../app/reporter/intake-client";
import { decryptResponseToBlob } from "../../app/reporter/decrypt-download";
import { openCaseKeys } from "../../app/staff/decrypt";
import { StaffClient } from "../../app/staff/staff-client";
import type { StaffCaseView } from "../../app/staff/wire";
import { startPortal, type RunningPortal } from "../../server/start";
import { freshPostgresDatabase, postgresAdminUrl } from "../support/backends";
import { createInvestigator, withServices } from "../support/child-portal";
import { memoryFile, patternedBytes } from "../support/files";
import { TEST_PORTAL_ENV } from "../support/portal";
import { startTestS3, type TestS3 } from "../support/s3-server";
import { PASSWORD } from "../support/staff";
import { cookieFetch, totpCode } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

/** The origin the pages were loaded from: the load balancer's, never an instance's own. */
const ORIGIN = "http://report.okestro.test";

const admin = await postgresAdminUrl();

describe.skipIf(!admin)("a report submitted through one instance, read through another", () => {
  let s3: TestS3;
  let pg: { url: string; drop(): Promise<void> };
  const dirs: string[] = [];
  let a: RunningPortal;
  let b: RunningPortal;
  /** Where the load balancer sends the next request. */
  let target: "A" | "B" = "A";
  /** Every request, as "instance method path". */
  const served: string[] = [];
  const route =
    (inner: typeof fetch = fetch): typeof fetch =>
    (input, init) => {
      const instance = target === "A" ? a : b;
      const url = String(input).replace(ORIGIN, instance.url);
      served.push(`${target} ${init?.method ?? "GET"} ${url.slice(instance.url.length)}`);
      return inner(url, init);
    };

  beforeAll(async () => {
    await loadSodium();
    s3 = await startTestS3();
    pg = await freshPostgresDatabase();
    const common = { DATABASE_URL: pg.url, PORTAL_SECRET: toBase64Url(randomBytes(32)), ...s3.env("across") };
    for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(path.join(os.tmpdir(), "cor-across-")));
    const start = (dir: string) =>
      startPortal({
        env: { ...TEST_PORTAL_ENV, LOG_LEVEL: "warn", DATA_DIR: dir, ...common },
        logWrite: () => {},
      });
    a = await start(dirs[0]!);
    b = await start(dirs[1]!);
    await withServices({ ...common, DATA_DIR: dirs[0] }, (s) => createInvestigator(s, dirs[0]!, "inv@okestro.example", "Investigator Kim"));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await pg?.drop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
    await s3?.stop();
  });

  it("the reporter and the investigator read through B what was submitted through A, files byte for byte", async () => {
    const files = [
      { name: "회의록 minutes.pdf", type: "application/pdf", bytes: patternedBytes(3 * 1024 * 1024 + 17, "minutes") },
      { name: "photo.jpg", type: "image/jpeg", bytes: patternedBytes(70_001, "photo") },
    ];
    const draft: ReportDraft = {
      categoryId: "",
      title: "두 서버 / two servers",
      body: { description: "Submitted through one server, read through the other.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: true,
      consentAffiliateIdentity: false,
    };
    target = "A";
    const info = await fetchIntakeInfo({ baseUrl: ORIGIN, fetch: route() });
    draft.categoryId = info.categories[0]!.id;
    const receipt = await submitEncryptedReport(
      draft,
      files.map((f) => memoryFile(f.name, f.type, f.bytes)),
      info,
      { baseUrl: ORIGIN, fetch: route() },
    );
    expect(served.every((s) => s.startsWith("A "))).toBe(true);
    expect(served.some((s) => /^A PUT \/api\/intake\/uploads\/.+\/parts\/0$/.test(s))).toBe(true);

    // The reporter: the receipt opens the case at A; everything after goes to B with the session A gave.
    const opened = await openCase(receipt.receiptCode, { baseUrl: ORIGIN, fetch: route() });
    target = "B";
    const firstAtB = served.length;
    const c = await opened.session.refresh();
    expect(c.reportId).toBe(receipt.reportId);
    expect(c.title).toBe(draft.title);
    expect(c.attachments.map((f) => f.name).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) {
      const got = await opened.session.downloadAttachment(c.attachments.find((x) => x.name === f.name)!.id);
      expect(got.meta).toEqual({ name: f.name, type: f.type, size: f.bytes.length });
      expect(Buffer.from(await got.blob.arrayBuffer()).equals(Buffer.from(f.bytes))).toBe(true);
    }
    await opened.session.sendMessage("B에서 보냄 / sent through B");

    // The investigator signs in at A (password, authenticator, recovery codes) and reads through B.
    target = "A";
    const staff = new StaffClient({ baseUrl: ORIGIN, fetch: route(cookieFetch()) });
    expect(await staff.signIn("inv@okestro.example", PASSWORD)).toBe("totp_setup");
    const setup = await staff.beginTotpSetup();
    await staff.finishTotpSetup(totpCode(setup.secret));
    target = "B";
    const view = await staff.get<StaffCaseView>(`/api/staff/cases/${receipt.reportId}/view`);
    const keys = openCaseKeys(view.envelope, view.id, staff.keyPair!)!;
    expect(decryptTitle(keys.reportKey, view.id, fromBase64Url(view.title))).toBe(draft.title);
    expect(view.messages).toHaveLength(1);
    expect(view.attachments).toHaveLength(2);
    for (const file of view.attachments) {
      const meta = decryptFileMeta(keys.reportKey, view.id, file.id, fromBase64Url(file.meta));
      const sent = files.find((f) => f.name === meta.name)!;
      expect(meta).toEqual({ name: sent.name, type: sent.type, size: sent.bytes.length });
      const decryptor = new AttachmentDecryptor(unwrapFileKey(keys.reportKey, view.id, file.id, fromBase64Url(file.fileKey)), {
        reportId: view.id,
        attachmentId: file.id,
      });
      const plain = await decryptResponseToBlob(await staff.raw(`/api/staff/cases/${view.id}/attachments/${file.id}`), decryptor, sent.type);
      expect(Buffer.from(await plain.arrayBuffer()).equals(Buffer.from(sent.bytes))).toBe(true);
    }
    expect(served.slice(firstAtB).some((s) => s.startsWith("B GET /api/staff/cases/"))).toBe(true);

    // Neither instance kept a file on its own disk: the blobs are in the bucket only.
    for (const d of dirs) expect(await readdir(path.join(d, "blobs")).catch(() => [])).toEqual([]);
  });
});
