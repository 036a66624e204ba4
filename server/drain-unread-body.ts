// An answer given before the request body was read (a refused or failed upload
// part: wrong_part, part_in_progress, upload_not_found, a database error) must
// not leave the rest of the body on the connection. Node discards an unread
// body once the response is finished (IncomingMessage._dump), but not when
// someone holds the request stream, and Remix always does: the client, still
// sending into a connection nobody reads, never sees the answer and after the
// keep-alive timeout (5 s) gets a reset instead, or its next request on that
// connection does. So: once the response is finished, discard what is left as
// Node would, up to a bound; a larger remainder ends the connection.
import type { NextFunction, Request, Response } from "express";

/** More than the largest body the portal accepts (an 8 MiB upload part). */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

export function drainUnreadBodies(req: Request, res: Response, next: NextFunction): void {
  res.on("finish", () => {
    if (req.complete || req.destroyed) return;
    req.removeAllListeners("data");
    let left = DRAIN_LIMIT_BYTES;
    req.on("data", (chunk: Buffer) => {
      left -= chunk.length;
      if (left < 0) req.socket?.destroy();
    });
    req.resume();
  });
  next();
}
