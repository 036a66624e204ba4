// The report form without JavaScript (ADR 043) through the real server on PGlite and PostgreSQL: a plain
// multipart post is sealed by the server into the same formats the browser writes (read back here with the
// same crypto an investigator's browser uses), to the same recipients with exclusions honoured, under a
// receipt code that opens it as the browser's would; refusals store nothing; the stricter budgets refuse
// only this path; the plaintext markers are nowhere at rest or in the logs.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveReceiptSecrets, loadSodium, streamCiphertextSize, unwrapReporterKey } from "../../crypto";
import { receiptLookupHash } from "../../app/.server/case-access/receipt-lookup";
import { placesTaken } from "../../app/.server/nojs/multipart";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import type { StaffCaseView } from "../../app/staff/wire";
import type { IntakeInfo } from "../../app/intake/wire";
import { attachments, reportExclusions, reportKeyEnvelopes, reports, uploads } from "../../db/schema";
import { backends } from "../support/backends";
import { patternedBytes } from "../support/files";
import { decryptReportAsInvestigator, investigatorReportKey } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { postPartlyAndHangUp } from "../support/raw-http";
import { scanPortal } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn } from "../support/staff-session";
import { waitFor } from "../support/wait";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const M = (field: string) => `N0JS-${field}-4d1e8b`;
const MARKERS = ["title", "description", "details", "name", "email", "phone", "fileName", "fileBody"].map(M);
const MiB = 1024 * 1024;

type Fields = Record<string, string | string[]>;

function fields(info: IntakeInfo, overrides: Fields = {}): Fields {
  return {
    category: info.categories[0]!.id,
    title: `${M("title")} 회계 부정`,
    description: `${M("description")}\n<b>tags</b> & "quotes"`,
    details: `${M("details")} 세부`,
    periodFrom: "2026-01-05",
    periodTo: "2026-03-31",
    reporterName: `${M("name")} 홍길동`,
    email: `${M("email")}@example.com`,
    phone: "010-1234-5678",
    consentReport: "on",
    consentOptional: "on",
    ...overrides,
  };
}

function form(values: Fields, files: { name: string; type: string; bytes: Uint8Array }[] = []): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  for (const file of files) f.append("attachments", new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }), file.name);
  if (files.length === 0) f.append("attachments", new Blob([]), ""); // what a browser sends for an empty file input
  return f;
}

async function postPlain(portal: TestPortal, body: FormData | string, headers: Record<string, string> = {}) {
  const r = await fetch(`${portal.url}/report?lang=en`, { method: "POST", body, headers });
  return { status: r.status, html: await r.text(), headers: r.headers };
}

const receiptCodeIn = (html: string) => /data-testid="receipt-code"[^>]*>([0-9A-Z-]{24})</.exec(html)?.[1] ?? null;

async function stored(portal: TestPortal) {
  const db = portal.services.db;
  const [r] = await db.select({ n: count() }).from(reports);
  const [a] = await db.select({ n: count() }).from(attachments);
  const [u] = await db.select({ n: count() }).from(uploads);
  const spools = await readdir(path.join(portal.dataDir, "spool")).catch(() => []);
  return { reports: r!.n, attachments: a!.n, uploads: u!.n, spools: spools.length };
}

