// An API answer's body is written at the client's pace (server/api-dispatch.ts, BENCHMARKS.md finding 15):
// while a client reads nothing, the server pulls no more of the route's stream than the socket's buffers take,
// instead of the whole file; once the client reads, every byte arrives, in order. A client that goes away
// ends the stream without a fault logged.
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../app/.server/platform/log";
import { sendResponse } from "../../server/api-dispatch";

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
const CHUNK = 64 * 1024;

/** A 64 MiB body made on demand, counting what the server pulled, byte i being i mod 251. */
function countedBody() {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= TOTAL) return controller.close();
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; i < CHUNK; i++) chunk[i] = (state.pulled + i) % 251;
      state.pulled += CHUNK;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { state, body };
}

/** GET /file on a connection whose client reads nothing until it resumes the socket. */
async function requestReadingNothing(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.pause();
  await once(socket, "connect");
  socket.write("GET /file HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  return socket;
}

/** Waits until `read()` stops changing over a few looks (or reaches `limit`), and returns it. */
async function settled(read: () => number, limit: number): Promise<number> {
  let last = -1;
  let still = 0;
  while (still < 4 && read() < limit) {
    await new Promise((r) => setTimeout(r, 150));
    const now = read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return read();
}

describe("writing an API answer's body", () => {
  const servers: import("node:http").Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.close()));

  const serve = async (body: ReadableStream<Uint8Array>, lines: string[]) => {
    const app = express();
    app.get("/file", (_req, res) => {
      const response = new Response(body, { headers: { "Content-Type": "application/octet-stream", "Content-Length": String(TOTAL) } });
      void sendResponse(
        res,
        response,
        createLogger("debug", (l) => lines.push(l)),
      );
    });
    const server = app.listen(0, "127.0.0.1");
    servers.push(server);
    await once(server, "listening");
    return (server.address() as AddressInfo).port;
  };

  it("pulls no more than the socket takes while the client reads nothing, then delivers every byte", async () => {
    const { state, body } = countedBody();
    const lines: string[] = [];
    const port = await serve(body, lines);
    const socket = await requestReadingNothing(port);
    // Without backpressure the whole 64 MiB would be pulled and queued in the server at once.
    const held = await settled(() => state.pulled, TOTAL);
    expect(held).toBeLessThan(16 * MiB);

    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.resume();
    await once(socket, "end");
    const all = Buffer.concat(chunks);
    const bodyStart = all.indexOf("\r\n\r\n") + 4;
    expect(all.subarray(0, bodyStart).toString()).toMatch(/^HTTP\/1\.1 200 /);
    const received = all.subarray(bodyStart);
    expect(received.length).toBe(TOTAL);
    for (let i = 0; i < TOTAL; i += 4099) expect(received[i]).toBe(i % 251);
    expect(lines.filter((l) => l.includes('"error"'))).toEqual([]);
  });

  it("answers HEAD with the headers alone, reading nothing of the body", async () => {
    const { state, body } = countedBody();
    const port = await serve(body, []);
    const res = await fetch(`http://127.0.0.1:${port}/file`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-length")).toBe(String(TOTAL));
    await expect.poll(() => state.cancelled, { timeout: 30_000 }).toBe(true);
    expect(state.pulled).toBeLessThan(16 * MiB);
  });

  it("ends the stream when the client goes away, without logging a fault", async () => {
    const { state, body } = countedBody();
    const lines: string[] = [];
    const port = await serve(body, lines);
    const socket = await requestReadingNothing(port);
    await settled(() => state.pulled, TOTAL);
    socket.destroy();
    await expect.poll(() => state.cancelled, { timeout: 30_000 }).toBe(true);
    expect(state.pulled).toBeLessThan(TOTAL);
    expect(lines.filter((l) => l.includes('"error"'))).toEqual([]);
  });
});
