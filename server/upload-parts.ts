// PUT /api/intake/uploads/:uploadId/parts/:part: one part of an encrypted
// attachment, streamed from the socket straight into the blob store. Parts
// arrive in order; a part that failed halfway is simply sent again.
//
// Express answers this route itself, ahead of Remix (ADR 018): through Remix
// the Node request became a web ReadableStream and then a Node stream again,
// several objects and promises per 64 KiB chunk, which at 1 GiB kept the old
// generation full and cost ~94 full garbage collections per upload
// (docs/BENCHMARKS.md, finding 2). Same checks, same answers, same errors.
import type { NextFunction, Request, Response } from "express";
import { ApiError, errorResponse, json, requireMethod } from "../app/.server/platform/http";
import { writeUploadPart } from "../app/.server/intake/intake";
import type { Services } from "../app/.server/platform/services";
import { uploadParams } from "../app/intake/upload-params.server";

/** Routes Express answers before Remix; the access-control matrix reads this list. */
export const uploadPartRoute = {
  file: "server/upload-parts.ts",
  path: "/api/intake/uploads/:uploadId/parts/:part",
  methods: ["PUT"],
} as const;

async function send(res: Response, answer: globalThis.Response): Promise<void> {
  res.status(answer.status);
  answer.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(Buffer.from(await answer.arrayBuffer()));
}

export function uploadPartHandler(services: Services) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      requireMethod(req, ...uploadPartRoute.methods);
      const { uploadId, token } = uploadParams(req, req.params);
      const part = req.params.part ?? "";
      const index = Number(part);
      if (!/^\d{1,7}$/.test(part) || !Number.isSafeInteger(index)) {
        throw new ApiError(400, "bad_part_index", "part index must be a whole number");
      }
      const length = req.get("Content-Length");
      const status = await writeUploadPart(services, uploadId, token, index, req, length === undefined ? null : Number(length));
      await send(res, json(status));
    } catch (error) {
      if (error instanceof ApiError) await send(res, errorResponse(error));
      else next(error);
    }
  };
}