for (const backend of await backends()) {
  describe(`intake without JavaScript on ${backend}`, () => {
    let portal: TestPortal;
    let info: IntakeInfo;
    let inv1: string;
    let inv2: string;

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend, { MAX_ATTACHMENT_BYTES: String(MiB), MAX_ATTACHMENTS_PER_REPORT: "2" });
      inv1 = (await createStaff(portal, "investigator", "inv1@okestro.example", ["--name", "Investigator One"])).id;
      inv2 = (await createStaff(portal, "investigator", "inv2@okestro.example", ["--name", "Investigator Two"])).id;
      info = await fetchIntakeInfo({ baseUrl: portal.url });
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("shows the plain form only inside <noscript>, with the warning before the fields", async () => {
      const html = await (await fetch(`${portal.url}/report?lang=en`)).text();
      const noscript = /<noscript><link rel="stylesheet" href="\/nojs.css"\/>([\s\S]*?)<\/noscript>/.exec(html)?.[1];
      expect(noscript).toBeDefined();
      expect(noscript!.toLowerCase()).toContain('enctype="multipart/form-data"');
      expect(noscript!.indexOf('data-testid="plain-warning"')).toBeLessThan(noscript!.indexOf('name="title"'));
      expect(noscript).toContain("the server sees your report");
      // Outside <noscript> (what a browser running scripts parses), no form posts multipart.
      expect(html.replace(/<noscript>[\s\S]*?<\/noscript>/g, "").toLowerCase()).not.toContain("multipart");
      const ko = await (await fetch(`${portal.url}/report?lang=ko`)).text();
      expect(ko).toContain("JavaScript 없이 제보하기");
    });

    let reportId: string;
    let receiptCode: string;
    const fileBody = patternedBytes(300_000, M("fileBody"));

    it("seals a posted report with its files into the browser's formats, to the investigators, under the receipt code", async () => {
      const before = await stored(portal);
      const r = await postPlain(
        portal,
        form(fields(info), [
          { name: `${M("fileName")}.bin`, type: "application/octet-stream", bytes: fileBody },
          { name: "empty.txt", type: "text/plain", bytes: new Uint8Array(0) },
        ]),
      );
      expect(r.status).toBe(201);
      expect(r.headers.get("cache-control")).toBe("no-store");
      const code = receiptCodeIn(r.html);
      expect(code).not.toBeNull();
      receiptCode = code!;
      expect(r.html).toContain("Your secret receipt code");
      // Found by the receipt code's look-up value, as the follow-up page finds it.
      const { lookup, wrapKey } = deriveReceiptSecrets(code!);
      const [row] = await portal.services.db
        .select()
        .from(reports)
        .where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
      expect(row).toBeDefined();
      expect(row!.serverSealed).toBe(true);
      reportId = row!.id;
      const decrypted = await decryptReportAsInvestigator(portal.services, reportId, "inv1@okestro.example", PASSWORD);
      expect(decrypted.title).toBe(`${M("title")} 회계 부정`);
      expect(decrypted.body).toEqual({
        description: `${M("description")}\n<b>tags</b> & "quotes"`,
        details: `${M("details")} 세부`,
        periodFrom: "2026-01-05",
        periodTo: "2026-03-31",
      });
      expect(decrypted.identity).toEqual({ name: `${M("name")} 홍길동`, email: `${M("email")}@example.com`, phone: "010-1234-5678" });
      expect(decrypted.files.map((f) => [f.name, f.type, f.size])).toEqual([
        ["empty.txt", "text/plain", 0],
        [`${M("fileName")}.bin`, "application/octet-stream", fileBody.length],
      ]);
      expect(Buffer.from(decrypted.files[1]!.bytes).equals(Buffer.from(fileBody))).toBe(true);
      expect(decrypted.files[0]!.bytes.length).toBe(0);
      // Stored as stream-v2 of the file's Padmé class, as the browser sends it.
      const sizes = (await portal.services.db.select().from(attachments).where(eq(attachments.reportId, reportId)))
        .map((a) => a.ciphertextBytes)
        .sort((x, y) => x - y);
      expect(sizes).toEqual([streamCiphertextSize(0), streamCiphertextSize(fileBody.length)]);
      // The reporter's copy of the report key opens with the receipt code, and it is the investigators' key.
      const reporterKey = unwrapReporterKey(wrapKey, reportId, row!.reporterKeyWrapped);
      const { reportKey } = await investigatorReportKey(portal.services, reportId, "inv2@okestro.example", PASSWORD);
      expect(Buffer.from(reporterKey).equals(Buffer.from(reportKey))).toBe(true);
      const envelopes = await portal.services.db.select().from(reportKeyEnvelopes).where(eq(reportKeyEnvelopes.reportId, reportId));
      expect(envelopes.map((e) => e.staffUserId).sort()).toEqual([inv1, inv2].sort());
      // Nothing left over: the uploads were claimed, the spools removed.
      const after = await stored(portal);
      expect(after).toEqual({ reports: before.reports + 1, attachments: before.attachments + 2, uploads: before.uploads, spools: 0 });
    });

    it("honours exclusions: no envelope for an excluded investigator", async () => {
      const r = await postPlain(portal, form(fields(info, { excludedInvestigators: [inv2] })));
      expect(r.status).toBe(201);
      const { lookup } = deriveReceiptSecrets(receiptCodeIn(r.html)!);
      const [row] = await portal.services.db
        .select()
        .from(reports)
        .where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
      const envelopes = await portal.services.db.select().from(reportKeyEnvelopes).where(eq(reportKeyEnvelopes.reportId, row!.id));
      expect(envelopes.map((e) => e.staffUserId)).toEqual([inv1]);
      const excluded = await portal.services.db.select().from(reportExclusions).where(eq(reportExclusions.reportId, row!.id));
      expect(excluded.map((e) => e.staffUserId)).toEqual([inv2]);
      await expect(investigatorReportKey(portal.services, row!.id, "inv2@okestro.example", PASSWORD)).rejects.toThrow(/holds no envelope/);
      const decrypted = await decryptReportAsInvestigator(portal.services, row!.id, "inv1@okestro.example", PASSWORD);
      expect(decrypted.title).toContain(M("title"));
    });

    it("refuses a post with problems and stores nothing: missing consent, too large a file, too many files, bad fields", async () => {
      const before = await stored(portal);
      const cases: [Fields, { name: string; type: string; bytes: Uint8Array }[], RegExp][] = [
        [fields(info, { consentReport: "" }), [], /consent/i],
        [fields(info, { consentOptional: "" }), [], /optional/i],
        [fields(info), [{ name: "big.bin", type: "application/octet-stream", bytes: new Uint8Array(MiB + 1) }], /big\.bin/],
        [fields(info), [1, 2, 3].map((i) => ({ name: `f${i}.txt`, type: "text/plain", bytes: patternedBytes(70_000, M("fileBody")) })), /at most 2/i],
        [fields(info, { title: "" }), [], /required/i],
        [fields(info, { category: "00000000-0000-4000-8000-000000000000" }), [], /Type of report/],
        [fields(info, { excludedInvestigators: [inv1, inv2] }), [], /exclude/i],
        // No more exclusions than investigators, none longer than an id: the rest is not kept.
        [fields(info, { excludedInvestigators: Array.from({ length: 3 }, () => inv1) }), [], /no longer exists/],
        [fields(info, { excludedInvestigators: [`${inv1}${"x".repeat(1000)}`] }), [], /no longer exists/],
      ];
      for (const [values, files, problem] of cases) {
        const r = await postPlain(portal, form(values, files));
        expect(r.status, String(problem)).toBe(400);
        expect(r.html).toContain('data-testid="plain-problems"');
        expect(r.html).toMatch(problem);
        // What was typed comes back (escaped), a file never.
        if (values.title) expect(r.html).toContain(`value="${M("title")} 회계 부정"`);
      }
      expect(await stored(portal)).toEqual(before);
    });

    it("refuses malformed and non-multipart posts and stores nothing", async () => {
      const before = await stored(portal);
      const cut = await postPlain(portal, '--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nunfinished', {
        "Content-Type": "multipart/form-data; boundary=xyz",
      });
      expect(cut.status).toBe(400);
      expect(cut.html).toContain('data-testid="plain-refused"');
      const noBoundary = await postPlain(portal, "title=x", { "Content-Type": "multipart/form-data; charset=utf-8" });
      expect(noBoundary.status).toBe(400);
      const urlencoded = await postPlain(portal, new URLSearchParams({ title: "x" }).toString(), { "Content-Type": "application/x-www-form-urlencoded" });
      expect(urlencoded.status).toBe(400);
      // A valid report followed by more fields than the form has: refused whole, not stored without them.
      const padded = form(fields(info));
      for (let i = 0; i < 30; i++) padded.append(`extra${i}`, "x");
      const tooMany = await postPlain(portal, padded);
      expect(tooMany.status).toBe(400);
      expect(tooMany.html).toContain('data-testid="plain-refused"');
      expect(await stored(portal)).toEqual(before);
    });

    it("takes the browser's own form post (Origin: null under no-referrer, Sec-Fetch-Site: same-origin) and nothing cross-site", async () => {
      const before = await stored(portal);
      const own = await postPlain(portal, form(fields(info, { consentReport: "" })), { Origin: "null", "Sec-Fetch-Site": "same-origin" });
      expect(own.status).toBe(400);
      expect(own.html).toContain('data-testid="plain-problems"');
      const forgeries: Record<string, string>[] = [
        { Origin: "null" },
        { Origin: "null", "Sec-Fetch-Site": "cross-site" },
        { Origin: "null", "Sec-Fetch-Site": "same-site" },
        { Origin: "https://evil.example" },
      ];
      for (const forged of forgeries) {
        expect((await postPlain(portal, form(fields(info)), forged)).status, JSON.stringify(forged)).toBe(403);
      }
      // The API keeps refusing a null origin whatever the browser says.
      const api = await fetch(`${portal.url}/api/intake/reports`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: "null", "Sec-Fetch-Site": "same-origin" },
        body: "{}",
      });
      expect(api.status).toBe(403);
      expect(await stored(portal)).toEqual(before);
    });

    it("keeps the server-sealed mark out of a client's reach", async () => {
      // The JSON submission schema is strict: a browser cannot claim the mark.
      const r = await fetch(`${portal.url}/api/intake/reports`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ serverSealed: true }),
      });
      expect(r.status).toBe(400);
      // A report the browser sealed carries no mark.
      const sent = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "browser sealed",
          body: { description: "d", details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: false,
          consentAffiliateIdentity: false,
        },
        [],
        info,
        { baseUrl: portal.url, retryDelaysMs: [] },
      );
      const [row] = await portal.services.db.select({ serverSealed: reports.serverSealed }).from(reports).where(eq(reports.id, sent.reportId));
      expect(row!.serverSealed).toBe(false);
    });

    it("opens for the reporter with the receipt code, as the follow-up page does", async () => {
      const opened = await openCase(receiptCode, { baseUrl: portal.url });
      const c = await opened.session.refresh();
      expect(c.reportId).toBe(reportId);
      expect(c.title).toBe(`${M("title")} 회계 부정`);
      const got = await opened.session.downloadAttachment(c.attachments.find((a) => a.name === `${M("fileName")}.bin`)!.id);
      expect(Buffer.from(await got.blob.arrayBuffer()).equals(Buffer.from(fileBody))).toBe(true);
    });

    it("shows investigators the mark in the inbox and on the case", async () => {
      const { client } = await firstSignIn(portal.url, "inv1@okestro.example", PASSWORD);
      const inbox = await client.get<{ rows: { id: string; serverSealed: boolean }[] }>("/api/staff/cases");
      expect(inbox.rows.find((r) => r.id === reportId)?.serverSealed).toBe(true);
      expect(inbox.rows.some((r) => !r.serverSealed)).toBe(true);
      const view = await client.get<StaffCaseView>(`/api/staff/cases/${reportId}/view`);
      expect(view.serverSealed).toBe(true);
    });

    it("leaves the plaintext nowhere: database, blobs, spools, logs", async () => {
      expect(await scanPortal(portal, MARKERS)).toEqual([]);
    });
  });
}

