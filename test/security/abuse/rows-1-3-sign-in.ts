// Issue 16, rows 1 and 3 (staff): failed sign-ins slow down the pair of address and client, never lock an
// account or end a session, and known and unknown addresses get the same answers (ADR 030); a solved proof of
// work is the way past a wait, for a staff member who shares the attacker's client (ADR 035).
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64Url } from "../../../crypto";
import { listStaff } from "../../../app/.server/admin/admin";
import { backoffSubject, SECOND_FACTOR } from "../../../app/.server/staff/sign-in-backoff";
import { POW_HEADER, powHeaderValue, type PowState } from "../../../app/shared/pow-wire";
import { recoverWithKey, StaffClient } from "../../../app/staff/staff-client";
import { powSpent, staffNotifications, staffSignInBackoff } from "../../../db/schema";
import { backends } from "../../support/backends";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { createStaff, PASSWORD } from "../../support/staff";
import { fetchChallenge, solveChallengeResponse, withSolvedPow } from "../../support/pow";
import { cookieFetch, firstSignIn, totpCode, type SignedInStaff } from "../../support/staff-session";

/** A password step with a random authentication key (a wrong password) from a client; no Argon2 in the test. */
async function wrongSignIn(portal: TestPortal, email: string, from: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${portal.url}/api/staff/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": from, ...headers },
    body: JSON.stringify({ email, authKey: toBase64Url(randomBytes(32)) }),
  });
}

/** The error body of an answer. */
const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string; proofOfWork?: string } }).error;

async function prelogin(portal: TestPortal, email: string, from: string): Promise<Response> {
  return fetch(`${portal.url}/api/staff/prelogin`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": from },
    body: JSON.stringify({ email }),
  });
}

/** What an answer says: status, body and every header but the date and the CSP nonce (which say only when and which request). */
async function answer(r: Response) {
  const headers = Object.fromEntries(
    [...r.headers].filter(([k]) => k !== "date").map(([k, v]) => [k, k === "content-security-policy" ? v.replace(/'nonce-[^']+'/, "'nonce'") : v]),
  );
  return { status: r.status, body: await r.text(), headers };
}

/** The password and a fresh code (a later time step than any used before), from the member's own client. */
async function signInAgain(portal: TestPortal, email: string, member: SignedInStaff, from: string, at: number): Promise<StaffClient> {
  const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch(from) });
  expect(await c.signIn(email, PASSWORD)).toBe("totp");
  portal.setNow(new Date(at));
  try {
    await c.secondFactor({ code: totpCode(member.totpSecret, at) });
  } finally {
    portal.setNow(null);
  }
  return c;
}

