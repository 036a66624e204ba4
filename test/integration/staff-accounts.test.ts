// Staff accounts through the real server on PGlite and PostgreSQL: the
// first-run setup link, invitations and activation with keys made by the same
// code the browser runs, administration (sign-in back-off, sessions, disabling), password
// change and recovery with the recovery key.
import { writeFile } from "node:fs/promises";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium, newRecordId, toBase64Url } from "../../crypto";
import { parseRecoveryKey, recoveryProof } from "../../crypto/staff";
import { makeAccountKeys } from "../../app/staff/account-keys";
import { recoverWithKey, StaffClient } from "../../app/staff/staff-client";
import { staffUsers } from "../../db/schema";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { PASSWORD } from "../support/staff";
import { cookieFetch, firstSignIn, totpCode, type SignedInStaff } from "../support/staff-session";

const NEW_PASSWORD = "lantern orchard velvet compass";
const post = (portal: TestPortal, path: string, body: unknown) =>
  fetch(`${portal.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

async function account(email: string, role: "admin" | "investigator" | "affiliate") {
  const id = newRecordId();
  const { material, recoveryKey } = await makeAccountKeys(id, PASSWORD);
  return { account: { id, email, displayName: email.split("@")[0]!, role, keys: material }, recoveryKey };
}

function setupToken(portal: TestPortal): string {
  const line = portal.logs.find((l) => l.includes("setupLink"));
  if (!line) throw new Error("no setup link was printed");
  return new URL(JSON.parse(line).setupLink as string).pathname.split("/").pop()!;
}

for (const backend of await backends()) {
  describe(`staff accounts on ${backend}`, () => {
    let portal: TestPortal;
    let admin: SignedInStaff;
    let invited: SignedInStaff;
    let firstRecoveryKey: string;

    beforeAll(async () => {
      await loadSodium();
      // A new installation: initdb and every migration on an empty database, not the run's snapshot.
      portal = await startTestPortal(backend, {}, { emptyDatabase: true });
      // Every answer these tests receive is checked against its declared response schema (ADR 024).
      expect(portal.services.config.API_RESPONSE_CHECK).toBe(true);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("prints a one-time setup link on an empty installation that creates the first administrator and investigator", async () => {
      const token = setupToken(portal);
      expect(await (await fetch(`${portal.url}/api/staff/activate/${token}`)).json()).toMatchObject({ kind: "setup" });
      const a = await account("chief@okestro.example", "admin");
      const i = await account("first@okestro.example", "investigator");
      firstRecoveryKey = i.recoveryKey;
      expect((await post(portal, `/api/staff/activate/${token}`, { accounts: [a.account] })).status).toBe(400);
      expect((await post(portal, `/api/staff/activate/${token}`, { accounts: [a.account, i.account] })).status).toBe(201);
      expect((await post(portal, `/api/staff/activate/${token}`, { accounts: [a.account, i.account] })).status).toBe(404);
      admin = await firstSignIn(portal.url, "chief@okestro.example", PASSWORD);
      expect(admin.client.user?.role).toBe("admin");
      // The link's token is never in the access log.
      const accessLines = portal.logs.filter((l) => l.includes('"msg":"request"'));
      expect(accessLines.some((l) => l.includes("/api/staff/activate/:token"))).toBe(true);
      expect(accessLines.filter((l) => l.includes(token))).toEqual([]);
    });

    it("voids the setup link once an administrator exists by any means", async () => {
      const fresh = await startTestPortal(backend);
      try {
        const token = setupToken(fresh);
        const { createStaff } = await import("../support/staff");
        await createStaff(fresh, "admin", "cli-admin@okestro.example");
        const a = await account("late-admin@okestro.example", "admin");
        const i = await account("late-inv@okestro.example", "investigator");
        expect((await post(fresh, `/api/staff/activate/${token}`, { accounts: [a.account, i.account] })).status).toBe(404);
      } finally {
        await fresh.stop();
      }
    });

    it("answers recovery for an unknown address with a decoy that looks like a real answer", async () => {
      const decoy = await post(portal, "/api/staff/recover", { email: "nobody-here@okestro.example" });
      const real = await post(portal, "/api/staff/recover", { email: "first@okestro.example" });
      const d = (await decoy.json()) as { userId: string; secretKeyRecoveryWrapped: string };
      const r = (await real.json()) as { userId: string; secretKeyRecoveryWrapped: string };
      expect(Object.keys(d).sort()).toEqual(Object.keys(r).sort());
      const blob = Buffer.from(d.secretKeyRecoveryWrapped, "base64url");
      expect(blob.length).toBe(Buffer.from(r.secretKeyRecoveryWrapped, "base64url").length);
      // No internal repetition, and the id is not taken from the blob.
      expect(blob.subarray(65, 89).equals(blob.subarray(1, 25))).toBe(false);
      expect(blob.toString("hex")).not.toContain(d.userId.replace(/-/g, "").slice(0, 12));
    });

    it("lets an unused setup link die after 24 hours", async () => {
      const fresh = await startTestPortal(backend);
      try {
        const token = setupToken(fresh);
        fresh.setNow(new Date(Date.now() + 25 * 3600_000));
        expect((await fetch(`${fresh.url}/api/staff/activate/${token}`)).status).toBe(404);
      } finally {
        fresh.setNow(null);
        await fresh.stop();
      }
    });

    it("invites an investigator whose browser makes the keys; the link works once, for that address and role only", async () => {
      const r = await admin.client.post<{ path: string }>("/api/staff/invitations", {
        email: "invited@okestro.example",
        role: "investigator",
        displayName: "Invited",
      });
      const token = r.path.split("/").pop()!;
      expect((await post(portal, `/api/staff/activate/${token}`, { accounts: [(await account("invited@okestro.example", "admin")).account] })).status).toBe(
        400,
      );
      expect(
        (await post(portal, `/api/staff/activate/${token}`, { accounts: [(await account("someone@okestro.example", "investigator")).account] })).status,
      ).toBe(400);
      const right = await account("invited@okestro.example", "investigator");
      expect((await post(portal, `/api/staff/activate/${token}`, { accounts: [right.account] })).status).toBe(201);
      expect((await post(portal, `/api/staff/activate/${token}`, { accounts: [right.account] })).status).toBe(404);
      invited = await firstSignIn(portal.url, "invited@okestro.example", PASSWORD);
      expect(invited.client.user).toMatchObject({ role: "investigator" });
      await expect(invited.client.post("/api/staff/invitations", { email: "x@okestro.example", role: "admin" })).rejects.toMatchObject({ status: 403 });
      expect(await portal.cli("invite:create", "--role", "affiliate", "--affiliate", "cloud", "--email", "cloud@okestro.example")).toMatch(
        /\/staff\/activate\/[A-Za-z0-9_-]{43}/,
      );
    });

    it("refuses weak passwords where they are typed (here the operator's CLI)", async () => {
      const file = `${portal.dataDir}/weak.txt`;
      await writeFile(file, "Password1234!\n");
      await expect(portal.cli("user:create", "--role", "investigator", "--email", "weak@okestro.example", "--password-file", file)).rejects.toThrow(
        /password refused/,
      );
      await writeFile(file, "Okestro2026!\n");
      await expect(portal.cli("user:create", "--role", "investigator", "--email", "weak@okestro.example", "--password-file", file)).rejects.toThrow(
        /password refused/,
      );
    });

    it("shows failed sign-ins to administrators, who clear the back-off, end sessions and disable accounts", async () => {
      const email = "first@okestro.example";
      // A client that cannot solve the proof of work a 429 offers (ADR 035), so it meets the wait.
      const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch(), solvePow: () => Promise.reject(new Error("no proof of work here")) });
      portal.setNow(new Date()); // a still clock: the back-off's wait does not run out between requests
      try {
        for (let i = 0; i < 11; i++) await expect(c.signIn(email, `a wrong guess number ${i}`)).rejects.toMatchObject({ status: 401 });
        await expect(c.signIn(email, PASSWORD)).rejects.toMatchObject({ code: "too_many_attempts", status: 429 });
      } finally {
        portal.setNow(null);
      }
      const { listStaff } = await import("../../app/.server/admin/admin");
      const row = (await listStaff(portal.services)).find((u) => u.email === email)!;
      expect(row.failedAttempts).toBe(11);
      await admin.client.post(`/api/admin/staff/${row.id}/unlock`);
      expect((await listStaff(portal.services)).find((u) => u.email === email)!.failedAttempts).toBe(0);
      const user = await firstSignIn(portal.url, email, PASSWORD);
      await admin.client.post(`/api/admin/staff/${row.id}/revoke-sessions`);
      await expect(user.client.get("/api/staff/me")).rejects.toMatchObject({ status: 401 });
      await admin.client.post(`/api/admin/staff/${row.id}/disable`);
      // A disabled account answers as a wrong password does: the answer does not say that it exists.
      await expect(new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() }).signIn(email, PASSWORD)).rejects.toMatchObject({
        code: "invalid_credentials",
        status: 401,
      });
      await admin.client.post(`/api/admin/staff/${row.id}/enable`);
      await expect(admin.client.post(`/api/admin/staff/${admin.client.user!.id}/disable`)).rejects.toMatchObject({ code: "self" });
      const audit = await admin.client.get<{ action: string }[]>("/api/admin/audit?action=staff.");
      expect(audit.map((e) => e.action)).toEqual(
        expect.arrayContaining(["staff.unlock", "staff.revoke-sessions", "staff.disable", "staff.enable", "staff.invited", "staff.created"]),
      );
    });

    it("lets administrators add report categories and switch them off for new reports", async () => {
      await admin.client.post("/api/admin/categories", { nameKo: "안전 위반", nameEn: "Safety violations" });
      const info = (await (await fetch(`${portal.url}/api/intake/info`)).json()) as { categories: { id: string; nameEn: string }[] };
      const added = info.categories.find((c) => c.nameEn === "Safety violations")!;
      expect(added).toBeTruthy();
      await admin.client.post("/api/admin/categories", { id: added.id, active: false });
      const after = (await (await fetch(`${portal.url}/api/intake/info`)).json()) as { categories: { id: string }[] };
      expect(after.categories.map((c) => c.id)).not.toContain(added.id);
      await expect(invited.client.post("/api/admin/categories", { nameKo: "x", nameEn: "x" })).rejects.toMatchObject({ status: 403 });
      await expect(admin.client.post("/api/admin/categories", { nameKo: "", nameEn: "" })).rejects.toMatchObject({ code: "names_required" });
    });

    it("changes a password by re-wrapping the same key, ending the other sessions", async () => {
      const email = "invited@okestro.example";
      const [before] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, email));
      const other = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
      await other.signIn(email, PASSWORD);
      const later = Date.now() + 60_000;
      portal.setNow(new Date(later));
      try {
        await other.secondFactor({ code: totpCode(invited.totpSecret, later) });
        await expect(invited.client.changePassword("not my password at all", NEW_PASSWORD)).rejects.toMatchObject({ code: "wrong_password" });
        await invited.client.changePassword(PASSWORD, NEW_PASSWORD);
        await expect(other.get("/api/staff/me")).rejects.toMatchObject({ status: 401 });
        await expect(invited.client.get("/api/staff/me")).resolves.toBeTruthy();
      } finally {
        portal.setNow(null);
      }
      const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
      await expect(c.signIn(email, PASSWORD)).rejects.toMatchObject({ code: "invalid_credentials" });
      expect(await c.signIn(email, NEW_PASSWORD)).toBe("totp");
      const [after] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, email));
      expect(Buffer.from(after!.publicKey).equals(Buffer.from(before!.publicKey))).toBe(true);
      // The re-wrapped key unlocks to the same key pair.
      await invited.client.unlock(NEW_PASSWORD);
      expect(Buffer.from(invited.client.keyPair!.publicKey).equals(Buffer.from(before!.publicKey))).toBe(true);
    });

    it("resets a forgotten password with the recovery key; a wrong key or unknown address gets nowhere", async () => {
      const email = "first@okestro.example";
      await expect(recoverWithKey({ baseUrl: portal.url }, email, "0".repeat(52), NEW_PASSWORD)).rejects.toMatchObject({ code: "invalid_recovery" });
      await expect(recoverWithKey({ baseUrl: portal.url }, "ghost@okestro.example", firstRecoveryKey, NEW_PASSWORD)).rejects.toMatchObject({
        code: "invalid_recovery",
      });
      const [before] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, email));
      await recoverWithKey({ baseUrl: portal.url }, email, firstRecoveryKey, NEW_PASSWORD);
      const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
      await expect(c.signIn(email, PASSWORD)).rejects.toMatchObject({ code: "invalid_credentials" });
      expect(await c.signIn(email, NEW_PASSWORD)).toBe("totp");
      const [after] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, email));
      expect(Buffer.from(after!.publicKey).equals(Buffer.from(before!.publicKey))).toBe(true);
      expect(Buffer.from(after!.secretKeyWrapped).equals(Buffer.from(before!.secretKeyWrapped))).toBe(false);
    });

    it("refuses new key material that is not base64url with 400 invalid_request, even with the right recovery proof, and changes nothing", async () => {
      const email = "first@okestro.example";
      const proof = toBase64Url(recoveryProof(parseRecoveryKey(firstRecoveryKey)));
      const [before] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, email));
      const good = {
        kdfSalt: toBase64Url(new Uint8Array(16)),
        authKey: toBase64Url(new Uint8Array(32)),
        secretKeyWrapped: toBase64Url(before!.secretKeyWrapped),
      };
      // Each member the right length, but not canonical unpadded base64url (docs/CRYPTO.md §7.1, §9.2): once a 500.
      for (const [member, text] of [
        ["kdfSalt", `${"A".repeat(21)}!`],
        ["authKey", `${"A".repeat(42)}+`],
        ["secretKeyWrapped", `${good.secretKeyWrapped.slice(0, 118)}=`],
      ] as const) {
        const r = await post(portal, "/api/staff/recover", { email, recoveryProof: proof, keys: { ...good, [member]: text } });
        expect(r.status, member).toBe(400);
        const body = (await r.json()) as { error: { code: string; fields?: Record<string, string> } };
        expect(body.error.code).toBe("invalid_request");
        expect(Object.keys(body.error.fields ?? {})).toEqual([`keys.${member}`]);
      }
      const [after] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, email));
      expect(after).toEqual(before);
    });
  });
}
