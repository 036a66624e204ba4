/* eslint-disable @typescript-eslint/ban-ts-comment -- the builder is compiled in a release's checkout, against that release's code */
// @ts-nocheck -- compiled inside a release's checkout against that release's code, not against this tree.
//
// Builds the upgrade fixture of one release (docs/RELEASES.md, ADR 026). Run it from a checkout of the
// release, so that every import below is the release's own code (server, CLI, browser clients, crypto,
// test helpers):
//
//   git worktree add /tmp/rel-0.1.0 v0.1.0 && cd /tmp/rel-0.1.0 && npm install && npm run build
//   mkdir -p test/upgrade && cp <this tree>/test/upgrade/build-snapshot.ts test/upgrade/
//   npx tsx test/upgrade/build-snapshot.ts <this tree>/test/upgrade/snapshots/0.1.0
//
// It starts the release's portal on PGlite, makes a small but complete installation through the same
// API calls the browsers make, reads everything back as each party could at that release, checks that
// against what it wrote, and saves the database (a PGlite dumpDataDir tarball), the blob store, the
// staff's secrets and receipt codes (secrets.json) and what each party read (expected.json).
// Written for 0.1.0's API; a later release whose API differs keeps its own adapted copy (see the doc).
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import {
  AttachmentDecryptor,
  decryptBody,
  decryptFileMeta,
  decryptIdentity,
  decryptJson,
  decryptMessage,
  decryptPrivacyText,
  decryptTitle,
  encryptJson,
  encryptMessage,
  encryptPrivacyText,
  fromBase64Url,
  loadSodium,
  newRecordId,
  openEnvelope,
  toBase64Url,
  unwrapFileKey,
} from "../../crypto";
import { fetchShare, fileDecryptor, openShare, sendFeedback, downloadShared } from "../../app/affiliate/share-reader";
import { archivedFileDecryptor, openArchive } from "../../app/admin/archive-reader";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { archiveCase } from "../../app/staff/archive-builder";
import { createShare, replyToFeedback } from "../../app/staff/share-builder";
import { newNotification, notifyReporter } from "../../app/staff/notify-reporter";
import { makeAccountKeys } from "../../app/staff/account-keys";
import { memoryFile } from "../support/files";
import { startTestPortal } from "../support/portal";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn } from "../support/staff-session";

const outDir = path.resolve(process.argv[2] ?? "");
if (!process.argv[2]) throw new Error("usage: tsx test/upgrade/build-snapshot.ts <output directory>");

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const log = (...a: unknown[]) => console.log("[snapshot]", ...a);

/** Every input, so that what the release reads back can be checked against what was written. */
const FILES = {
  a1: { name: "invoice-2026-03.txt", type: "text/plain", bytes: bytes("Invoice 2026-03: 14 units at KRW 2,400,000, approved by nobody.\n") },
  a2: {
    name: "photo.png",
    type: "image/png",
    bytes: new Uint8Array(Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 37) & 0xff))])),
  },
  aReporterLater: { name: "meeting-notes.txt", type: "text/plain", bytes: bytes("회의록: 3월 14일, 계약 조건 변경.\n") },
  aInvestigator: { name: "questions.pdf", type: "application/pdf", bytes: bytes("%PDF-1.4 questions for the reporter\n") },
  c1: { name: "scan.bin", type: "application/octet-stream", bytes: new Uint8Array(Array.from({ length: 70_000 }, (_, i) => (i * 131 + 7) & 0xff)) },
  e1: { name: "ledger.csv", type: "text/csv", bytes: bytes("date,amount\n2026-01-02,100\n") },
  dialogue: { name: "reply.txt", type: "text/plain", bytes: bytes("My reply with the dates you asked for.\n") },
};
const INVESTIGATORS = ["lee", "park", "yoon"];
const mem = (f: { name: string; type: string; bytes: Uint8Array }) => memoryFile(f.name, f.type, f.bytes);

