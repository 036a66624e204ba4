// PUT /api/intake/uploads/:uploadId/parts/:part: one part of an encrypted
// attachment, streamed from the socket straight into the blob store. Parts
// arrive in order; a part that failed halfway is simply sent again.
//
// Express answers this route itself, ahead of Remix (ADR 018): through Remix
// the Node request became a web ReadableStream and then a Node stream again,
// several objects and promises per 64 KiB chunk, which at 1 GiB kept the old
// generation full and cost ~94 full garbage collections per upload
// (docs/BENCHMARKS.md, finding 2). Same checks, same answers, same errors. It is
// declared like the route modules (ADR 024); the handler below runs that
// declaration with the Express request's own stream as the body.
import type { NextFunction, Request, Response } from "express";
import { uploadPartRoute } from "../app/.server/intake/upload-part-route";
import { checkAnswer, methodNotAllowed } from "../app/.server/platform/api-route";
import { ApiError, errorResponse, json } from "../app/.server/platform/http";
import type { Services } from "../app/.server/platform/services";

/** The route Express answers before Remix, declared in app/.server/intake/upload-part-route.ts (the security suites and docs/openapi.json read it). */
export { uploadPartRoute };

async function send(res: Response, answer: globalThis.Response): Promise<void> {
  res.status(answer.status);
  answer.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(Buffer.from(await answer.arrayBuffer()));
}

/** The request's headers and URL, without its body: the Node stream stays with Express and is the part. */
function headersOnly(req: Request): globalThis.Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  return new globalThis.Request(new URL(req.originalUrl, "http://upload.invalid"), { method: "GET", headers });
}

export function uploadPartHandler(services: Services) {
  const { api } = uploadPartRoute;
  const put = api.methods.PUT!;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const allow = api.allow(req.params)!;
      if (!allow.includes(req.method)) throw methodNotAllowed(allow);
      const request = headersOnly(req);
      const context = { services, cspNonce: "", clientKey: "" };
      const caller: unknown = await put.guard.check({ services, request, params: req.params, context });
      const status = await put.handler({ services, request, params: req.params, context, caller, body: req, query: new URL(request.url).searchParams });
      if (services.config.API_RESPONSE_CHECK)
        await checkAnswer(put, { request: new globalThis.Request(request.url, { method: "PUT" }), params: req.params }, undefined, status, services);
      await send(res, json(status));
    } catch (error) {
      if (error instanceof ApiError) await send(res, errorResponse(error));
      else next(error);
    }
  };
}
