// Reporter follow-up through the real server on PGlite and PostgreSQL: open the
// case with the receipt, read it, talk with an investigator, add a file, make
// privacy requests, and the bad paths: wrong, malformed and brute-forced codes,
// expired sessions, sessions used against other cases, tampered ciphertext.
import http from "node:http";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decryptMessage,
  decryptPrivacyText,
  deriveReceiptSecrets,
  encryptMessage,
  encryptPrivacyText,
  loadSodium,
  newRecordId,
  toBase64Url,
} from "../../crypto";
import { answerPrivacyRequest, privacyTasksFor } from "../../app/.server/privacy-requests/privacy-requests";
import { appendMessage } from "../../app/.server/dialogue/dialogue";
import { exportCase, openCase, ReceiptFormatError, type FollowupSession } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, IntakeError, submitEncryptedReport, type ReportDraft } from "../../app/reporter/intake-client";
import { messages, privacyRequests, reporterSessions } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile, patternedBytes } from "../support/files";
import { investigatorReportKey } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { powFor, withSolvedPow } from "../support/pow";
import { scanDatabase, scanDirectory, scanLines } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const M = (f: string) => `FOLLOWUP-${f}-b81e`;

function draft(categoryId: string, title: string): ReportDraft {
  return {
    categoryId,
    title,
    body: { description: "what happened", details: "", periodFrom: null, periodTo: null },
    identity: null,
    excludedInvestigators: [],
    consentReport: true,
    consentOptional: true,
    consentAffiliateIdentity: false,
  };
}

/** A POST as a client would send it, with a solved proof of work where the route needs one (test/support/pow.ts). */
async function post(portal: TestPortal, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${portal.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(await powFor(portal.url, path, headers)) },
    body: JSON.stringify(body),
  });
}