for (const backend of await backends()) {
  describe(`issue 16 on ${backend}`, () => {
    let portal: TestPortal;
    let invId: string;
    let adminId: string;
    const INV = "ethics@okestro.example";
    const ADMIN = "chief@okestro.example";
    const UNKNOWN = "nobody-here@okestro.example";
    const OWN_INV = "203.0.113.10";
    const OWN_ADMIN = "203.0.113.20";

    beforeAll(async () => {
      portal = await startTestPortal(backend, { TRUST_PROXY: "1" });
      invId = (await createStaff(portal, "investigator", INV)).id;
      adminId = (await createStaff(portal, "admin", ADMIN)).id;
    });
    afterAll(async () => {
      await portal?.stop();
    });

    describe("row 1: wrong sign-ins for a known address slow down that address from that client, never lock it (ADR 030)", () => {
      let inv: SignedInStaff;
      let admin: SignedInStaff;

      it("lets the investigator and an administrator sign in from their own client after a storm of wrong sign-ins, and keeps their open sessions", async () => {
        inv = await firstSignIn(portal.url, INV, PASSWORD, OWN_INV);
        admin = await firstSignIn(portal.url, ADMIN, PASSWORD, OWN_ADMIN);
        const statuses = new Set<number>();
        for (const email of [INV, ADMIN]) {
          // Twelve clients, one guess each, and one client guessing twelve times.
          for (let i = 0; i < 12; i++) statuses.add((await wrongSignIn(portal, email, `198.51.100.${i + 1}`)).status);
          portal.setNow(new Date()); // a still clock: that client's wait does not run out between its requests
          try {
            const last: number[] = [];
            for (let i = 0; i < 12; i++) last.push((await wrongSignIn(portal, email, "198.51.100.99")).status);
            expect(last.slice(0, 10)).toEqual(Array(10).fill(401));
            expect(last.at(-1)).toBe(429);
          } finally {
            portal.setNow(null);
          }
        }
        expect([...statuses]).toEqual([401]); // never 423: nothing says the account exists or is locked
        // Their open sessions survive the storm.
        expect((await inv.client.get<{ user: { id: string } }>("/api/staff/me")).user.id).toBe(invId);
        expect((await admin.client.get<{ user: { id: string } }>("/api/staff/me")).user.id).toBe(adminId);
        // And with the right password and code they sign in again from their own client.
        const later = Date.now() + 60_000; // a time step after the enrolment's
        const again = await signInAgain(portal, INV, inv, OWN_INV, later);
        expect(again.keyPair).not.toBeNull();
        expect((await again.get<{ user: { id: string } }>("/api/staff/me")).user.id).toBe(invId);
        const adminAgain = await signInAgain(portal, ADMIN, admin, OWN_ADMIN, later);
        expect((await adminAgain.get<{ user: { id: string } }>("/api/staff/me")).user.id).toBe(adminId);
      });

      it("tells the administrators once for the storm on each account, without naming it in the notice", async () => {
        const notices = await portal.services.db.select().from(staffNotifications).where(eq(staffNotifications.event, "signin_failures"));
        // One administrator; one notice per stormed account, though each got 24 failures.
        expect(notices.map((n) => n.staffUserId)).toEqual([adminId, adminId]);
        expect(notices.map((n) => n.dedupeKey.split(":")[1]).sort()).toEqual([invId, adminId].sort());
        // More failures the same day add none.
        for (let i = 0; i < 3; i++) expect((await wrongSignIn(portal, INV, `198.51.100.${50 + i}`)).status).toBe(401);
        expect(await portal.services.db.select().from(staffNotifications).where(eq(staffNotifications.event, "signin_failures"))).toHaveLength(2);
        // The administrator's list shows it; the staff list says which account.
        const list = await admin.client.get<{ items: { event: string }[] }>("/api/staff/notifications");
        expect(list.items.filter((i) => i.event === "signin_failures")).toHaveLength(2);
        const staff = await listStaff(portal.services);
        expect(staff.find((u) => u.email === INV)!.failedAttempts).toBeGreaterThanOrEqual(23);
      });

      it("answers an unknown and a known address alike: the salt step, a wrong password, and the back-off", async () => {
        const known = await answer(await prelogin(portal, INV, "192.0.2.1"));
        const unknown = await answer(await prelogin(portal, UNKNOWN, "192.0.2.1"));
        expect(unknown.status).toBe(known.status);
        expect(Object.keys(unknown.headers).sort()).toEqual(Object.keys(known.headers).sort());
        const shape = (b: string) =>
          Object.fromEntries(Object.entries(JSON.parse(b) as Record<string, string | number>).map(([k, v]) => [k, typeof v === "string" ? v.length : v]));
        expect(shape(unknown.body)).toEqual(shape(known.body));
        // The password step, and then the wait: the same answers, byte for byte, from two fresh clients.
        portal.setNow(new Date());
        try {
          for (let i = 0; i < 12; i++) {
            const k = await answer(await wrongSignIn(portal, INV, "192.0.2.2"));
            const u = await answer(await wrongSignIn(portal, UNKNOWN, "192.0.2.3"));
            expect(u).toEqual(k);
            expect(k.status).toBe(i < 11 ? 401 : 429);
            if (i === 11) expect(k.headers["retry-after"]).toBe("1");
          }
          // The recovery step waits alike as well.
          const recover = (email: string, from: string) =>
            fetch(`${portal.url}/api/staff/recover`, {
              method: "POST",
              headers: { "Content-Type": "application/json", "X-Forwarded-For": from },
              body: JSON.stringify({ email }),
            }).then(answer);
          expect(await recover(UNKNOWN, "192.0.2.3")).toEqual(await recover(INV, "192.0.2.2"));
        } finally {
          portal.setNow(null);
        }
        // The state of an unknown address is keyed like a known one's: no address in the table.
        const rows = await portal.services.db.select().from(staffSignInBackoff);
        expect(JSON.stringify(rows)).not.toMatch(/okestro|nobody|192\.0\.2/);
      });

      it("keeps the back-off across a restart, and `user:unlock` ends it", async () => {
        const still = new Date();
        portal.setNow(still);
        try {
          for (let i = 0; i < 11; i++) expect((await wrongSignIn(portal, INV, "192.0.2.9")).status).toBe(401);
          expect((await wrongSignIn(portal, INV, "192.0.2.9")).status).toBe(429);
          await portal.restart();
          expect((await wrongSignIn(portal, INV, "192.0.2.9")).status).toBe(429);
          const blocked = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch("192.0.2.9") });
          // (A client that cannot solve the proof of work the 429 offers: ADR 035.)
          const noProof = { solvePow: () => Promise.reject(new Error("no proof of work here")) };
          await expect(blocked.signIn(INV, PASSWORD, noProof)).rejects.toMatchObject({ status: 429, code: "too_many_attempts" });
          expect(await portal.cli("user:unlock", "--email", INV.toUpperCase())).toMatch(/cleared/);
          expect(await blocked.signIn(INV, PASSWORD)).toBe("totp");
        } finally {
          portal.setNow(null);
        }
        await expect(portal.cli("user:unlock")).rejects.toThrow(/--email is required/);
      });
    });

    describe("row 1: a staff member who shares the client of a storm on their own address gets in with proofs of work (ADR 035)", () => {
      const MEMBER = "shared-nat@okestro.example";
      const X = "198.51.100.150"; // one NAT: the attacker and the member
      const as = { "X-Forwarded-For": X };
      let member: SignedInStaff;
      // A still clock two minutes on: no wait runs out between requests, and a TOTP step later than the enrolment's.
      const still = new Date(Date.now() + 120_000);
      const pairFailures = async () => {
        const rows = await portal.services.db
          .select()
          .from(staffSignInBackoff)
          .where(eq(staffSignInBackoff.subject, backoffSubject(portal.services, MEMBER)));
        return rows.filter((r) => r.client !== "*").reduce((n, r) => n + r.failures, 0);
      };

      beforeAll(async () => {
        await createStaff(portal, "investigator", MEMBER);
        member = await firstSignIn(portal.url, MEMBER, PASSWORD, "203.0.113.40");
        portal.setNow(still);
      });
      afterAll(() => portal.setNow(null));

      it("answers the storm's wait with 429 naming the proof of work, lets proof-backed guesses through as failures, and prices them ever higher", async () => {
        for (let i = 0; i < 11; i++) expect((await wrongSignIn(portal, MEMBER, X)).status).toBe(401);
        const refused = await wrongSignIn(portal, MEMBER, X);
        expect(refused.status).toBe(429);
        expect(refused.headers.get("retry-after")).toBe("1");
        expect(await errorOf(refused)).toMatchObject({ code: "too_many_attempts", proofOfWork: "staff-sign-in" });
        expect(await pairFailures()).toBe(11); // the refused attempt is not counted
        // A challenge fetched now, at the storm's first level, kept for later.
        const early = await fetchChallenge(portal.url, "staff-sign-in", as);
        expect(early.level).toBe(1);
        // The attacker pays for each further guess; each is still a failure, and each raises the next price.
        const levels: number[] = [];
        for (let i = 0; i < 9; i++) {
          const got = await fetchChallenge(portal.url, "staff-sign-in", as);
          levels.push(got.level);
          const r = await wrongSignIn(portal, MEMBER, X, { [POW_HEADER]: await solveChallengeResponse(got) });
          expect(r.status).toBe(401);
          expect((await errorOf(r)).code).toBe("invalid_credentials");
        }
        expect(levels).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 8]); // one level per failure, capped at POW_MAX_LEVEL
        expect(await pairFailures()).toBe(20);
        // Without a proof the wait stands, and has grown.
        const waiting = await wrongSignIn(portal, MEMBER, X);
        expect(waiting.status).toBe(429);
        expect(Number(waiting.headers.get("retry-after"))).toBeGreaterThan(60);
        // The early challenge is too easy now.
        const tooEasy = await wrongSignIn(portal, MEMBER, X, { [POW_HEADER]: await solveChallengeResponse(early) });
        expect(tooEasy.status).toBe(400);
        expect((await errorOf(tooEasy)).code).toBe("proof_of_work_too_easy");
        expect(await pairFailures()).toBe(20); // refused proofs cost no failure and no password check
      });

      it("refuses forged, reused, borrowed and misdirected proofs as everywhere else", async () => {
        const got = await fetchChallenge(portal.url, "staff-sign-in", as);
        const solved = await solveChallengeResponse(got);
        const { solution } = JSON.parse(Buffer.from(solved, "base64").toString("utf8")) as { solution: { counter: number; derivedKey: string } };
        // An easier difficulty written into the signed challenge.
        const forged = powHeaderValue(
          { ...got.challenge, parameters: { ...got.challenge.parameters, data: { ...got.challenge.parameters.data, difficulty: 64 } } },
          solution,
        );
        const tries: [Record<string, string>, number, string][] = [
          [{ [POW_HEADER]: forged }, 400, "proof_of_work_invalid"],
          [{ [POW_HEADER]: "not base64 json" }, 400, "proof_of_work_invalid"],
          // Solved by another client, or for another action.
          [
            { [POW_HEADER]: (await withSolvedPow(portal.url, "staff-sign-in", { "X-Forwarded-For": "198.51.100.151" }))[POW_HEADER]! },
            400,
            "proof_of_work_expired",
          ],
          [await withSolvedPow(portal.url, "report", as), 400, "proof_of_work_expired"],
        ];
        for (const [headers, status, code] of tries) {
          const r = await wrongSignIn(portal, MEMBER, X, headers);
          expect([r.status, (await errorOf(r)).code]).toEqual([status, code]);
        }
        expect((await wrongSignIn(portal, MEMBER, X, { [POW_HEADER]: solved })).status).toBe(401);
        const reused = await wrongSignIn(portal, MEMBER, X, { [POW_HEADER]: solved });
        expect([reused.status, (await errorOf(reused)).code]).toEqual([409, "proof_of_work_used"]);
        expect(await pairFailures()).toBe(21);
        // An unknown address in a wait from the same client answers a guess with a proof as the known one does.
        for (let i = 0; i < 11; i++) expect((await wrongSignIn(portal, UNKNOWN, X)).status).toBe(401);
        const withProof = async (email: string) => answer(await wrongSignIn(portal, email, X, await withSolvedPow(portal.url, "staff-sign-in", as)));
        const [k, u] = [await withProof(MEMBER), await withProof(UNKNOWN)];
        expect(u).toEqual(k);
        expect(k.status).toBe(401);
      });

      it("lets the member sign in from the same client: the password past the wait with a proof, the code without one (the storm never reached the second factor), and shows the wait if no proof can be solved", async () => {
        const cannotSolve = { solvePow: () => Promise.reject(new Error("no workers here")) };
        const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch(X) });
        await expect(c.signIn(MEMBER, PASSWORD, cannotSolve)).rejects.toMatchObject({ status: 429, code: "too_many_attempts", proofOfWork: "staff-sign-in" });
        const states: PowState[] = [];
        expect(await c.signIn(MEMBER, PASSWORD, { onPow: (s) => states.push(s) })).toBe("totp");
        expect(states).toEqual([{ solving: true, level: 8 }, { solving: false }]);
        // The pair and the client still wait, but the second factor does not look at them: the code goes in at once,
        // with no proof of work asked or spent.
        expect(await pairFailures()).toBeGreaterThan(20);
        const spent = (await portal.services.db.select().from(powSpent)).length;
        expect((await c.secondFactor({ code: totpCode(member.totpSecret, still.getTime()) })).email).toBe(MEMBER);
        expect((await portal.services.db.select().from(powSpent)).length).toBe(spent);
        expect(c.keyPair).not.toBeNull();
        expect((await c.get<{ user: { email: string } }>("/api/staff/me")).user.email).toBe(MEMBER);
        expect(await pairFailures()).toBe(0); // a complete sign-in forgets the pair
      });

      it("lets the recovery step past the wait with a proof too (both forms)", async () => {
        for (let i = 0; i < 12; i++) await wrongSignIn(portal, MEMBER, X, await withSolvedPow(portal.url, "staff-sign-in", as));
        const recover = async (body: unknown, headers: Record<string, string> = {}) =>
          fetch(`${portal.url}/api/staff/recover`, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...as, ...headers },
            body: JSON.stringify(body),
          });
        const refused = await recover({ email: MEMBER });
        expect([refused.status, (await errorOf(refused)).proofOfWork]).toEqual([429, "staff-sign-in"]);
        expect((await recover({ email: MEMBER }, await withSolvedPow(portal.url, "staff-sign-in", as))).status).toBe(200);
        const before = await pairFailures();
        const wrongKey = {
          email: MEMBER,
          recoveryProof: toBase64Url(randomBytes(32)),
          keys: { kdfSalt: toBase64Url(randomBytes(16)), authKey: toBase64Url(randomBytes(32)), secretKeyWrapped: toBase64Url(randomBytes(89)) },
        };
        expect((await recover(wrongKey)).status).toBe(429);
        const wrong = await recover(wrongKey, await withSolvedPow(portal.url, "staff-sign-in", as));
        expect([wrong.status, (await errorOf(wrong)).code]).toEqual([401, "invalid_recovery"]);
        expect(await pairFailures()).toBe(before + 1);
      });
    });

    describe("row 1: a guesser who has the password is held to the account's own second-factor back-off, which no proof of work goes past (ADR 035)", () => {
      const VICTIM = "known-password@okestro.example";
      const OWN = "203.0.113.50";
      const NEW_PASSWORD = "a new password nobody else has 7";
      const THIEVES = ["198.51.100.170", "198.51.100.171", "198.51.100.172", "198.51.100.173"];
      // A still clock three minutes on: no wait runs out unless the test moves it, and a TOTP step after the enrolment's.
      const still = Date.now() + 180_000;
      let victim: SignedInStaff;
      let victimId: string;
      let recoveryKey: string;
      const thieves: { from: string; fetch: typeof fetch }[] = [];

      /** Six-digit codes none of which the authenticator accepts around `at` (the step before, at and after). */
      const wrongCodes = (n: number, at: number) => {
        const right = new Set([-30_000, 0, 30_000].map((d) => totpCode(victim.totpSecret, at + d)));
        const out: string[] = [];
        for (let i = 0; out.length < n; i++) if (!right.has(String(i).padStart(6, "0"))) out.push(String(i).padStart(6, "0"));
        return out;
      };
      const guess = (f: typeof fetch, code: string, headers: Record<string, string> = {}) =>
        f(`${portal.url}/api/staff/second-factor`, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: JSON.stringify({ code }),
        });
      const codeFailures = async () => {
        const [row] = await portal.services.db
          .select()
          .from(staffSignInBackoff)
          .where(and(eq(staffSignInBackoff.subject, backoffSubject(portal.services, VICTIM)), eq(staffSignInBackoff.client, SECOND_FACTOR)));
        return row?.failures ?? 0;
      };

      beforeAll(async () => {
        const created = await createStaff(portal, "investigator", VICTIM);
        victimId = created.id;
        recoveryKey = /Recovery key[^\n]*\n\s*(\S.*\S)\s*$/m.exec(created.output)![1]!;
        victim = await firstSignIn(portal.url, VICTIM, PASSWORD, OWN);
        portal.setNow(new Date(still));
        // The thief has the password: each of four clients gets a session pending its second factor.
        for (const from of THIEVES) {
          const f = cookieFetch(from);
          expect(await new StaffClient({ baseUrl: portal.url, fetch: f }).signIn(VICTIM, PASSWORD)).toBe("totp");
          thieves.push({ from, fetch: f });
        }
      });
      afterAll(() => portal.setNow(null));

      it("lets the free wrong codes through from every client together, then answers 429 naming no proof of work, even to parallel guesses", async () => {
        const codes = wrongCodes(16, still);
        // Sixteen guesses at once from four clients: the count is taken before the check, so exactly the free ten and
        // the eleventh (the first that earns a wait) get through.
        const answers = await Promise.all(codes.map((code, i) => guess(thieves[i % 4]!.fetch, code)));
        const statuses = answers.map((r) => r.status).sort();
        expect(statuses).toEqual([...Array(11).fill(401), ...Array(5).fill(429)]);
        expect(await codeFailures()).toBe(11);
        const refused = answers.find((r) => r.status === 429)!;
        expect(refused.headers.get("retry-after")).toBe("1");
        const body = await errorOf(refused);
        expect(body.code).toBe("too_many_attempts");
        expect(body).not.toHaveProperty("proofOfWork");
        // A fifth client that signs in with the password meets the same wait: it is the account's, not the client's.
        const fifth = cookieFetch("198.51.100.174");
        expect(await new StaffClient({ baseUrl: portal.url, fetch: fifth }).signIn(VICTIM, PASSWORD)).toBe("totp");
        expect((await guess(fifth, wrongCodes(17, still)[16]!)).status).toBe(429);
      });

      it("ignores a proof of work sent with a guess: the wait stands and the proof is not spent", async () => {
        const thief = thieves[0]!;
        const proof = await withSolvedPow(portal.url, "staff-sign-in", { "X-Forwarded-For": thief.from });
        const r = await guess(thief.fetch, wrongCodes(1, still)[0]!, proof);
        expect(r.status).toBe(429);
        expect(await errorOf(r)).not.toHaveProperty("proofOfWork");
        expect(await codeFailures()).toBe(11);
        // The proof is still good for a step that takes one (here the recovery material), once.
        const recover = () =>
          fetch(`${portal.url}/api/staff/recover`, {
            method: "POST",
            headers: { "Content-Type": "application/json", ...proof },
            body: JSON.stringify({ email: VICTIM }),
          });
        expect((await recover()).status).toBe(200);
        const again = await recover();
        expect([again.status, (await errorOf(again)).code]).toEqual([409, "proof_of_work_used"]);
      });

      it("allows one more guess when the wait has run out, and then a longer wait", async () => {
        const [a, b] = wrongCodes(2, still + 1000);
        portal.setNow(new Date(still + 1000));
        expect((await guess(thieves[1]!.fetch, a!)).status).toBe(401);
        const r = await guess(thieves[2]!.fetch, b!);
        expect([r.status, r.headers.get("retry-after")]).toEqual([429, "2"]);
        expect(await codeFailures()).toBe(12);
      });

      it("refuses the owner's right code during that wait too, and tells the administrators; a recovery-key reset ends it and lets the owner in", async () => {
        const owner = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch(OWN) });
        expect(await owner.signIn(VICTIM, PASSWORD)).toBe("totp");
        const right = { code: totpCode(victim.totpSecret, still + 1000) };
        // The password is known to someone else; nothing here can tell the owner from the thief.
        await expect(owner.secondFactor(right)).rejects.toMatchObject({ status: 429, code: "too_many_attempts" });
        const notices = await portal.services.db.select().from(staffNotifications).where(eq(staffNotifications.event, "signin_failures"));
        expect(notices.some((n) => n.dedupeKey.startsWith(`signin_failures:${victimId}:`))).toBe(true);
        // The recovery key (256 bits, which the thief does not have) changes the password and ends every session, so
        // the wrong codes of whoever had the old one are forgotten.
        await recoverWithKey({ baseUrl: portal.url, fetch: cookieFetch(OWN) }, VICTIM, recoveryKey, NEW_PASSWORD);
        expect(await codeFailures()).toBe(0);
        expect((await guess(thieves[3]!.fetch, wrongCodes(1, still)[0]!)).status).toBe(401); // no pending session left
        const again = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch(OWN) });
        expect(await again.signIn(VICTIM, NEW_PASSWORD)).toBe("totp");
        expect((await again.secondFactor(right)).email).toBe(VICTIM);
      });
    });

    describe("row 3 (staff): wrong staff sign-ins from everywhere cannot stop every staff member signing in", () => {
      it("slows down a client spraying many addresses, while a staff member signs in from another client", async () => {
        portal.setNow(new Date());
        let statuses: number[];
        try {
          statuses = [];
          for (let i = 0; i < 52; i++) statuses.push((await wrongSignIn(portal, `spray-${i}@okestro.example`, "198.51.100.200")).status);
        } finally {
          portal.setNow(null);
        }
        expect(statuses.slice(0, 50)).toEqual(Array(50).fill(401));
        expect(statuses.at(-1)).toBe(429);
        // No count over all clients exists to run out: a staff member elsewhere signs in.
        const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch("203.0.113.30") });
        expect(await c.signIn(INV, PASSWORD)).toBe("totp");
        const sprayer = await portal.services.db.select().from(staffSignInBackoff).where(eq(staffSignInBackoff.subject, "*"));
        expect(Math.max(...sprayer.map((r) => r.failures))).toBe(51); // the refused attempt is not counted
      });
    });
  });
}
