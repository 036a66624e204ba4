// One line per request: method, path with ids masked, status, duration. No
// query strings, headers, IP addresses or user agents, on any route.
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../app/.server/platform/log";

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|COR-[0-9A-Z]{4}-[0-9A-Z]{4}/gi;

/** Invitation and setup links carry a 43-character token: it never reaches the log. */
const TOKEN = /\/activate\/[A-Za-z0-9_-]+/g;

export function maskPath(path: string): string {
  return path.replace(TOKEN, "/activate/:token").replace(ID, ":id").slice(0, 200);
}

export function accessLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith("/assets/")) return next();
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      log.info("request", {
        method: req.method,
        path: maskPath(req.path),
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      });
    });
    next();
  };
}