for (const backend of await backends()) {
  describe(`follow-up on ${backend}`, () => {
    let portal: TestPortal;
    let receiptA: string;
    let receiptB: string;
    let reportA: string;
    let reportB: string;
    let outsider: string;

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend, { TRUST_PROXY: "1", RECEIPT_MIN_RESPONSE_MS: "50", RECEIPT_ATTEMPTS_PER_CLIENT: "10" });
      await createStaff(portal, "investigator", "inv@okestro.example");
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const a = await submitEncryptedReport(
        draft(info.categories[0]!.id, M("titleA")),
        [memoryFile(`${M("file")}.txt`, "text/plain", Buffer.from(M("fileBody")))],
        info,
        { baseUrl: portal.url },
      );
      const b = await submitEncryptedReport(draft(info.categories[1]!.id, M("titleB")), [], info, { baseUrl: portal.url });
      [receiptA, reportA, receiptB, reportB] = [a.receiptCode, a.reportId, b.receiptCode, b.reportId];
      // An investigator added after both reports holds no envelope for them.
      outsider = (await createStaff(portal, "investigator", "late@okestro.example")).id;
    });
    afterAll(async () => {
      await portal?.stop();
    });

    const open = (code: string, client = "203.0.113.1") =>
      openCase(code, {
        baseUrl: portal.url,
        fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), "X-Forwarded-For": client } }),
      });

    it("opens the case with the receipt and decrypts it in the client", async () => {
      const { session, case: c } = await open(receiptA.toLowerCase().replace(/-/g, " "));
      expect(c.reportId).toBe(reportA);
      expect(c.title).toBe(M("titleA"));
      expect(c.status).toBe("received");
      expect(c.ackDueOn > c.receivedOn).toBe(true);
      expect(c.attachments.map((a) => a.name)).toEqual([`${M("file")}.txt`]);
      const file = await session.downloadAttachment(c.attachments[0]!.id);
      expect(Buffer.from(await file.blob.arrayBuffer()).toString()).toBe(M("fileBody"));
      await session.logout();
    });

    it("catches typos with the check symbol before any request", async () => {
      const before = portal.logs.length;
      const typo = receiptA.slice(0, 5) + (receiptA[5] === "A" ? "B" : "A") + receiptA.slice(6);
      await expect(open(typo)).rejects.toBeInstanceOf(ReceiptFormatError);
      await expect(open("ABC")).rejects.toMatchObject({ problem: "length" });
      await expect(open("UUUU-UUUU-UUUU-UUUU-UUUU")).rejects.toMatchObject({ problem: "character" });
      expect(portal.logs.slice(before).filter((l) => l.includes("/api/followup"))).toEqual([]);
    });

    it("answers a wrong code and a malformed look-up uniformly", async () => {
      const wrong = deriveReceiptSecrets("0000-0000-0000-0000-0000").lookup;
      const r1 = await post(portal, "/api/followup/session", { lookup: toBase64Url(wrong) }, { "X-Forwarded-For": "198.51.100.7" });
      expect(r1.status).toBe(404);
      expect(await r1.json()).toEqual({ error: { code: "not_found", message: "no case matches this receipt code" } });
      const r2 = await post(portal, "/api/followup/session", { lookup: "short" }, { "X-Forwarded-For": "198.51.100.7" });
      expect(r2.status).toBe(400);
      // Found and not found both take at least the configured floor (50 ms here).
      const t0 = performance.now();
      await post(portal, "/api/followup/session", { lookup: toBase64Url(wrong) }, { "X-Forwarded-For": "198.51.100.8" });
      const missMs = performance.now() - t0;
      const t1 = performance.now();
      const hit = await post(
        portal,
        "/api/followup/session",
        { lookup: toBase64Url(deriveReceiptSecrets(receiptB).lookup) },
        { "X-Forwarded-For": "198.51.100.8" },
      );
      const hitMs = performance.now() - t1;
      expect(hit.status).toBe(200);
      expect(missMs).toBeGreaterThanOrEqual(48);
      expect(hitMs).toBeGreaterThanOrEqual(48);
    });

    it("stops brute force per client, and a correct code still works for another client", async () => {
      const attacker = "192.0.2.66";
      const statuses = new Map<number, number>();
      // Each guess spends a proof of work (ADR 032), solved for real at the tests' low difficulty.
      const guesses = 150;
      const inFlight = 30;
      // node:http over kept-alive connections: fetch() costs several times the CPU per request on the
      // client side of the same process, and 100 workers keep a hundred guesses in flight all along.
      const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
      const { hostname, port } = new URL(portal.url);
      const guess = async (n: number): Promise<number> => {
        const status = await guessOnce(n);
        // 400 here is only proof_of_work_too_easy: the attacker's own flood raised its difficulty while it solved,
        // and it asks for a new challenge, as the portal's client does.
        return status === 400 ? guess(n) : status;
      };
      const guessOnce = async (n: number) => {
        const pow = await withSolvedPow(portal.url, "followup-session", { "X-Forwarded-For": attacker });
        return new Promise<number>((resolve, reject) => {
          const lookup = new Uint8Array(32);
          new DataView(lookup.buffer).setUint32(0, n);
          const body = JSON.stringify({ lookup: toBase64Url(lookup) });
          const req = http.request(
            {
              host: hostname,
              port,
              method: "POST",
              path: "/api/followup/session",
              agent,
              headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), ...pow },
            },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
              res.on("error", reject);
            },
          );
          req.on("error", reject);
          req.end(body);
        });
      };
      let next = 0;
      try {
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (next < guesses) {
              const status = await guess(++next);
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
            }
          }),
        );
      } finally {
        agent.destroy();
      }
      // At most the limit is looked up, even with thirty requests in flight at a time (each guess counts before its
      // look-up, so concurrent guesses may use up the allowance sooner, never later).
      const missed = statuses.get(404) ?? 0;
      expect(missed).toBeGreaterThan(0);
      expect(missed).toBeLessThanOrEqual(10);
      expect(Object.fromEntries(statuses)).toEqual({ 404: missed, 429: guesses - missed });
      const limited = await post(
        portal,
        "/api/followup/session",
        { lookup: toBase64Url(deriveReceiptSecrets(receiptA).lookup) },
        { "X-Forwarded-For": attacker },
      );
      expect(limited.status).toBe(429);
      const body = (await limited.json()) as { error: { code: string; message: string; fields: { retryAfterMinutes: string } } };
      expect(body.error.code).toBe("too_many_attempts");
      expect(body.error.message).toMatch(/try again in \d+ minutes/);
      expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
      // The real reporter, elsewhere, is not slowed down.
      const { session } = await open(receiptA, "203.0.113.99");
      await session.logout();
      // Nothing of the attacker's address is kept anywhere.
      expect(await scanDatabase(portal.services, [attacker])).toEqual([]);
      expect(scanLines("logs", portal.logs, [attacker, "203.0.113"])).toEqual([]);
    });

    describe("with an open session", () => {
      let session: FollowupSession;
      let token: string;

      beforeAll(async () => {
        ({ session } = await open(receiptA, "203.0.113.2"));
        token = session.beaconToken!;
      });

      it("exchanges encrypted messages with an investigator, who can ask questions", async () => {
        const inv = await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD);
        const qid = newRecordId();
        await appendMessage(
          portal.services,
          reportA,
          { id: qid, body: encryptMessage(inv.reportKey, reportA, qid, { author: "investigator", kind: "question", text: M("question") }) },
          { author: "investigator", staffUserId: inv.staffUserId },
        );
        let c = await session.refresh();
        expect(c.messages.map((m) => [m.author, m.kind, m.text])).toEqual([["investigator", "question", M("question")]]);
        await session.sendMessage(M("answer"));
        c = await session.refresh();
        expect(c.messages.map((m) => [m.author, m.text])).toEqual([
          ["investigator", M("question")],
          ["reporter", M("answer")],
        ]);
        const rows = await portal.services.db.select().from(messages).where(eq(messages.reportId, reportA));
        const mine = rows.find((r) => r.author === "reporter")!;
        expect(decryptMessage(inv.reportKey, reportA, mine.id, mine.bodyCt, "reporter").text).toBe(M("answer"));
        // The author is authenticated: relabelling a row breaks decryption.
        expect(() => decryptMessage(inv.reportKey, reportA, mine.id, mine.bodyCt, "investigator")).toThrow(/author/);
      });

      it("adds a file to the case", async () => {
        const bytes = patternedBytes(150_000, M("added"));
        await session.addFiles([memoryFile("later.bin", "application/octet-stream", bytes)]);
        const c = await session.refresh();
        const added = c.attachments.find((a) => a.name === "later.bin")!;
        expect(added.source).toBe("reporter");
        const got = await session.downloadAttachment(added.id);
        expect(Buffer.from(await got.blob.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
      });

      it("records privacy requests due in 10 days, and shows the investigators' answers", async () => {
        const correction = await session.requestPrivacy("correction", M("correction"));
        await session.requestPrivacy("deletion", null);
        const c = await session.refresh();
        expect(c.privacyRequests.map((p) => [p.kind, p.state, p.detail])).toEqual(
          expect.arrayContaining([
            ["correction", "open", M("correction")],
            ["deletion", "open", null],
          ]),
        );
        const req = c.privacyRequests.find((p) => p.kind === "correction")!;
        // Both appear as tasks for the investigator who holds the case, soonest due first; not for one without an envelope.
        const tasks = await privacyTasksFor(
          portal.services,
          (await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD)).staffUserId,
        );
        expect(
          tasks
            .filter((t) => t.reportId === reportA)
            .map((t) => t.kind)
            .sort(),
        ).toEqual(["correction", "deletion"]);
        expect(tasks.every((t) => t.dueOn === req.dueOn)).toBe(true);
        expect(await privacyTasksFor(portal.services, outsider)).toEqual([]);
        const days = (Date.parse(req.dueOn) - Date.parse(req.requestedOn)) / 86400_000;
        expect(days).toBe(10);
        expect(correction.dueOn).toBe(req.dueOn);
        const inv = await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD);
        const [row] = await portal.services.db.select().from(privacyRequests).where(eq(privacyRequests.id, req.id));
        expect(decryptPrivacyText(inv.reportKey, reportA, req.id, "request", row!.detailCt!)).toBe(M("correction"));
        await answerPrivacyRequest(
          portal.services,
          reportA,
          req.id,
          inv.staffUserId,
          encryptPrivacyText(inv.reportKey, reportA, req.id, "answer", M("answered")),
        );
        const after = await session.refresh();
        expect(after.privacyRequests.find((p) => p.id === req.id)).toMatchObject({ state: "answered", answer: M("answered") });
        expect(after.updatedOn).toBe(after.privacyRequests.find((p) => p.id === req.id)!.answeredOn);
        const exported = JSON.parse(exportCase(after));
        expect(exported.report.title).toBe(M("titleA"));
        expect(exported.dialogue).toHaveLength(2);
      });

      it("cannot reach another case with this session", async () => {
        const auth = { Authorization: `Bearer ${token}` };
        const other = await portal.services.db.select().from(messages).where(eq(messages.reportId, reportB));
        expect(other).toEqual([]);
        // A message, a privacy request or an attachment id of case B is not reachable from A's session.
        const viewB = await open(receiptB, "203.0.113.3");
        await viewB.session.sendMessage("from B");
        const [msgB] = await portal.services.db.select().from(messages).where(eq(messages.reportId, reportB));
        const reuse = await post(portal, "/api/followup/messages", { id: msgB!.id, body: toBase64Url(msgB!.bodyCt) }, auth);
        expect(reuse.status).toBe(409);
        const c = await session.refresh();
        expect(c.messages.every((m) => m.text !== "from B")).toBe(true);
        const upB = await post(portal, "/api/followup/uploads", { ciphertextBytes: 100 }, { Authorization: `Bearer ${viewB.session.beaconToken}` });
        const { uploadId } = (await upB.json()) as { uploadId: string };
        // Well-formed ciphertexts, so only the ownership check can refuse it.
        const wellFormed = (n: number) => toBase64Url(Uint8Array.of(1, ...new Uint8Array(n - 1)));
        const steal = await post(portal, "/api/followup/attachments", { uploadId, meta: wellFormed(41 + 256), fileKey: wellFormed(89) }, auth);
        expect(steal.status).toBe(400);
        expect(((await steal.json()) as { error: { code: string } }).error.code).toBe("unknown_upload");
        const attachmentOfA = c.attachments[0]!.id;
        const dl = await fetch(`${portal.url}/api/followup/attachments/${attachmentOfA}`, {
          headers: { Authorization: `Bearer ${viewB.session.beaconToken}` },
        });
        expect(dl.status).toBe(404);
        await viewB.session.logout();
      });

      it("serves attachments only as downloads", async () => {
        const c = await session.refresh();
        const r = await fetch(`${portal.url}/api/followup/attachments/${c.attachments[0]!.id}`, { headers: { Authorization: `Bearer ${token}` } });
        expect(r.status).toBe(200);
        expect(r.headers.get("content-disposition")).toMatch(/^attachment;/);
        expect(r.headers.get("x-content-type-options")).toBe("nosniff");
        expect(r.headers.get("content-type")).toBe("application/octet-stream");
        await r.arrayBuffer();
      });

      it("refuses oversized and tampered messages, keeping what was stored", async () => {
        const auth = { Authorization: `Bearer ${token}` };
        const before = await portal.services.db.select().from(messages).where(eq(messages.reportId, reportA));
        const big = await post(portal, "/api/followup/messages", { id: newRecordId(), body: "A".repeat(200_000) }, auth);
        expect(big.status).toBe(413);
        const wrongVersion = await post(
          portal,
          "/api/followup/messages",
          { id: newRecordId(), body: toBase64Url(Uint8Array.of(2, ...new Uint8Array(296))) },
          auth,
        );
        expect(wrongVersion.status).toBe(400);
        expect(((await wrongVersion.json()) as { error: { code: string } }).error.code).toBe("bad_ciphertext");
        // A well-formed but tampered ciphertext is stored (the server cannot tell) and fails to decrypt for readers.
        const id = newRecordId();
        const inv = await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD);
        const good = encryptMessage(inv.reportKey, reportA, id, { author: "reporter", kind: "message", text: "x" });
        good[30]! ^= 1;
        expect((await post(portal, "/api/followup/messages", { id, body: toBase64Url(good) }, auth)).status).toBe(201);
        // It reads as unreadable; the rest of the case still decrypts.
        const shown = await session.refresh();
        expect(shown.messages.find((m) => m.id === id)?.text).toBeNull();
        expect(shown.title).toBe(M("titleA"));
        await portal.services.db.delete(messages).where(eq(messages.id, id));
        const after = await portal.services.db.select().from(messages).where(eq(messages.reportId, reportA));
        expect(after).toEqual(before);
      });

      it("ends at log-out: the token no longer works", async () => {
        await session.logout();
        const r = await fetch(`${portal.url}/api/followup/case`, { headers: { Authorization: `Bearer ${token}` } });
        expect(r.status).toBe(401);
        expect(await portal.services.db.select().from(reporterSessions).where(eq(reporterSessions.reportId, reportA))).toEqual([]);
      });
    });

    it("expires a session after 15 minutes idle", async () => {
      const { session } = await open(receiptB, "203.0.113.4");
      const token = session.beaconToken!;
      portal.setNow(new Date(Date.now() + 16 * 60_000));
      try {
        const r = await fetch(`${portal.url}/api/followup/case`, { headers: { Authorization: `Bearer ${token}` } });
        expect(r.status).toBe(401);
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("session_expired");
      } finally {
        portal.setNow(null);
      }
      await expect(session.refresh()).rejects.toBeInstanceOf(IntakeError);
    });

    it("ends a session from the tab-close beacon", async () => {
      const { session } = await open(receiptB, "203.0.113.5");
      const token = session.beaconToken!;
      const r = await fetch(`${portal.url}/api/followup/session/end`, { method: "POST", body: token, headers: { "Content-Type": "text/plain" } });
      expect(r.status).toBe(204);
      expect((await fetch(`${portal.url}/api/followup/case`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    });

    it("refuses every follow-up route without a session", async () => {
      for (const [method, path] of [
        ["GET", "/api/followup/case"],
        ["POST", "/api/followup/messages"],
        ["POST", "/api/followup/uploads"],
        ["POST", "/api/followup/attachments"],
        ["POST", "/api/followup/privacy-requests"],
        ["GET", `/api/followup/attachments/${reportA}`],
        ["DELETE", "/api/followup/session"],
      ] as const) {
        const r = await fetch(`${portal.url}${path}`, {
          method,
          headers: { "Content-Type": "application/json", Authorization: "Bearer " + "A".repeat(43) },
          body: method === "POST" ? "{}" : undefined,
        });
        expect([path, r.status]).toEqual([path, 401]);
      }
    });

    it("keeps an active reporter's session alive", async () => {
      const { session } = await open(receiptB, "203.0.113.6");
      const at = Date.now();
      try {
        portal.setNow(new Date(at + 10 * 60_000));
        await session.keepAlive();
        portal.setNow(new Date(at + 20 * 60_000));
        await expect(session.refresh()).resolves.toMatchObject({ reportId: reportB });
      } finally {
        portal.setNow(null);
      }
      await session.logout();
    });

    it("treats the same message sent twice at once as one", async () => {
      const { session } = await open(receiptB, "203.0.113.7");
      const inv = await investigatorReportKey(portal.services, reportB, "inv@okestro.example", PASSWORD);
      const id = newRecordId();
      const body = toBase64Url(encryptMessage(inv.reportKey, reportB, id, { author: "reporter", kind: "message", text: "twice" }));
      const results = await Promise.all(
        Array.from({ length: 4 }, () => post(portal, "/api/followup/messages", { id, body }, { Authorization: `Bearer ${session.beaconToken}` })),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(await portal.services.db.select().from(messages).where(eq(messages.id, id))).toHaveLength(1);
      await session.logout();
    });

    it("refuses an oversized log-out beacon without reading it", async () => {
      const r = await fetch(`${portal.url}/api/followup/session/end`, {
        method: "POST",
        body: "x".repeat(1024 * 1024),
        headers: { "Content-Type": "text/plain" },
      });
      expect(r.status).toBe(413);
    });

    it("leaves no marker in the database, the blobs or the logs", async () => {
      const markers = [
        M("titleA"),
        M("question"),
        M("answer"),
        M("correction"),
        M("answered"),
        M("added"),
        M("fileBody"),
        receiptA,
        receiptA.replace(/-/g, ""),
      ];
      expect(await scanDatabase(portal.services, markers)).toEqual([]);
      expect(await scanDirectory(portal.services.config.paths.blobs, markers)).toEqual([]);
      expect(scanLines("logs", portal.logs, markers)).toEqual([]);
    });
  });
}
