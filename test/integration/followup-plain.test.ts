// The follow-up without JavaScript (`/status/plain`, ADR 044) through the real
// server on PGlite and PostgreSQL, as plain form posts: sign-in with the
// receipt code, wrong and malformed codes and their limit, the investigator's
// message read, the answer encrypted by the server in the browser's format,
// sessions that cannot cross cases, privacy requests, the headers, and no
// plaintext at rest or in the logs.
import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decryptFileMeta,
  decryptMessage,
  decryptPrivacyText,
  deriveReceiptSecrets,
  encryptMessage,
  generateReceiptCode,
  loadSodium,
  newRecordId,
  toBase64Url,
} from "../../crypto";
import { appendMessage } from "../../app/.server/dialogue/dialogue";
import { placesTaken } from "../../app/.server/nojs/multipart";
import { openCase } from "../../app/reporter/followup-client";
import { attachments, messages, powSpent, privacyRequests, reporterSessions, uploads } from "../../db/schema";
import { backends } from "../support/backends";
import { investigatorReportKey } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { postPartlyAndHangUp } from "../support/raw-http";
import { scanDatabase, scanDirectory, scanLines } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const M = (f: string) => `PLAINFU-${f}-4c2a`;

/** The value of the first hidden or text field `name` in a page (the server escapes attribute values). */
function field(html: string, name: string): string | null {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html) ?? new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`).exec(html);
  return m ? m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&") : null;
}

for (const backend of await backends()) {
  describe(`follow-up without JavaScript on ${backend}`, () => {
    let portal: TestPortal;
    let receiptA: string;
    let receiptB: string;
    let reportA: string;

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend, {
        TRUST_PROXY: "1",
        RECEIPT_MIN_RESPONSE_MS: "50",
        RECEIPT_ATTEMPTS_PER_CLIENT_PLAIN: "3",
        NOJS_CONCURRENT_SUBMISSIONS: "1",
      });
      await createStaff(portal, "investigator", "inv@okestro.example");
      const a = await submitTextReport(portal.url, { title: M("titleA"), description: M("bodyA") });
      const b = await submitTextReport(portal.url, { title: M("titleB"), description: M("bodyB"), category: 1 });
      [receiptA, reportA, receiptB] = [a.receiptCode, a.reportId, b.receiptCode];
    });
    afterAll(async () => {
      await portal?.stop();
    });

    /** A form as a browser without scripts posts it, from `client` (the address the portal hashes). */
    const form = (fields: Record<string, string>, client = "203.0.113.1", headers: Record<string, string> = {}) =>
      fetch(`${portal.url}/status/plain?lang=en`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": client, ...headers },
        body: new URLSearchParams(fields).toString(),
      });

    const signIn = async (code: string, client = "203.0.113.1") => {
      const r = await form({ intent: "open", receipt: code }, client);
      const html = await r.text();
      return { status: r.status, html, session: field(html, "session"), headers: r.headers };
    };

    it("shows the sign-in form and says what this path means, with no-store and no referrer", async () => {
      const r = await fetch(`${portal.url}/status/plain?lang=en`);
      expect(r.status).toBe(200);
      expect(r.headers.get("Cache-Control")).toBe("no-store");
      expect(r.headers.get("Referrer-Policy")).toBe("no-referrer");
      const html = await r.text();
      expect(html).toContain('action="/status/plain?lang=en"');
      expect(html).toMatch(/the portal&#x27;s server, which decrypts and encrypts them in its memory/);
      expect(html).toMatch(/For end-to-end encryption.*turn JavaScript on/);
      const ko = await (await fetch(`${portal.url}/status/plain?lang=ko`)).text();
      expect(ko).toContain("종단간 암호화");
      // The scripted page points there only from <noscript>: a browser running scripts never shows the link.
      const status = await (await fetch(`${portal.url}/status?lang=en`)).text();
      expect(status).toMatch(/<noscript>[\s\S]*href="\/status\/plain\?lang=en"[\s\S]*<\/noscript>/);
    });

    it("opens the case with the code and renders it decrypted, with no-store on the answer", async () => {
      const opened = await signIn(receiptA.toLowerCase().replace(/-/g, " "));
      expect(opened.status).toBe(200);
      expect(opened.headers.get("Cache-Control")).toBe("no-store");
      expect(opened.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(opened.html).toContain(M("titleA"));
      expect(opened.html).toContain(M("bodyA"));
      expect(opened.session).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      // The server keeps the token's hash only, as for the scripted path.
      const token = Buffer.from(opened.session!.split(".")[0]!, "base64url");
      const rows = await portal.services.db.select().from(reporterSessions).where(eq(reporterSessions.reportId, reportA));
      const hash = createHash("sha256").update(token).digest();
      expect(rows.filter((r) => Buffer.from(r.tokenHash).equals(hash))).toHaveLength(1);
    });

    it("refuses malformed codes with their reason, without a look-up and without counting them", async () => {
      const client = "198.51.100.20";
      const typo = receiptA.slice(0, 5) + (receiptA[5] === "A" ? "B" : "A") + receiptA.slice(6);
      for (const [code, text] of [
        [typo, /This code has a typo/],
        ["ABC", /A receipt code has 20 characters/],
        ["UUUU-UUUU-UUUU-UUUU-UUUU", /a character that receipt codes never use/],
        ["", /Enter your secret receipt code/],
      ] as const) {
        const r = await signIn(code, client);
        expect(r.status).toBe(400);
        expect(r.html).toMatch(text);
        expect(r.session).toBeNull();
      }
      const rows = await portal.services.db.select().from(powSpent).where(eq(powSpent.action, "followup-session-plain"));
      // Only the one right sign-in before this test made a row (not failed), none of these codes did.
      expect(rows.filter((r) => r.failed)).toHaveLength(0);
    });

    it("answers wrong codes uniformly and refuses a client after the limit, even with the right code, without holding others back", async () => {
      const client = "198.51.100.30";
      for (let i = 0; i < 3; i++) {
        const r = await signIn(generateReceiptCode(), client);
        expect(r.status).toBe(404);
        expect(r.html).toContain("No case matches this secret receipt code");
      }
      const held = await signIn(receiptA, client);
      expect(held.status).toBe(429);
      expect(held.headers.get("Retry-After")).toBe("900");
      expect(held.html).toMatch(/Too many attempts. Please try again in 15 minutes/);
      expect(held.session).toBeNull();
      // While held, a malformed code gets the same refusal (the limit is checked first).
      expect((await signIn("ABC", client)).status).toBe(429);
      // The wrong codes are this path's own count: free to make, they raise neither the scripted path's count of
      // wrong codes nor its proof of work for anyone sharing the pseudonym.
      const failed = await portal.services.db.select().from(powSpent).where(eq(powSpent.failed, true));
      expect(failed.filter((r) => r.action === "followup-session-plain")).toHaveLength(3);
      expect(new Set(failed.map((r) => r.clientKey)).size).toBe(1);
      expect(await portal.services.proofOfWork.failures(failed[0]!.clientKey, "any")).toBe(3);
      expect(await portal.services.proofOfWork.failures(failed[0]!.clientKey)).toBe(0);
      const challenge = (await (await fetch(`${portal.url}/api/pow/challenge?action=followup-session`, { headers: { "X-Forwarded-For": client } })).json()) as {
        level: number;
      };
      expect(challenge.level).toBe(0);
      // Another client signs in at once.
      expect((await signIn(receiptA, "198.51.100.31")).status).toBe(200);
    });

    it("lets no more wrong codes through than the limit when they come at once", async () => {
      const client = "198.51.100.35";
      const answers = await Promise.all(Array.from({ length: 8 }, () => signIn(generateReceiptCode(), client)));
      // Each is written, then counted with the others written so far: at most 3 reach the look-up (fewer if they
      // all count at once), the rest are refused and withdrawn.
      const looked = answers.filter((a) => a.status === 404).length;
      expect(looked).toBeLessThanOrEqual(3);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(8 - looked);
      const rows = await portal.services.db.select().from(powSpent).where(eq(powSpent.failed, true));
      const keys = new Map<string, number>();
      for (const r of rows) keys.set(r.clientKey, (keys.get(r.clientKey) ?? 0) + 1);
      expect(Math.max(...keys.values())).toBeLessThanOrEqual(3);
    });

    it("waits the same floor whether the code is found or not", async () => {
      const t0 = performance.now();
      await signIn(generateReceiptCode(), "198.51.100.40");
      const missMs = performance.now() - t0;
      const t1 = performance.now();
      expect((await signIn(receiptB, "198.51.100.40")).status).toBe(200);
      const hitMs = performance.now() - t1;
      expect(missMs).toBeGreaterThanOrEqual(48);
      expect(hitMs).toBeGreaterThanOrEqual(48);
    });

    it("shows the investigator's message escaped and encrypts the answer into the browser's format, for the same readers", async () => {
      const inv = await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD);
      const qid = newRecordId();
      const question = `${M("question")} <img src=x onerror=alert(1)>`;
      await appendMessage(
        portal.services,
        reportA,
        { id: qid, body: encryptMessage(inv.reportKey, reportA, qid, { author: "investigator", kind: "question", text: question }) },
        { author: "investigator", staffUserId: inv.staffUserId },
      );
      const { session } = await signIn(receiptA);
      const page = await form({ intent: "refresh", session: session! });
      const html = await page.text();
      expect(html).toContain(`${M("question")} &lt;img src=x onerror=alert(1)&gt;`);
      expect(html).not.toContain("<img src=x");
      const id = field(html, "id")!;
      const sent = await form({ intent: "message", session: session!, id, message: `  ${M("answer")}\nline two  ` });
      expect(sent.status).toBe(201);
      const sentHtml = await sent.text();
      expect(sentHtml).toContain("Sent.");
      expect(sentHtml).toContain(M("answer"));
      // The same form posted again (a reload of the answer) stores nothing more.
      expect((await form({ intent: "message", session: session!, id, message: M("answer") })).status).toBe(201);
      const mine = (await portal.services.db.select().from(messages).where(eq(messages.reportId, reportA))).filter((m) => m.author === "reporter");
      expect(mine).toHaveLength(1);
      expect(mine[0]!.id).toBe(id);
      // The investigator opens it with the report key they unsealed, as a browser-made message.
      expect(decryptMessage(inv.reportKey, reportA, id, mine[0]!.bodyCt, "reporter")).toEqual({
        author: "reporter",
        kind: "message",
        text: `${M("answer")}\nline two`,
      });
      // And the reporter's scripted client reads it back with the receipt alone.
      const js = await openCase(receiptA, {
        baseUrl: portal.url,
        fetch: (i, init) => fetch(i, { ...init, headers: { ...(init?.headers as Record<string, string>), "X-Forwarded-For": "198.51.100.50" } }),
      });
      expect(js.case.messages.map((m) => m.text)).toContain(`${M("answer")}\nline two`);
      await js.session.logout();
    });

    it("gives an empty or refused message back with its reason, and keeps what was typed", async () => {
      const { session, html } = await signIn(receiptA);
      const empty = await form({ intent: "message", session: session!, id: field(html, "id")!, message: "   " });
      expect(empty.status).toBe(400);
      expect(await empty.text()).toContain("Write a message before sending.");
      const long = "가".repeat(10_001);
      const tooLong = await form({ intent: "message", session: session!, id: newRecordId(), message: long });
      expect(tooLong.status).toBe(400);
      const text = await tooLong.text();
      expect(text).toContain("longer than 10000 characters");
      expect(text).toContain(long);
    });

    it("does not let a session be used with another case's key, nor after log-out", async () => {
      const a = await signIn(receiptA);
      const wrapB = toBase64Url(deriveReceiptSecrets(receiptB).wrapKey);
      const mixed = `${a.session!.split(".")[0]}.${wrapB}`;
      const before = (await portal.services.db.select().from(messages)).length;
      const r = await form({ intent: "message", session: mixed, id: newRecordId(), message: M("crossed") });
      expect(r.status).toBe(401);
      const html = await r.text();
      expect(html).toContain("does not belong to this case");
      expect(html).not.toContain(M("titleA"));
      expect(html).not.toContain(M("titleB"));
      expect((await portal.services.db.select().from(messages)).length).toBe(before);
      // A made-up or truncated session field is no session.
      expect((await form({ intent: "refresh", session: "x.y" })).status).toBe(401);
      // Log-out ends it on the server: the same page's forms then lead back to the sign-in.
      const out = await form({ intent: "logout", session: a.session! });
      expect(await out.text()).toContain("You have logged out");
      const after = await form({ intent: "refresh", session: a.session! });
      expect(after.status).toBe(401);
      expect(await after.text()).toContain("Your session has ended");
    });

    it("makes a privacy request only after showing what it means, its detail encrypted", async () => {
      const { session } = await signIn(receiptA);
      const noKind = await form({ intent: "privacy", session: session! });
      expect(noKind.status).toBe(400);
      const noDetail = await form({ intent: "privacy", session: session!, privacyKind: "correction", privacyDetail: " " });
      expect(await noDetail.text()).toContain("A correction needs the corrected text");
      const step = await form({ intent: "privacy", session: session!, privacyKind: "correction", privacyDetail: M("correction") });
      const confirm = await step.text();
      expect(confirm).toContain("Before you send: what this request means");
      expect(await portal.services.db.select().from(privacyRequests)).toEqual([]);
      const id = field(confirm, "id")!;
      const hidden = { session: session!, id, privacyKind: field(confirm, "privacyKind")!, privacyDetail: field(confirm, "privacyDetail")! };
      const sent = await form({ intent: "privacy-confirm", ...hidden });
      expect(sent.status).toBe(201);
      expect(await sent.text()).toContain("Your request has been recorded. An answer is due by");
      const [req] = await portal.services.db.select().from(privacyRequests);
      expect(req).toMatchObject({ id, kind: "correction", state: "open" });
      const inv = await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD);
      expect(decryptPrivacyText(inv.reportKey, reportA, id, "request", req!.detailCt!)).toBe(M("correction"));
    });

    /** The files form as a browser sends it: the hidden fields first, then the files (multipart). */
    const filesForm = (session: string, files: { name: string; type: string; bytes: Buffer }[], client = "203.0.113.1") => {
      const body = new FormData();
      body.append("intent", "files");
      body.append("session", session);
      for (const f of files) body.append("attachments", new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
      return fetch(`${portal.url}/status/plain?lang=en`, { method: "POST", headers: { "X-Forwarded-For": client }, body });
    };

    it("adds files encrypted by the server into the browser's format, readable with the receipt and by the investigator", async () => {
      const { session } = await signIn(receiptA);
      const bytes = Buffer.concat([Buffer.from(M("fileBody")), Buffer.alloc(200_000, 7)]);
      const r = await filesForm(session!, [
        { name: `${M("file")}.bin`, type: "application/octet-stream", bytes },
        { name: "empty.txt", type: "text/plain", bytes: Buffer.alloc(0) },
      ]);
      expect(r.status).toBe(201);
      const html = await r.text();
      expect(html).toContain("Added to your case: 2 file(s).");
      expect(html).toContain(`${M("file")}.bin`);
      const inv = await investigatorReportKey(portal.services, reportA, "inv@okestro.example", PASSWORD);
      const rows = await portal.services.db.select().from(attachments).where(eq(attachments.reportId, reportA));
      const byName = (x: { name: string }, y: { name: string }) => (x.name < y.name ? -1 : 1);
      expect(rows.map((a) => decryptFileMeta(inv.reportKey, reportA, a.id, a.metaCt)).sort(byName)).toEqual([
        { name: `${M("file")}.bin`, type: "application/octet-stream", size: bytes.length },
        { name: "empty.txt", type: "text/plain", size: 0 },
      ]);
      // The reporter's scripted client downloads and decrypts it as any other file of the case.
      const js = await openCase(receiptA, {
        baseUrl: portal.url,
        fetch: (i, init) => fetch(i, { ...init, headers: { ...(init?.headers as Record<string, string>), "X-Forwarded-For": "198.51.100.51" } }),
      });
      const entry = js.case.attachments.find((a) => a.name === `${M("file")}.bin`)!;
      const got = await js.session.downloadAttachment(entry.id);
      expect(Buffer.from(await got.blob.arrayBuffer()).equals(bytes)).toBe(true);
      await js.session.logout();
    });

    it("drops the files of a post while another is being received, and says so", async () => {
      const { session } = await signIn(receiptA);
      // A post that stays open after its first bytes of file: it holds the one place (NOJS_CONCURRENT_SUBMISSIONS=1).
      const boundary = "----plainfiles4c2a";
      const head = Buffer.from(
        [
          `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nfiles`,
          `--${boundary}\r\nContent-Disposition: form-data; name="session"\r\n\r\n${session}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\n`,
        ].join("\r\n"),
      );
      let finish!: () => void;
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new Uint8Array(head));
          controller.enqueue(new Uint8Array(Buffer.alloc(100_000, 1)));
          await new Promise<void>((resolve) => (finish = resolve));
          controller.enqueue(new Uint8Array(Buffer.from(`\r\n--${boundary}--\r\n`)));
          controller.close();
        },
      });
      const slow = fetch(`${portal.url}/status/plain?lang=en`, {
        method: "POST",
        headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "X-Forwarded-For": "203.0.113.1" },
        body,
        duplex: "half",
      } as RequestInit);
      const spoolDir = path.join(portal.services.config.paths.data, "spool");
      await expect.poll(async () => (await readdir(spoolDir).catch(() => [])).length, { timeout: 20_000 }).toBe(1);
      const busy = await filesForm(session!, [{ name: "second.txt", type: "text/plain", bytes: Buffer.from("second") }]);
      expect(busy.status).toBe(400);
      const html = await busy.text();
      expect(html).toContain("The portal is encrypting other files right now. Nothing was added");
      expect(html).not.toContain("second.txt");
      finish();
      const done = await slow;
      expect(done.status).toBe(201);
      expect(await done.text()).toContain("Added to your case: 1 file(s).");
      expect(await readdir(spoolDir)).toEqual([]);
    });

    it("frees the place and the spool of a post whose client hangs up partway through a file", async () => {
      const { session } = await signIn(receiptA);
      const boundary = "----hangup4c2a";
      const head = Buffer.from(
        [
          `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nfiles`,
          `--${boundary}\r\nContent-Disposition: form-data; name="session"\r\n\r\n${session}`,
          `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        ].join("\r\n"),
      );
      const spoolDir = path.join(portal.services.config.paths.data, "spool");
      const spools = async () => (await readdir(spoolDir).catch(() => [])).length;
      const uploadsBefore = (await portal.services.db.select().from(uploads)).length;
      await postPartlyAndHangUp(
        portal.url,
        {
          path: "/status/plain?lang=en",
          headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "X-Forwarded-For": "203.0.113.1" },
          body: Buffer.concat([head, Buffer.alloc(300_000, 3)]),
          declaredLength: head.length + 5_000_000,
        },
        async () => (await spools()) === 1 && placesTaken(portal.services, "followup-files") === 1,
      );
      await expect.poll(async () => [await spools(), placesTaken(portal.services, "followup-files")], { timeout: 20_000 }).toEqual([0, 0]);
      const next = await filesForm(session!, [{ name: "after.txt", type: "text/plain", bytes: Buffer.from("after") }]);
      expect(next.status).toBe(201);
      expect((await portal.services.db.select().from(uploads)).length).toBe(uploadsBefore);
    });

    it("refuses a file post with more fields than its form, keeping nothing", async () => {
      const { session } = await signIn(receiptA);
      const uploadsBefore = (await portal.services.db.select().from(uploads)).length;
      const attachedBefore = (await portal.services.db.select().from(attachments).where(eq(attachments.reportId, reportA))).length;
      const body = new FormData();
      body.append("intent", "files");
      body.append("session", session!);
      for (let i = 0; i < 10; i++) body.append(`extra${i}`, "x");
      body.append("attachments", new Blob([new Uint8Array(Buffer.from("padded"))], { type: "text/plain" }), "padded.txt");
      const r = await fetch(`${portal.url}/status/plain?lang=en`, { method: "POST", headers: { "X-Forwarded-For": "203.0.113.1" }, body });
      expect(r.status).toBe(400);
      expect((await portal.services.db.select().from(uploads)).length).toBe(uploadsBefore);
      expect((await portal.services.db.select().from(attachments).where(eq(attachments.reportId, reportA))).length).toBe(attachedBefore);
      expect(await readdir(path.join(portal.services.config.paths.data, "spool")).catch(() => [])).toEqual([]);
    });

    it("reads no file for a post without a valid session", async () => {
      const uploadsBefore = (await portal.services.db.select().from(uploads)).length;
      const wrong = await filesForm("x.y", [{ name: "a.txt", type: "text/plain", bytes: Buffer.from(M("unauth")) }]);
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toContain("Your session has ended");
      expect((await portal.services.db.select().from(uploads)).length).toBe(uploadsBefore);
      expect(await readdir(path.join(portal.services.config.paths.data, "spool")).catch(() => [])).toEqual([]);
    });

    it("takes its own forms only, of bounded size, and a same-origin form's Origin: null", async () => {
      const json = await fetch(`${portal.url}/status/plain`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      expect(json.status).toBe(415);
      const big = await form({ intent: "open", receipt: "x".repeat(300 * 1024) });
      expect(big.status).toBe(413);
      // What a browser sends for a form of this page under `Referrer-Policy: no-referrer`.
      const own = await form({ intent: "open", receipt: "ABC" }, "198.51.100.60", { Origin: "null", "Sec-Fetch-Site": "same-origin" });
      expect(own.status).toBe(400);
      const framed = await form({ intent: "open", receipt: "ABC" }, "198.51.100.60", { Origin: "null" });
      expect(framed.status).toBe(403);
      const crossSite = await form({ intent: "open", receipt: "ABC" }, "198.51.100.60", { Origin: "null", "Sec-Fetch-Site": "cross-site" });
      expect(crossSite.status).toBe(403);
    });

    it("leaves no marker, code or wrap key in the database, the blobs or the logs", async () => {
      const markers = [
        M("titleA"),
        M("bodyA"),
        M("question"),
        M("answer"),
        M("correction"),
        M("crossed"),
        M("file"),
        M("fileBody"),
        M("unauth"),
        receiptA,
        receiptA.replace(/-/g, ""),
      ];
      const wrap = toBase64Url(deriveReceiptSecrets(receiptA).wrapKey);
      expect(await scanDatabase(portal.services, [...markers, wrap])).toEqual([]);
      expect(await scanDirectory(portal.services.config.paths.blobs, markers)).toEqual([]);
      expect(await scanDirectory(portal.services.config.paths.data, markers)).toEqual([]);
      expect(scanLines("logs", portal.logs, [...markers, wrap])).toEqual([]);
    });
  });
}

