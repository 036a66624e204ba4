// A solved proof of work for tests that call the reporter API directly
// (ADR 032): a real challenge from the portal, solved with ALTCHA's solver
// (app/shared/pow-client.ts, inline in Node) and checked by the real
// verification path. `headers` go with the challenge request too, so a test
// that poses as another client (X-Forwarded-For) gets that client's challenge.
import { defaultPowSolver } from "../../app/shared/pow-client";
import { POW_HEADER, powHeaderValue, type PowAction, type PowChallengeResponse } from "../../app/shared/pow-wire";

export async function fetchChallenge(baseUrl: string, action: PowAction, headers: Record<string, string> = {}): Promise<PowChallengeResponse> {
  const r = await fetch(`${baseUrl}/api/pow/challenge?action=${action}`, { headers });
  if (!r.ok) throw new Error(`challenge for ${action}: ${r.status} ${await r.text()}`);
  return (await r.json()) as PowChallengeResponse;
}

/** The challenge solved: its header value. */
export async function solveChallengeResponse(got: PowChallengeResponse): Promise<string> {
  return powHeaderValue(got.challenge, await defaultPowSolver(got.challenge));
}

/** `headers` plus a freshly solved proof of work for `action`. */
export async function withSolvedPow(baseUrl: string, action: PowAction, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const got = await fetchChallenge(baseUrl, action, headers);
  return { ...headers, [POW_HEADER]: await solveChallengeResponse(got) };
}

/** The proof-of-work action a POST to `path` needs, if any (the routes that declare `proofOfWork`). */
export function powActionOf(path: string): PowAction | null {
  const p = path.split("?")[0];
  if (p === "/api/intake/reports") return "report";
  if (p === "/api/intake/uploads" || p === "/api/followup/uploads") return "upload";
  if (p === "/api/followup/session") return "followup-session";
  if (p === "/api/followup/messages" || p === "/api/followup/privacy-requests" || p === "/api/followup/identity") return "followup-post";
  return null;
}

/** `headers` with a solved proof of work added when a POST to `path` needs one. */
export async function powFor(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const action = powActionOf(path);
  return action ? withSolvedPow(baseUrl, action, headers) : headers;
}
