// Fault: a client reuses an idle keep-alive connection just after the server
// closed it. Node's server closes an idle connection after 5 s and announces
// `Keep-Alive: timeout=5`; undici (Node's fetch) keeps it for that less one
// second, on a timer. When the client's event loop was busy for longer than
// that second, a request sent from a timer (a retry delay) runs before undici
// has read the server's close or run its own timer: the POST goes into the
// closed connection and fails with `other side closed`, and undici does not
// retry a POST. postgres-restart.test.ts met this under a load average of
// 12-25. The portal keeps idle connections far longer (server/start.ts).
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, spawnPortal, type ChildPortal } from "../support/child-portal";
import { withSolvedPow } from "../support/pow";

/** Longer than Node's default keep-alive timeout (5 s). */
const IDLE_MS = 6000;

describe("a keep-alive connection reused after the client's timer fired late", () => {
  let portal: ChildPortal;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-fault-keepalive-"));
    portal = await spawnPortal({ DATA_DIR: dataDir, PORT: String(await freePort()) });
  });
  afterAll(async () => {
    await portal?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("still answers a POST sent on it", async () => {
    const first = await fetch(`${portal.url}/api/intake/info`);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const announced = Number(/timeout=(\d+)/.exec(first.headers.get("Keep-Alive") ?? "")?.[1]);

    // The POST is sent from a timer (as a retry delay or a pause sends it) while this process is blocked,
    // as on a loaded machine: that timer runs before the process reads the connection's end if the server
    // closed it meanwhile, and before undici's own keep-alive timer, so the POST goes onto that connection.
    const pow = await withSolvedPow(portal.url, "upload");
    const answer = new Promise<{ status: number } | { error: string }>((resolve) =>
      setTimeout(() => {
        fetch(`${portal.url}/api/intake/uploads`, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...pow },
          body: JSON.stringify({ reportId: randomUUID(), ciphertextBytes: 1000 }),
        }).then(
          (r) => resolve({ status: r.status }),
          (error: Error & { cause?: { code?: string; message?: string } }) =>
            resolve({ error: `${error.cause?.code ?? ""} ${error.cause?.message ?? error.message}`.trim() }),
        );
      }, 0),
    );
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, IDLE_MS);
    expect(await answer).toEqual({ status: 201 });
    // What the server announces (undici keeps the connection for that less one second) leaves room for a late timer.
    expect(announced * 1000).toBeGreaterThan(IDLE_MS);
  });
});
