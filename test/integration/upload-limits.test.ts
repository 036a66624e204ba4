// Anonymous uploads cannot fill the disk: a ceiling on the bytes unclaimed
// uploads hold (ADR 031; the attacks on it are in test/security/abuse.test.ts),
// and a per-client rate of new uploads, counted in the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { withSolvedPow } from "../support/pow";

const open = async (portal: TestPortal, client: string, reportId: string, bytes: number) =>
  fetch(`${portal.url}/api/intake/uploads`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(await withSolvedPow(portal.url, "upload", { "X-Forwarded-For": client })) },
    body: JSON.stringify({ reportId, ciphertextBytes: bytes }),
  });

for (const backend of await backends()) {
  describe(`upload limits on ${backend}`, () => {
    let portal: TestPortal;
    beforeAll(async () => {
      portal = await startTestPortal(backend, { TRUST_PROXY: "1", MAX_PENDING_UPLOAD_BYTES: String(1024 * 1024), UPLOADS_PER_CLIENT_PER_HOUR: "3" });
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("refuses new uploads while stored bytes fill the ceiling, asking to retry later", async () => {
      const first = await open(portal, "198.51.100.1", "33333333-3333-4333-8333-333333333331", 800 * 1024);
      expect(first.status).toBe(201);
      const { uploadId, token } = (await first.json()) as { uploadId: string; token: string };
      const part = await fetch(`${portal.url}/api/intake/uploads/${uploadId}/parts/0`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "X-Upload-Token": token },
        body: new Uint8Array(800 * 1024),
      });
      expect(part.status).toBe(200);
      const busy = await open(portal, "198.51.100.2", "33333333-3333-4333-8333-333333333332", 400 * 1024);
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toBe("300");
      expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("uploads_busy");
      // Small ones still fit under the ceiling.
      expect((await open(portal, "198.51.100.2", "33333333-3333-4333-8333-333333333332", 1000)).status).toBe(201);
    });

    it("limits how many uploads one client opens per hour, not the others, across a restart", async () => {
      const ids = ["44444444-4444-4444-8444-444444444441", "44444444-4444-4444-8444-444444444442", "44444444-4444-4444-8444-444444444443"];
      for (const id of ids) expect((await open(portal, "203.0.113.50", id, 100)).status).toBe(201);
      const limited = await open(portal, "203.0.113.50", "44444444-4444-4444-8444-444444444444", 100);
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("too_many_uploads");
      expect((await open(portal, "203.0.113.51", "44444444-4444-4444-8444-444444444445", 100)).status).toBe(201);
      // The count is in the database (ADR 034), named by a pseudonym from the portal secret (ADR 027): a restart keeps it.
      await portal.restart();
      expect((await open(portal, "203.0.113.50", "44444444-4444-4444-8444-444444444446", 100)).status).toBe(429);
      expect((await open(portal, "203.0.113.51", "44444444-4444-4444-8444-444444444447", 100)).status).toBe(201);
    });
  });
}

describe("the upload cleanup's interval", () => {
  it("runs every UPLOAD_CLEANUP_INTERVAL_MINUTES, and not at all with 0 (an instance that must delete nothing)", async () => {
    const usual = await startTestPortal("pglite");
    try {
      expect(await usual.jobs.runNow("upload cleanup")).toBe("ran");
    } finally {
      await usual.stop();
    }
    const drill = await startTestPortal("pglite", { UPLOAD_CLEANUP_INTERVAL_MINUTES: "0" });
    try {
      expect(() => drill.jobs.runNow("upload cleanup")).toThrow('no job named "upload cleanup" is scheduled');
      expect(await drill.jobs.runNow("retention run")).toBe("ran");
    } finally {
      await drill.stop();
    }
  });
});