describe("the budgets of the path without JavaScript", () => {
  let portal: TestPortal;
  let info: IntakeInfo;
  const from = (client: string) => ({ "X-Forwarded-For": client });

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { TRUST_PROXY: "1", NOJS_REPORTS_PER_CLIENT: "1", NOJS_CONCURRENT_SUBMISSIONS: "2" });
    await createStaff(portal, "investigator", "inv1@okestro.example", ["--name", "Investigator One"]);
    info = await fetchIntakeInfo({ baseUrl: portal.url });
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("counts only stored reports against a client, has no budget for everyone, and the JavaScript path stays open", async () => {
    const missingConsent = () => form(fields(info, { consentReport: "" }));
    // Refused for their content, posts cost nothing: behind one pseudonym (an onion service) nobody closes the path.
    for (let i = 0; i < 3; i++) expect((await postPlain(portal, missingConsent(), from("198.51.100.1"))).status).toBe(400);
    expect((await postPlain(portal, "--x--", { ...from("198.51.100.1"), "Content-Type": "multipart/form-data; boundary=x" })).status).toBe(400);
    expect((await postPlain(portal, form(fields(info)), from("198.51.100.1"))).status).toBe(201);
    const again = await postPlain(portal, form(fields(info)), from("198.51.100.1"));
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(again.html).toContain("from your network");
    // Other clients are not held back by anyone's reports (no global budget any more).
    for (const client of ["198.51.100.2", "198.51.100.3", "198.51.100.4"]) expect((await postPlain(portal, form(fields(info)), from(client))).status).toBe(201);
    // The encrypted path is not part of that budget.
    const sent = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "still open",
        body: { description: "d", details: "", periodFrom: null, periodTo: null },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: false,
        consentAffiliateIdentity: false,
      },
      [],
      info,
      {
        baseUrl: portal.url,
        retryDelaysMs: [],
        fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...from("198.51.100.3") } }),
      },
    );
    expect(sent.caseNumber).toMatch(/./);
  });

  it("gives a client one place at a time, leaving the others' places free", async () => {
    const { first, release } = heldFilePost(portal, "", from("198.51.100.9"));
    await waitFor("the held post to take its place", async () => placesTaken(portal.services, "report") === 1);
    const same = await postPlain(portal, form(fields(info, { consentReport: "" })), from("198.51.100.9"));
    expect(same.status).toBe(503);
    expect((await postPlain(portal, form(fields(info, { consentReport: "" })), from("198.51.100.10"))).status).toBe(400);
    release();
    expect((await first).status).toBe(400);
  });
});

