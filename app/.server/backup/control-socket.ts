// The running portal's part in a backup on the embedded database (ADR 038). PGlite
// admits one process per data directory, so `npm run cli -- backup` cannot open the
// database while the portal runs: it asks the portal instead, over a Unix socket in
// DATA_DIR (mode 0600: only the account that owns the data may connect; never TCP).
//
// The exchange, one text line each way and then the bytes:
//   CLI    "copy\n"
//   portal "ok <bytes> <ISO time>\n" and the database tarball (PGlite's dumpDataDir)
//          — or "error <message>\n"
//   CLI    copies the blobs, then "release\n"
//   portal "released\n"
// From the request until the release (or until the connection closes, when the CLI
// dies) the blob store defers every deletion, so each blob the copied database
// names is still there when the CLI copies it. A "released" answer tells the CLI
// the hold lasted its whole copy.
import { chmodSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { isMainThread } from "node:worker_threads";
import { LocalDiskBlobStore } from "../platform/blob-store";
import { describeError } from "../platform/log";
import type { Services } from "../platform/services";
import { BackupError } from "./manifest";

export const CONTROL_SOCKET_FILE = "control.sock";
/** sun_path holds 108 bytes on Linux, 104 on macOS, with the terminating NUL. */
const MAX_SOCKET_PATH = 103;
/** A client that names no request in this time is disconnected. */
const REQUEST_TIMEOUT_MS = 10_000;
const MAX_LINE = 64;
/**
 * The longest one backup may hold blob deletions. A CLI that was stopped or is stuck on a slow target must not hold
 * destruction back for ever (a destroyed case's ciphertext stays on disk while held): the hold then ends, and that
 * backup fails at its release.
 */
export const MAX_HOLD_MS = 60 * 60_000;

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, CONTROL_SOCKET_FILE);
}

/**
 * Reads lines from a socket, up to MAX_LINE characters each; the rest of the data stays for `rest()`.
 * `onlyLines`: the peer sends nothing but short lines (the portal's side), so a peer that sends more
 * than a few lines' worth without reading an answer is cut off rather than buffered.
 */
function lineReader(socket: Socket, onlyLines = false) {
  let buffered = Buffer.alloc(0);
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const pump = () => {
    while (waiting.length) {
      const nl = buffered.indexOf(10);
      if (nl < 0) {
        if (ended || buffered.length > MAX_LINE) for (const w of waiting.splice(0)) w(null);
        return;
      }
      const line = buffered.subarray(0, nl).toString("utf8");
      buffered = buffered.subarray(nl + 1);
      waiting.shift()!(line.length <= MAX_LINE ? line : null);
    }
  };
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (onlyLines && buffered.length > 4 * MAX_LINE) socket.destroy();
    else pump();
  });
  socket.on("close", () => {
    ended = true;
    pump();
  });
  return {
    /** The next line, or null when the connection ended (or sent a line too long) first. */
    next: () => new Promise<string | null>((resolve) => (waiting.push(resolve), pump())),
    /** Takes what arrived after the last line read, and stops reading lines. */
    rest: () => {
      socket.removeAllListeners("data");
      const r = buffered;
      buffered = Buffer.alloc(0);
      return r;
    },
  };
}

export interface ControlSocket {
  close(): Promise<void>;
}

/**
 * Listens on DATA_DIR/control.sock while the portal runs on PGlite and local disk (elsewhere there is
 * nothing to do: PostgreSQL and object storage have their own backups). The caller holds the data-dir
 * lock, so a socket file found there is a dead portal's and is replaced.
 */
export async function listenForBackups(s: Services): Promise<ControlSocket | null> {
  if (s.database.kind !== "pglite" || !(s.blobs instanceof LocalDiskBlobStore)) return null;
  const store = s.blobs;
  const file = controlSocketPath(s.config.paths.data);
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH) {
    s.log.warn("backup socket not opened: the path of DATA_DIR is too long for a Unix socket; back up with the portal stopped", {
      bytes: Buffer.byteLength(file),
      max: MAX_SOCKET_PATH,
    });
    return null;
  }
  rmSync(file, { force: true });
  const connections = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  // One copy at a time: each holds the database's tarball in memory and the blob deletions.
  const state = { copying: false };
  const server: Server = createServer((socket) => {
    // A client that goes away mid-answer (ECONNRESET, EPIPE) ends its exchange through "close", never the portal.
    socket.on("error", () => {});
    sockets.add(socket);
    const served = serve(s, store, socket, state)
      .catch((error: unknown) => s.log.error("backup copy failed", describeError(error)))
      .finally(() => {
        sockets.delete(socket);
        connections.delete(served);
        socket.destroy();
      });
    connections.add(served);
  });
  // Made with no permission for group or others (the umask applies as the socket file is created, within
  // this call), then set to 0600 explicitly: only the operator account that owns DATA_DIR can connect.
  // (A worker thread may not change the umask; there only the chmod applies.)
  const umask = isMainThread ? process.umask(0o077) : null;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(file, 0o600);
  } catch (error) {
    // A file system that takes no sockets (some network or FUSE mounts) costs the backups while running, not the portal.
    server.close();
    rmSync(file, { force: true });
    s.log.warn("backup socket not opened; back up with the portal stopped", describeError(error));
    return null;
  } finally {
    if (umask !== null) process.umask(umask);
  }
  return {
    close: async () => {
      // No new connection; the server's own close waits for the open ones, which end here: a backup under way
      // fails at its release (the CLI says so), and its hold ends.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.all([...connections]);
      await closed;
      rmSync(file, { force: true });
    },
  };
}