async function main() {
  await loadSodium();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const builtAt = new Date();
  const portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0", NOTIFY_INTERVAL_MINUTES: "0" });
  const staff: Record<
    string,
    { email: string; password: string; role: string; id: string; affiliate?: string; totpSecret?: string; recoveryCodes?: string[] }
  > = {};
  const make = async (key: string, role: "admin" | "investigator" | "affiliate", email: string, extra: string[]) => {
    const { id } = await createStaff(portal, role, email, extra);
    staff[key] = { email, password: PASSWORD, role, id, ...(role === "affiliate" ? { affiliate: extra[1] } : {}) };
  };
  await make("lee", "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
  await make("park", "investigator", "park@okestro.example", ["--name", "Park Investigator"]);
  await make("admin", "admin", "admin@okestro.example", ["--name", "Admin One"]);
  await make("admin2", "admin", "admin2@okestro.example", ["--name", "Admin Two"]);
  await make("cloud", "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", "Cloud Reviewer"]);
  await make("agi", "affiliate", "agi@okestro.example", ["--affiliate", "agi", "--name", "AGI Reviewer"]);
  const signedIn: Record<string, Awaited<ReturnType<typeof firstSignIn>>> = {};
  for (const [key, s] of Object.entries(staff)) {
    signedIn[key] = await firstSignIn(portal.url, s.email, s.password);
    s.totpSecret = signedIn[key].totpSecret;
    s.recoveryCodes = signedIn[key].recoveryCodes;
  }
  // Yoon: invited by an administrator; the keys were made by the release's browser code (ADR 010), not the CLI.
  {
    const email = "yoon@okestro.example";
    const inv = await signedIn.admin!.client.post("/api/staff/invitations", { email, role: "investigator", displayName: "Yoon Invited" });
    const id = newRecordId();
    const { material, recoveryKey } = await makeAccountKeys(id, PASSWORD);
    const r = await fetch(`${portal.url}/api/staff/activate/${inv.path.split("/").pop()}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ accounts: [{ id, email, displayName: "Yoon Invited", role: "investigator", keys: material }] }),
    });
    if (r.status !== 201) throw new Error(`activation answered ${r.status}: ${await r.text()}`);
    signedIn.yoon = await firstSignIn(portal.url, email, PASSWORD);
    const { totpSecret, recoveryCodes } = signedIn.yoon;
    staff.yoon = { email, password: PASSWORD, role: "investigator", id, totpSecret, recoveryCodes, recoveryKey };
  }
  const lee = signedIn.lee!.client;
  const park = signedIn.park!.client;
  log("staff signed in");

  const info = await fetchIntakeInfo({ baseUrl: portal.url });
  const inputs: Record<string, { title: string; body: object; identity: object | null; files: (keyof typeof FILES)[]; excluded: string[] }> = {
    A: {
      title: "Procurement kickbacks in the March tender",
      body: {
        description: "The tender of March was awarded after a payment to the manager.",
        details: "Witnessed at the 14 March meeting.",
        periodFrom: "2026-03-01",
        periodTo: "2026-03-31",
      },
      identity: { name: "홍길동", email: "reporter-a@example.org", phone: "010-1234-5678" },
      files: ["a1", "a2"],
      excluded: [],
    },
    B: {
      title: "Overtime records altered",
      body: { description: "Timesheets of the night shift were edited after approval.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      files: [],
      excluded: ["park"],
    },
    C: {
      title: "Safety inspection skipped (held)",
      body: { description: "The quarterly inspection was signed without a visit.", details: "Scan attached.", periodFrom: "2026-01-01", periodTo: null },
      identity: null,
      files: ["c1"],
      excluded: [],
    },
    D: {
      title: "Expense claims doubled (closed)",
      body: { description: "Claims were filed twice under two cost centres.", details: "", periodFrom: null, periodTo: null },
      identity: { name: "Anon Kim", email: null, phone: null },
      files: [],
      excluded: ["yoon"],
    },
    E: {
      title: "Ledger manipulation (archived)",
      body: {
        description: "Year-end ledger entries were moved to the next year.",
        details: "Ledger attached.",
        periodFrom: "2025-12-01",
        periodTo: "2026-01-31",
      },
      identity: { name: "Reporter E", email: "e@example.org", phone: null },
      files: ["e1"],
      excluded: [],
    },
    F: {
      title: "새 신고: 아직 접수 상태",
      body: { description: "아직 아무도 읽지 않은 신고입니다.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      files: [],
      excluded: ["lee"],
    },
  };
  const made: Record<string, { reportId: string; caseNumber: string; receipt: string }> = {};
  for (const [key, r] of Object.entries(inputs)) {
    const res = await submitEncryptedReport(
      {
        categoryId: info.categories[Object.keys(made).length % info.categories.length]!.id,
        title: r.title,
        body: r.body,
        identity: r.identity,
        excludedInvestigators: r.excluded.map((k) => staff[k]!.id),
        consentReport: true,
        consentOptional: key !== "B",
        consentAffiliateIdentity: key === "A",
      },
      r.files.map((f) => mem(FILES[f])),
      info,
      { baseUrl: portal.url },
    );
    made[key] = { reportId: res.reportId, caseNumber: res.caseNumber, receipt: res.receiptCode };
  }
  log(
    "reports submitted",
    Object.values(made)
      .map((m) => m.caseNumber)
      .join(" "),
  );

  const keysOf = async (key: string, who = "lee") => (await caseForSharing(portal, made[key]!.reportId, staff[who]!.id, signedIn[who]!.client.keyPair!)).keys;
  const message = async (client, key: string, kind: "message" | "question", text: string) => {
    const id = newRecordId();
    const { reportKey } = await keysOf(key, client === park ? "park" : "lee");
    await client.caseOp(made[key]!.reportId, "messages", {
      id,
      body: toBase64Url(encryptMessage(reportKey, made[key]!.reportId, id, { author: "investigator", kind, text })),
    });
  };
  const note = async (client, key: string, text: string) => {
    const id = newRecordId();
    const { caseKey } = await keysOf(key, client === park ? "park" : "lee");
    await client.caseOp(made[key]!.reportId, "notes", {
      id,
      body: toBase64Url(encryptJson(caseKey, { purpose: "note", id: made[key]!.reportId, subId: id }, { text })),
    });
  };
  const labels = async (key: string, list: string[]) => {
    const { caseKey } = await keysOf(key);
    await lee.caseOp(made[key]!.reportId, "labels", { labels: toBase64Url(encryptJson(caseKey, { purpose: "labels", id: made[key]!.reportId }, list)) });
  };
  const status = (key: string, to: string) => lee.caseOp(made[key]!.reportId, "status", { to });
  const close = async (key: string, summary: string) => {
    const id = newRecordId();
    const { reportKey } = await keysOf(key);
    await lee.caseOp(made[key]!.reportId, "status", {
      to: "closed",
      outcome: "substantiated",
      summary: { id, body: toBase64Url(encryptMessage(reportKey, made[key]!.reportId, id, { author: "investigator", kind: "message", text: summary })) },
    });
  };
  const view = (key: string, client = lee) => client.get(`/api/staff/cases/${made[key]!.reportId}/view`);

  // A: the dialogue both ways with files, notes by two investigators, labels, assignment, investigating, shares.
  {
    const rep = await openCase(made.A!.receipt, { baseUrl: portal.url });
    await rep.session.sendMessage("I can add the meeting notes if that helps.");
    await status("A", "acknowledged");
    await message(lee, "A", "question", "Who else attended the 14 March meeting?");
    await lee.addFiles(made.A!.reportId, (await keysOf("A")).reportKey, [mem(FILES.aInvestigator)]);
    await rep.session.sendMessage("The head of purchasing and two suppliers.");
    await rep.session.addFiles([mem(FILES.aReporterLater), mem(FILES.dialogue)]);
    await message(park, "A", "message", "Thank you, we are looking into it.");
    await note(lee, "A", "Cross-check the supplier list with finance.");
    await note(park, "A", "Supplier B also appears in the 2025 audit.");
    await labels("A", ["procurement", "priority-review", "공급업체"]);
    await lee.caseOp(made.A!.reportId, "priority", { priority: "high" });
    await lee.caseOp(made.A!.reportId, "assign", { assigneeId: staff.park!.id });
    await status("A", "in_review");
    await status("A", "investigating");
    // Update e-mails: the wish lives inside the encrypted identity; one notification is attempted (no SMTP here).
    await rep.session.setEmailUpdates(true, "ko");
    await rep.session.logout();
    const identity = decryptIdentity((await keysOf("A")).reportKey, made.A!.reportId, fromBase64Url((await view("A")).identity));
    const sent = await notifyReporter(lee, made.A!.reportId, identity, newNotification("message"))?.catch((e) => ({ error: String(e) }));
    log("reporter notification", sent);
    const c = await caseForSharing(portal, made.A!.reportId, staff.lee!.id, lee.keyPair!);
    const cloudShare = await createShare(lee, c.ref, c.keys, {
      affiliate: "cloud",
      purpose: "fact_finding",
      purposeNote: "Supplier contracts",
      retainUntil: null,
      fields: { title: c.title, description: c.body.description, name: c.identity!.name },
      redacted: [],
      files: c.files.filter((f) => f.name === FILES.a1.name),
    });
    const agiShare = await createShare(lee, c.ref, c.keys, {
      affiliate: "agi",
      purpose: "fact_finding",
      purposeNote: null,
      retainUntil: null,
      fields: { title: c.title },
      redacted: [],
      files: [],
    });
    const opened = openShare(await fetchShare(signedIn.cloud!.client, cloudShare.shareId), signedIn.cloud!.client.keyPair!);
    await sendFeedback(signedIn.cloud!.client, opened, "We hold the contracts for 2026; nothing for 2025.");
    const shares = await lee.get(`/api/staff/cases/${made.A!.reportId}/shares`);
    await replyToFeedback(
      lee,
      made.A!.reportId,
      c.keys,
      shares.shares.find((s) => s.id === cloudShare.shareId),
      "Thank you, the 2026 contracts are enough.",
    );
    // The AGI reviewer read its share before it was revoked.
    openShare(await fetchShare(signedIn.agi!.client, agiShare.shareId), signedIn.agi!.client.keyPair!);
    await lee.caseOp(made.A!.reportId, "share-revoke", { shareId: agiShare.shareId });
  }
  // B: excluded Park; in review; privacy requests answered and open.
  {
    await status("B", "acknowledged");
    await message(lee, "B", "message", "We have received your report.");
    await note(lee, "B", "HR export requested.");
    await labels("B", ["hr"]);
    await lee.caseOp(made.B!.reportId, "assign", { assigneeId: staff.lee!.id });
    await status("B", "in_review");
    const rep = await openCase(made.B!.receipt, { baseUrl: portal.url });
    await rep.session.requestPrivacy("access", "Please tell me what you hold about me.");
    await rep.session.requestPrivacy("correction", "The night shift was in April, not March.");
    await rep.session.requestPrivacy("suspension", null);
    await rep.session.logout();
    const { reportKey } = await keysOf("B");
    const v = await view("B");
    for (const p of v.privacyRequests.filter((p) => p.kind !== "correction")) {
      await lee.caseOp(made.B!.reportId, "privacy-answer", {
        requestId: p.id,
        answer: toBase64Url(encryptPrivacyText(reportKey, made.B!.reportId, p.id, "answer", `Answer to the ${p.kind} request.`)),
      });
    }
  }
  // C: a legal hold; a deletion request refused because of it; the case stays received.
  {
    await lee.caseOp(made.C!.reportId, "holds", { reason: "litigation" });
    const rep = await openCase(made.C!.receipt, { baseUrl: portal.url });
    await rep.session.requestPrivacy("deletion", "Please delete my report.");
    await rep.session.logout();
    const v = await view("C");
    const req = v.privacyRequests.find((p) => p.kind === "deletion");
    const r = await lee.caseOp(made.C!.reportId, "privacy-deletion", { requestId: req.id, decision: "grant" });
    if (r.outcome !== "refused") throw new Error(`deletion under a hold: ${JSON.stringify(r)}`);
  }
  // D: closed with an outcome and a summary. E: closed, then archived for the administrators.
  for (const key of ["D", "E"]) {
    await status(key, "acknowledged");
    await note(lee, key, `Closing note for ${key}.`);
    await close(key, `Summary for ${key}: the report was substantiated.`);
  }
  // Staff notifications: Park on a daily digest, Lee has read some of his.
  await park.post("/api/staff/notification-prefs", { mode: "digest" });
  const mine = await lee.get("/api/staff/notifications");
  const items = mine.items ?? mine;
  await lee.post("/api/staff/notifications/read", { ids: items.slice(0, 2).map((i) => i.id) });
  // F: acknowledged by Park, the one investigator Lee's exclusion leaves.
  await park.caseOp(made.F!.reportId, "status", { to: "acknowledged" });
  const archived = await archiveCase(lee, await view("E"), await keysOf("E"), null, "national_tax");
  log("cases handled; archive", archived);

  // What each party reads at this release, by the release's own browser code.
  const expected = { release: "0.1.0", builtAt: builtAt.toISOString(), investigators: {}, receipts: {}, affiliates: {}, admins: {} };
  for (const key of INVESTIGATORS) expected.investigators[key] = await readAsInvestigator(signedIn[key]!.client);
  for (const [key, m] of Object.entries(made)) if (key !== "E") expected.receipts[m.receipt] = await readAsReporter(portal.url, m.receipt);
  for (const key of ["cloud", "agi"]) expected.affiliates[key] = await readAsAffiliate(signedIn[key]!.client);
  for (const key of ["admin", "admin2"]) expected.admins[key] = await readArchives(signedIn[key]!.client);
  log("notifications job", await portal.cli("notify:run"));

  checkAgainstInputs(expected, inputs, made);
  const audit = await portal.cli("audit:verify");
  log("audit", audit.trim());

  // Row counts, so the upgrade test sees a migration that drops rows.
  const rows = (r) => r.rows ?? r;
  const tables = rows(
    await portal.services.db.execute(
      sql`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    ),
  );
  expected.tables = {};
  // Unused setup links die at every start (ensureSetupLink), so they are not counted.
  const where = (t: string) => (t === "staff_invitations" ? " where not (kind = 'setup' and used_at is null)" : "");
  for (const { t } of tables) expected.tables[t] = Number(rows(await portal.services.db.execute(sql.raw(`select count(*) as n from "${t}"${where(t)}`)))[0].n);
  await portal.close();
  // The database as PGlite's own dump of its data directory, and the blob store as a tarball.
  const db = new PGlite(path.join(portal.dataDir, "pgdata"));
  await db.query("checkpoint");
  const dump = await db.dumpDataDir("gzip");
  await db.close();
  await writeFile(path.join(outDir, "pgdata.tar.gz"), Buffer.from(await dump.arrayBuffer()));
  const rest = (await readdir(portal.dataDir)).filter((n) => n !== "pgdata" && !n.startsWith("pw-"));
  execFileSync("tar", ["-czf", path.join(outDir, "data.tar.gz"), "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "-C", portal.dataDir, ...rest]);
  await rm(portal.dataDir, { recursive: true, force: true });

  const secrets = {
    release: "0.1.0",
    builtAt: builtAt.toISOString(),
    staff,
    cases: Object.fromEntries(Object.entries(made).map(([k, m]) => [k, { ...m, archived: k === "E" }])),
    archive: archived,
  };
  await writeFile(path.join(outDir, "secrets.json"), JSON.stringify(secrets, null, 2) + "\n");
  await writeFile(path.join(outDir, "expected.json"), JSON.stringify(expected, null, 2) + "\n");
  log("written to", outDir, "data dir entries:", rest.join(", "));
}

async function download(r: Response, decryptor: AttachmentDecryptor) {
  if (!r.ok) throw new Error(`download failed: ${r.status}`);
  return sha256(Buffer.concat([...decryptor.push(new Uint8Array(await r.arrayBuffer())), ...decryptor.finish()]));
}

/** As the release's staff case page decrypts a case (app/components/staff-case.tsx), files downloaded. */
async function readAsInvestigator(client) {
  const inbox = await client.get("/api/staff/cases");
  const out = {};
  for (const row of inbox.rows) {
    const id = row.id;
    const v = await client.get(`/api/staff/cases/${id}/view`);
    const keys = openEnvelope(fromBase64Url(v.envelope), id, client.keyPair);
    const rk = keys.reportKey;
    const files = [];
    for (const a of v.attachments) {
      const meta = decryptFileMeta(rk, id, a.id, fromBase64Url(a.meta));
      const decryptor = new AttachmentDecryptor(unwrapFileKey(rk, id, a.id, fromBase64Url(a.fileKey)), { reportId: id, attachmentId: a.id });
      files.push({ id: a.id, source: a.source, ...meta, sha256: await download(await client.raw(`/api/staff/cases/${id}/attachments/${a.id}`), decryptor) });
    }
    out[v.caseNumber] = {
      reportId: id,
      status: v.status,
      outcome: v.outcome,
      priority: v.priority,
      assigneeId: v.assigneeId,
      title: decryptTitle(rk, id, fromBase64Url(v.title)),
      body: decryptBody(rk, id, fromBase64Url(v.body)),
      identity: v.identity ? decryptIdentity(rk, id, fromBase64Url(v.identity)) : null,
      labels: v.labels ? decryptJson(keys.caseKey, { purpose: "labels", id }, fromBase64Url(v.labels)) : [],
      notes: v.notes.map((n) => ({
        id: n.id,
        staffUserId: n.staffUserId,
        ...decryptJson(keys.caseKey, { purpose: "note", id, subId: n.id }, fromBase64Url(n.body)),
      })),
      messages: v.messages.map((m) => ({ id: m.id, seq: m.seq, ...decryptMessage(rk, id, m.id, fromBase64Url(m.body), m.author) })),
      attachments: files,
      privacyRequests: v.privacyRequests.map((p) => ({
        id: p.id,
        kind: p.kind,
        state: p.state,
        outcome: p.outcome ?? null,
        detail: p.detail ? decryptPrivacyText(rk, id, p.id, "request", fromBase64Url(p.detail)) : null,
        answer: p.answer ? decryptPrivacyText(rk, id, p.id, "answer", fromBase64Url(p.answer)) : null,
      })),
      holds: (v.holds ?? []).map((h) => ({ reason: h.reason, lifted: Boolean(h.liftedOn) })),
    };
  }
  return out;
}

/** As the release's follow-up page reads a case with its receipt code. */
async function readAsReporter(baseUrl: string, receipt: string) {
  const { session, case: c } = await openCase(receipt, { baseUrl });
  const files = [];
  for (const a of c.attachments) {
    const f = await session.downloadAttachment(a.id);
    files.push({ id: a.id, source: a.source, name: a.name, type: a.type, size: a.size, sha256: sha256(new Uint8Array(await f.blob.arrayBuffer())) });
  }
  await session.logout();
  return {
    reportId: c.reportId,
    caseNumber: c.caseNumber,
    status: c.status,
    title: c.title,
    body: c.body,
    identity: c.identity,
    messages: c.messages.map((m) => ({ id: m.id, author: m.author, kind: m.kind, text: m.text })),
    attachments: files,
    privacyRequests: c.privacyRequests.map((p) => ({ kind: p.kind, state: p.state, detail: p.detail, answer: p.answer, outcome: p.outcome ?? null })),
  };
}

/** As the release's affiliate share page reads each share this reviewer holds a key for. */
async function readAsAffiliate(client) {
  const list = await client.get("/api/affiliate/shares");
  const out = {};
  for (const s of list) {
    const opened = openShare(await fetchShare(client, s.id), client.keyPair);
    const files = [];
    for (const f of opened.pkg.files) files.push({ ...f, sha256: await download(await downloadShared(client, s.id, f.id), fileDecryptor(opened, f.id)) });
    const { feedbackKey: _fk, ...pkg } = opened.pkg;
    out[s.id] = { caseNumber: s.caseNumber, pkg: { ...pkg, files }, feedback: opened.feedback.map((f) => ({ id: f.id, author: f.author, text: f.text })) };
  }
  return out;
}

/** As the release's archive page reads each archive, files included. */
async function readArchives(client) {
  const list = await client.get("/api/admin/archives");
  const out = {};
  for (const a of list) {
    const wire = await client.get(`/api/admin/archives/${a.id}`);
    const pkg = openArchive(wire, client.keyPair);
    const files = {};
    for (const f of wire.files)
      files[f.id] = await download(await client.raw(`/api/admin/archives/${a.id}/files/${f.id}`), archivedFileDecryptor(wire, pkg, client.keyPair, f.id));
    out[a.caseNumber] = { archiveId: a.id, retainUntil: a.retainUntil ?? null, pkg, files };
  }
  return out;
}

/** The fixture is only worth keeping if the release read back exactly what it was given. */
function checkAgainstInputs(expected, inputs, made) {
  const fail = (what: string) => {
    throw new Error(`release read-back differs from the input: ${what}`);
  };
  const eq = (a: unknown, b: unknown, what: string) => JSON.stringify(a) === JSON.stringify(b) || fail(`${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  for (const [key, input] of Object.entries(inputs)) {
    const m = made[key];
    const readers = INVESTIGATORS.filter((who) => !input.excluded.includes(who));
    for (const who of INVESTIGATORS) {
      const c = expected.investigators[who][m.caseNumber];
      if (key === "E" || !readers.includes(who)) {
        if (c) fail(`${who} reads ${key}`);
        continue;
      }
      if (!c) fail(`${who} cannot read ${key}`);
      eq(c.title, input.title, `${who} ${key} title`);
      eq(c.body, input.body, `${who} ${key} body`);
      eq(c.identity, key === "A" ? { ...input.identity, notify: { email: true, language: "ko" } } : input.identity, `${who} ${key} identity`);
      for (const f of input.files)
        if (!c.attachments.some((a) => a.name === FILES[f].name && a.sha256 === sha256(FILES[f].bytes))) fail(`${who} ${key} file ${f}`);
    }
    if (key !== "E") eq(expected.receipts[m.receipt].title, input.title, `receipt ${key}`);
  }
  const a = expected.investigators.lee[made.A.caseNumber];
  for (const f of ["aReporterLater", "dialogue", "aInvestigator"])
    if (!a.attachments.some((x) => x.sha256 === sha256(FILES[f].bytes))) fail(`A dialogue file ${f}`);
  eq(a.notes.length, 2, "A notes");
  eq(a.labels, ["procurement", "priority-review", "공급업체"], "A labels");
  const cloud = Object.values(expected.affiliates.cloud);
  eq(cloud.length, 1, "cloud shares");
  eq(cloud[0].pkg.fields.name, inputs.A.identity.name, "cloud share name");
  eq(
    cloud[0].pkg.files.map((f) => f.sha256),
    [sha256(FILES.a1.bytes)],
    "cloud share file",
  );
  eq(Object.keys(expected.affiliates.agi).length, 0, "agi shares after revocation");
  for (const who of ["admin", "admin2"]) {
    const e = expected.admins[who][made.E.caseNumber];
    if (!e) fail(`${who} cannot read the archive`);
    eq(e.pkg.title, inputs.E.title, `${who} archive title`);
    eq(Object.values(e.files), [sha256(FILES.e1.bytes)], `${who} archive file`);
  }
  const statuses = new Set([...Object.values(expected.investigators.lee), ...Object.values(expected.investigators.park)].map((c) => c.status));
  for (const s of ["received", "acknowledged", "in_review", "investigating", "closed"]) if (!statuses.has(s)) fail(`no case in status ${s}`);
}

await main();
process.exit(0);