describe("Onion-Location", () => {
  let portal: TestPortal;
  const onion = "http://okestroreportabcdefghijklmnopqrstuvwxyz234567abcdefghijk.onion";

  beforeAll(async () => {
    portal = await startTestPortal("pglite", { ONION_LOCATION: `${onion}/` });
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("names the same page at the onion service on HTML pages, not on API answers", async () => {
    const page = await fetch(`${portal.url}/report?lang=ko`);
    expect(page.headers.get("onion-location")).toBe(`${onion}/report?lang=ko`);
    expect((await fetch(`${portal.url}/`)).headers.get("onion-location")).toBe(`${onion}/`);
    expect((await fetch(`${portal.url}/api/intake/info`)).headers.get("onion-location")).toBeNull();
  });
});

// Held open, a post keeps its place: the next one is told the path is busy (PGlite: one portal is enough).
describe("posts received at once", () => {
  let portal: TestPortal;
  let info: IntakeInfo;

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { NOJS_CONCURRENT_SUBMISSIONS: "1" });
    await createStaff(portal, "investigator", "inv1@okestro.example", ["--name", "Investigator One"]);
    info = await fetchIntakeInfo({ baseUrl: portal.url });
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("answers 503 while another post is being received, and takes the next once it is done", async () => {
    const { first, release } = heldFilePost(portal, "held");
    const refused = await waitFor("a post refused as busy", async () => {
      const r = await postPlain(portal, form(fields(info, { consentReport: "" })));
      return r.status === 503 ? r : null;
    });
    expect(refused.html).toContain("turn JavaScript on");
    release();
    expect((await first).status).toBe(400); // its content is incomplete, and that is all it is refused for
    expect((await postPlain(portal, form(fields(info)))).status).toBe(201);
  });

  it("frees the place and the spool of a post whose client hangs up partway through a file", async () => {
    const boundary = "hangup-boundary";
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhalf\r\n--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const spools = async () => (await readdir(path.join(portal.dataDir, "spool")).catch(() => [])).length;
    await postPartlyAndHangUp(
      portal.url,
      {
        path: "/report?lang=en",
        headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        body: Buffer.concat([head, Buffer.alloc(300_000, 5)]),
        declaredLength: head.length + 5_000_000,
      },
      async () => (await spools()) === 1 && placesTaken(portal.services, "report") === 1,
    );
    await expect.poll(async () => [await spools(), placesTaken(portal.services, "report")], { timeout: 20_000 }).toEqual([0, 0]);
    expect((await postPlain(portal, form(fields(info)))).status).toBe(201);
    expect(await spools()).toBe(0);
  });

  it("cuts a file larger than an upload part into the browser's parts, and it reads back whole", async () => {
    const big = patternedBytes(2 * 8 * MiB + 100_001, M("fileBody")); // three parts, the last short
    const r = await postPlain(portal, form(fields(info), [{ name: "big.bin", type: "application/octet-stream", bytes: big }]));
    expect(r.status).toBe(201);
    const { lookup } = deriveReceiptSecrets(receiptCodeIn(r.html)!);
    const [row] = await portal.services.db
      .select()
      .from(reports)
      .where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
    const decrypted = await decryptReportAsInvestigator(portal.services, row!.id, "inv1@okestro.example", PASSWORD);
    expect(decrypted.files.map((f) => [f.name, f.size])).toEqual([["big.bin", big.length]]);
    expect(Buffer.from(decrypted.files[0]!.bytes).equals(Buffer.from(big))).toBe(true);
    const [a] = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, row!.id));
    expect(a!.ciphertextBytes).toBe(streamCiphertextSize(big.length));
    expect(await readdir(path.join(portal.dataDir, "spool"))).toEqual([]);
  });
});

/**
 * A plain post held open in the middle of a file (after its part headers) until `release()`; then it ends with
 * three bytes of that file and nothing else, so the server refuses it as incomplete (400). `title`: a title field
 * sent first, or none.
 */
function heldFilePost(portal: TestPortal, title: string, headers: Record<string, string> = {}) {
  const boundary = "held-boundary";
  const titlePart = title ? `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${title}\r\n` : "";
  const head = `${titlePart}--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="slow.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
      await held;
      controller.enqueue(new TextEncoder().encode(`abc\r\n--${boundary}--\r\n`));
      controller.close();
    },
  });
  const first = fetch(`${portal.url}/report?lang=en`, {
    method: "POST",
    body,
    duplex: "half",
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, ...headers },
  } as RequestInit);
  return { first, release };
}