/** Sends the last line and resolves once it is flushed, or the connection is gone. */
function endWith(socket: Socket, line: string): Promise<void> {
  return new Promise<void>((resolve) => {
    socket.once("close", () => resolve());
    socket.end(line, () => resolve());
  });
}

async function serve(s: Services, store: LocalDiskBlobStore, socket: Socket, state: { copying: boolean }): Promise<void> {
  socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
  const lines = lineReader(socket, true);
  const request = await lines.next();
  if (request === null) return;
  if (request !== "copy") {
    await endWith(socket, "error unknown request\n");
    return;
  }
  if (state.copying) {
    await endWith(socket, "error another backup is under way; wait for it to finish\n");
    return;
  }
  state.copying = true;
  socket.setTimeout(0);
  const expiry = setTimeout(() => {
    s.log.warn("backup: blob deletions held for an hour; the hold ends and that backup fails");
    socket.destroy();
  }, MAX_HOLD_MS);
  // Held before the copy: a blob deleted after it, with the row that named it, stays until the release.
  const release = store.holdDeletions();
  const resume = () =>
    release().catch((error: unknown) => s.log.warn("backup: a held blob deletion failed; the upload cleanup will retry", describeError(error)));
  try {
    const started = performance.now();
    const at = new Date();
    let tarball: Blob;
    try {
      tarball = (await s.database.dump())!;
    } catch (error) {
      await endWith(socket, "error the portal could not copy its database (its log says why)\n");
      throw error;
    }
    s.log.info("backup: database copied", { bytes: tarball.size, ms: Math.round(performance.now() - started) });
    socket.write(`ok ${tarball.size} ${at.toISOString()}\n`);
    // Streamed as the CLI takes it (the copy is in memory once, in PGlite's Blob); a connection that ends unpipes it.
    Readable.fromWeb(tarball.stream() as NodeReadableStream<Uint8Array>).pipe(socket, { end: false });
    // The CLI copies the blobs now; null when it went away (or sent anything else): the hold ends below.
    if ((await lines.next()) !== "release") return;
    await resume();
    await endWith(socket, "released\n");
    s.log.info("backup: blob deletions resumed");
  } finally {
    clearTimeout(expiry);
    socket.destroy();
    await resume();
    state.copying = false;
  }
}

/** The running portal's copy of its database; `release()` ends its hold on blob deletions. */
export interface PortalCopy {
  /** The tarball's bytes as they arrive; it fails if the connection ends before all of them came. */
  tarball: Readable;
  at: Date;
  /** Throws BackupError when the hold did not last until now (the portal stopped meanwhile). */
  release(): Promise<void>;
  /** Ends the exchange without a backup (the hold ends with the connection). */
  abandon(): void;
}

/** Asks the portal that holds DATA_DIR for a copy of its database (the CLI's side of the exchange). */
export async function requestPortalCopy(dataDir: string): Promise<PortalCopy> {
  const file = controlSocketPath(dataDir);
  const socket = createConnection(file);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          `The process that holds ${dataDir} does not answer on ${file} (${error.code ?? error.message}). ` +
            "If it is another CLI command, wait for it to finish; if it is a portal that opened no backup socket (its log says why: " +
            "a DATA_DIR path too long for a socket, or a file system without sockets) or of an earlier release, stop it and back up again.",
          { cause: error },
        ),
      ),
    );
  });
  const failed = new Promise<never>((_, reject) => {
    socket.on("error", (error) => reject(new BackupError(`the connection to the portal failed: ${error.message}`, { cause: error })));
    socket.on("close", () => reject(new BackupError("the portal closed the connection during the backup (was it stopped?); back up again")));
  });
  failed.catch(() => {});
  const lines = lineReader(socket);
  socket.write("copy\n");
  const header = await Promise.race([lines.next(), failed]);
  const m = header === null ? null : /^ok (\d+) (\S+)$/.exec(header);
  if (!m) {
    socket.destroy();
    throw new BackupError(`the portal did not copy its database: ${header?.replace(/^error /, "") ?? "no answer"}`);
  }
  let remaining = Number(m[1]);
  const at = new Date(m[2]!);
  // Exactly the announced bytes, with the socket paused while the reader lags (no second copy in memory here).
  const tarball = new PassThrough();
  const take = (chunk: Buffer) => {
    const part = chunk.subarray(0, remaining);
    remaining -= part.length;
    if (part.length > 0 && !tarball.write(part)) {
      socket.pause();
      tarball.once("drain", () => socket.resume());
    }
    if (remaining === 0) {
      socket.off("data", take);
      tarball.end();
    }
  };
  failed.catch((error: unknown) => {
    if (remaining > 0) tarball.destroy(error as Error);
  });
  take(lines.rest());
  if (remaining > 0) socket.on("data", take);
  return {
    tarball,
    at,
    release: async () => {
      const answer = lineReader(socket);
      // Paused if the last part of the tarball filled the reader's buffer ("drain" never comes after the end).
      socket.resume();
      socket.write("release\n");
      const line = await Promise.race([answer.next(), failed]);
      socket.destroy();
      if (line !== "released") throw new BackupError("the portal did not confirm that blob deletions were held for the whole backup; back up again");
    },
    abandon: () => socket.destroy(),
  };
}
