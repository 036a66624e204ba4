// Issue 16, row 3 (reporters): a receipt-guessing storm no longer locks
// reporters out; the proof of work (ADR 032) rises instead, and every kind of
// bad proof is refused. Run by test/security/abuse.test.ts, on both databases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deriveReceiptSecrets, loadSodium, toBase64Url } from "../../../crypto";
import { powSpent } from "../../../db/schema";
import { eq } from "drizzle-orm";
import { PortalSecret } from "../../../app/.server/platform/secrets";
import { ProofOfWork } from "../../../app/.server/pow/pow";
import { openCase } from "../../../app/reporter/followup-client";
import { POW_HEADER, powHeaderValue, type PowAction, type PowChallengeResponse, type PowState } from "../../../app/shared/pow-wire";
import { defaultPowSolver } from "../../../app/shared/pow-client";
import { backends } from "../../support/backends";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { fetchChallenge, solveChallengeResponse, withSolvedPow } from "../../support/pow";
import { submitTextReport } from "../../support/reports";
import { createStaff } from "../../support/staff";
import "../../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const MINUTE = 60_000;

for (const backend of await backends()) {
  describe(`row 3 (reporters): a receipt-guessing storm raises the proof of work instead of refusing reporters, on ${backend}`, () => {
    let portal: TestPortal;
    let receipt: string;

    beforeAll(async () => {
      await loadSodium();
      // Issue 16 measured 2,000 wrong codes from about 200 addresses against a global budget of 2,000; here the
      // budgets are small so the storm stays small: each guess solves a real proof of work.
      portal = await startTestPortal(backend, {
        TRUST_PROXY: "1",
        RECEIPT_MIN_RESPONSE_MS: "0",
        RECEIPT_ATTEMPTS_PER_CLIENT: "3",
        RECEIPT_ATTEMPTS_GLOBAL: "20",
        POW_CLIENT_ACTIONS: "4",
        POW_GLOBAL_ACTIONS: "30",
        POW_WINDOW_MINUTES: "15",
        RECEIPT_LIMIT_WINDOW_MINUTES: "15",
        // The flooding client opens uploads to spend proofs: the upload caps (row 2) are not what is tested here.
        MAX_OPEN_UPLOADS_PER_CLIENT: "100",
      });
      await createStaff(portal, "investigator", "inv@okestro.example");
      receipt = (await submitTextReport(portal.url, { title: "storm", description: "a report made before the storm" })).receiptCode;
    });
    afterAll(async () => {
      await portal?.stop();
    });
    beforeEach(async () => {
      // Each case starts from a quiet portal: no spent challenge counts yet.
      portal.setNow(null);
      await portal.services.db.delete(powSpent);
    });

    const as = (client: string) => ({ "X-Forwarded-For": client });
    const post = (path: string, body: unknown, headers: Record<string, string>) =>
      fetch(`${portal.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
    const newUpload = (headers: Record<string, string>) => post("/api/intake/uploads", { reportId: crypto.randomUUID(), ciphertextBytes: 100 }, headers);
    const code = async (r: Response) => ((await r.json()) as { error?: { code: string } }).error?.code;
    const levelOf = async (client: string, action: PowAction = "upload") => (await fetchChallenge(portal.url, action, as(client))).level;
    /** `n` uploads opened by `client`, each with its own solved proof of work. */
    const spend = async (client: string, n: number) => {
      for (let i = 0; i < n; i++) expect((await newUpload(await withSolvedPow(portal.url, "upload", as(client)))).status).toBe(201);
    };

    it("lets a reporter with a valid code in after a guessing storm from many clients, at a raised difficulty", async () => {
      const wrong = toBase64Url(deriveReceiptSecrets("0000-0000-0000-0000-0000").lookup);
      const clients = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
      const statuses: number[] = [];
      // 60 wrong codes (three times the global budget of 20) from 20 addresses, three each.
      const guess = async (client: string): Promise<Response> => {
        const r = await post("/api/followup/session", { lookup: wrong }, await withSolvedPow(portal.url, "followup-session", as(client)));
        // The storm raised the difficulty while this guess was being solved: a new challenge, as the portal's client does.
        return r.status === 400 && (await code(r.clone())) === "proof_of_work_too_easy" ? guess(client) : r;
      };
      await Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 3; i++) statuses.push((await guess(client)).status);
        }),
      );
      expect(statuses.filter((s) => s === 404)).toHaveLength(60);
      // Everyone now solves a harder challenge: 60 wrong codes over a budget of 20 is two doublings.
      expect(await levelOf("203.0.113.200", "followup-session")).toBeGreaterThanOrEqual(2);
      // The per-client limit stays: a fourth wrong code from one guesser is refused.
      const fourth = await post("/api/followup/session", { lookup: wrong }, await withSolvedPow(portal.url, "followup-session", as(clients[0]!)));
      expect(fourth.status).toBe(429);
      expect(await code(fourth)).toBe("too_many_attempts");

      // The reporter, from an address of their own, opens the case through the portal's client, solving the harder challenge.
      const seen: PowState[] = [];
      const { session, case: c } = await openCase(receipt, {
        baseUrl: portal.url,
        fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...as("203.0.113.7") } }),
        onPow: (state) => seen.push(state),
      });
      expect(c.title).toBe("storm");
      expect(seen.some((s) => s.solving && s.level >= 2)).toBe(true);
      // Posting from the session works too (it solves its own proof for each post).
      await session.sendMessage("still here");
      await session.logout();
    });

    it("refuses missing, malformed, forged, wrong, expired, replayed, misdirected and too-easy proofs with 4xx", async () => {
      const me = as("192.0.2.10");
      // Missing.
      const missing = await newUpload(me);
      expect([missing.status, await code(missing)]).toEqual([428, "proof_of_work_required"]);
      // Malformed.
      for (const junk of ["!!!", Buffer.from("{}").toString("base64"), "A".repeat(5000)]) {
        const r = await newUpload({ ...me, [POW_HEADER]: junk });
        expect([r.status, await code(r)]).toEqual([400, "proof_of_work_invalid"]);
      }
      // Forged: an easier difficulty written into a real challenge breaks its signature.
      const got = await fetchChallenge(portal.url, "upload", me);
      const forged: PowChallengeResponse = {
        ...got,
        challenge: { ...got.challenge, parameters: { ...got.challenge.parameters, data: { ...got.challenge.parameters.data, difficulty: 1 } } },
      };
      const forgedR = await newUpload({ ...me, [POW_HEADER]: await solveChallengeResponse(forged) });
      expect([forgedR.status, await code(forgedR)]).toEqual([400, "proof_of_work_invalid"]);
      // Forged: a challenge signed with another key.
      const otherKey = new ProofOfWork({ ...portal.services, secret: new PortalSecret(Buffer.alloc(32, 7)) });
      const other = await otherKey.challenge(portal.services.pseudonyms.of("192.0.2.10"), "upload");
      const otherR = await newUpload({ ...me, [POW_HEADER]: await solveChallengeResponse(other) });
      expect([otherR.status, await code(otherR)]).toEqual([400, "proof_of_work_invalid"]);
      // Wrong: a derived key that is not the answer's (the key is the proof; the portal checks it with one HMAC).
      const solution = await defaultPowSolver(got.challenge);
      const flipped = (solution.derivedKey[0] === "0" ? "1" : "0") + solution.derivedKey.slice(1);
      const wrongR = await newUpload({ ...me, [POW_HEADER]: powHeaderValue(got.challenge, { counter: solution.counter, derivedKey: flipped }) });
      expect([wrongR.status, await code(wrongR)]).toEqual([400, "proof_of_work_invalid"]);
      // Spent once; replayed: refused.
      const good = { ...me, [POW_HEADER]: powHeaderValue(got.challenge, solution) };
      expect((await newUpload(good)).status).toBe(201);
      const replay = await newUpload(good);
      expect([replay.status, await code(replay)]).toEqual([409, "proof_of_work_used"]);
      // Misdirected: solved for another action, or fetched by another client.
      const forReport = await withSolvedPow(portal.url, "report", me);
      const misAction = await newUpload(forReport);
      expect([misAction.status, await code(misAction)]).toEqual([400, "proof_of_work_expired"]);
      const misClient = await newUpload({ ...(await withSolvedPow(portal.url, "upload", me)), ...as("192.0.2.11") });
      expect([misClient.status, await code(misClient)]).toEqual([400, "proof_of_work_expired"]);
      // Expired: solved, then kept past POW_CHALLENGE_MINUTES (10).
      const late = await withSolvedPow(portal.url, "upload", me);
      portal.setNow(new Date(Date.now() + 11 * MINUTE));
      const expired = await newUpload(late);
      expect([expired.status, await code(expired)]).toEqual([400, "proof_of_work_expired"]);
      portal.setNow(null);
      // Of all these, only the one good proof was spent.
      const mine = await portal.services.db
        .select()
        .from(powSpent)
        .where(eq(powSpent.clientKey, portal.services.pseudonyms.of("192.0.2.10")));
      expect(mine.map((r) => r.action)).toEqual(["upload"]);
      // Too easy: fetched at the normal level, then the same client floods until its level is two doublings up.
      await portal.services.db.delete(powSpent);
      const easy = await withSolvedPow(portal.url, "upload", as("192.0.2.12"));
      await spend("192.0.2.12", 8);
      expect(await levelOf("192.0.2.12")).toBe(2);
      const tooEasy = await newUpload(easy);
      expect([tooEasy.status, await code(tooEasy)]).toEqual([400, "proof_of_work_too_easy"]);
    });

    it("raises the difficulty for a flooding client, then for everyone under a global storm, and lets it fall back", async () => {
      expect(await levelOf("203.0.113.1")).toBe(0);
      // One client over its allowance of 4: one doubling at 4, two at 8; the others are not affected.
      await spend("203.0.113.1", 4);
      expect(await levelOf("203.0.113.1")).toBe(1);
      await spend("203.0.113.1", 4);
      expect(await levelOf("203.0.113.1")).toBe(2);
      expect(await levelOf("203.0.113.2")).toBe(0);
      const before = await fetchChallenge(portal.url, "upload", as("203.0.113.1"));
      expect(before.difficulty).toBe(64 * 4);
      // Everyone together over the global budget of 30: every client, even a new one, works harder.
      await Promise.all(Array.from({ length: 11 }, (_, i) => spend(`203.0.113.${100 + i}`, 2)));
      expect(await levelOf("203.0.113.2")).toBe(1);
      expect(await levelOf("203.0.113.250")).toBe(1);
      expect(await levelOf("203.0.113.1")).toBe(3);
      // The state is in the database: another instance on it (same secret) asks the same, and a restart would too.
      const twin = new ProofOfWork(portal.services);
      expect((await twin.difficulty(portal.services.pseudonyms.of("203.0.113.1"), "upload")).level).toBe(3);
      // A window later, all is back to normal.
      portal.setNow(new Date(Date.now() + 16 * MINUTE));
      expect(await levelOf("203.0.113.1")).toBe(0);
      expect(await levelOf("203.0.113.250")).toBe(0);
      // And the sweep removes what no window needs any more.
      expect(await portal.services.proofOfWork.prune()).toBe(30);
    });
  });
}
