// Issue 16, rows 1 and 3 (staff): failed sign-ins slow down the pair of address and client, never lock an
// account or end a session, and known and unknown addresses get the same answers (ADR 030).
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBase64Url } from "../../../crypto";
import { listStaff } from "../../../app/.server/admin/admin";
import { StaffClient } from "../../../app/staff/staff-client";
import { staffNotifications, staffSignInBackoff } from "../../../db/schema";
import { backends } from "../../support/backends";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { createStaff, PASSWORD } from "../../support/staff";
import { cookieFetch, firstSignIn, totpCode, type SignedInStaff } from "../../support/staff-session";

/** A password step with a random authentication key (a wrong password) from a client; no Argon2 in the test. */
async function wrongSignIn(portal: TestPortal, email: string, from: string): Promise<Response> {
  return fetch(`${portal.url}/api/staff/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": from },
    body: JSON.stringify({ email, authKey: toBase64Url(randomBytes(32)) }),
  });
}

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
          await expect(blocked.signIn(INV, PASSWORD)).rejects.toMatchObject({ status: 429, code: "too_many_attempts" });
          expect(await portal.cli("user:unlock", "--email", INV.toUpperCase())).toMatch(/cleared/);
          expect(await blocked.signIn(INV, PASSWORD)).toBe("totp");
        } finally {
          portal.setNow(null);
        }
        await expect(portal.cli("user:unlock")).rejects.toThrow(/--email is required/);
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