// The case's attachment cap (MAX_ATTACHMENTS_PER_REPORT × 5) is checked before a file is encrypted and stored: a
// refused file leaves no upload behind (PGlite: the check is the same on both).
describe("files past the case's attachment cap, without JavaScript", () => {
  let portal: TestPortal;
  let receipt: string;
  let reportId: string;

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { MAX_ATTACHMENTS_PER_REPORT: "1", RECEIPT_MIN_RESPONSE_MS: "1" });
    await createStaff(portal, "investigator", "inv@okestro.example");
    ({ receiptCode: receipt, reportId } = await submitTextReport(portal.url, { title: M("capTitle"), description: M("capBody") }));
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("refuses the file over the cap with nothing stored of it", async () => {
    const opened = await fetch(`${portal.url}/status/plain?lang=en`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "open", receipt }).toString(),
    });
    const session = field(await opened.text(), "session")!;
    const post = (name: string) => {
      const body = new FormData();
      body.append("intent", "files");
      body.append("session", session);
      body.append("attachments", new Blob([new Uint8Array(Buffer.from(name))], { type: "text/plain" }), name);
      return fetch(`${portal.url}/status/plain?lang=en`, { method: "POST", body });
    };
    for (let i = 0; i < 5; i++) expect((await post(`f${i}.txt`)).status).toBe(201);
    const blobsBefore = await readdir(portal.services.config.paths.blobs, { recursive: true });
    const refused = await post("over.txt");
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("This case has reached its limit of files (0 added now).");
    expect(await portal.services.db.select().from(uploads)).toEqual([]);
    expect((await portal.services.db.select().from(attachments).where(eq(attachments.reportId, reportId))).length).toBe(5);
    expect(await readdir(portal.services.config.paths.blobs, { recursive: true })).toEqual(blobsBefore);
  });
});
