// The staff pages' way past a sign-in back-off (ADR 035, app/shared/pow-client.ts withPowIfAsked): a 429 that
// names a proof of work is answered by solving one and sending the same request again; the request's own answer
// then stands, and if no proof can be had the first 429 does.
import { describe, expect, it } from "vitest";
import { withPowIfAsked } from "../../app/shared/pow-client";
import { POW_HEADER, type PowChallenge, type PowState } from "../../app/shared/pow-wire";
import { Api, IntakeError } from "../../app/shared/transport";

const challenge = { parameters: { data: { action: "staff-sign-in" } }, signature: "s" } as unknown as PowChallenge;
const solved = () => Promise.resolve({ counter: 1, derivedKey: "ab" });
const error = (status: number, code: string, proofOfWork?: string) =>
  Response.json({ error: { code, message: code, ...(proofOfWork ? { proofOfWork } : {}) } }, { status });

/** An Api whose POST /step answers from `answers` in turn, and whose challenge endpoint always answers; `seen` logs each request. */
function fakeApi(answers: Response[]) {
  const seen: { path: string; pow: string | null }[] = [];
  const api = new Api("http://portal", async (input, init) => {
    const path = new URL(String(input)).pathname;
    seen.push({ path, pow: new Headers(init?.headers).get(POW_HEADER) });
    if (path === "/api/pow/challenge") return Response.json({ challenge, difficulty: 64, level: 3 });
    return answers.shift()!;
  });
  const step = (headers: Record<string, string>) => api.call<{ ok: boolean }>("POST", "/step", { json: {}, headers });
  return { api, seen, step };
}

describe("withPowIfAsked", () => {
  it("sends the request once, with no proof, when it is not refused", async () => {
    const { api, seen, step } = fakeApi([Response.json({ ok: true })]);
    await expect(withPowIfAsked(api, { solvePow: solved }, step)).resolves.toEqual({ ok: true });
    expect(seen).toEqual([{ path: "/step", pow: null }]);
  });

  it("solves the proof a 429 names and sends the same request again with it, telling the page", async () => {
    const { api, seen, step } = fakeApi([error(429, "too_many_attempts", "staff-sign-in"), Response.json({ ok: true })]);
    const states: PowState[] = [];
    await expect(withPowIfAsked(api, { solvePow: solved, onPow: (s) => states.push(s) }, step)).resolves.toEqual({ ok: true });
    expect(seen.map((s) => s.path)).toEqual(["/step", "/api/pow/challenge", "/step"]);
    expect(seen[2]!.pow).toBeTruthy();
    expect(states).toEqual([{ solving: true, level: 3 }, { solving: false }]);
  });

  it("lets the request's own answer stand after a proof (a wrong password is still wrong)", async () => {
    const { api, step } = fakeApi([error(429, "too_many_attempts", "staff-sign-in"), error(401, "invalid_credentials")]);
    await expect(withPowIfAsked(api, { solvePow: solved }, step)).rejects.toMatchObject({ status: 401, code: "invalid_credentials" });
  });

  it("keeps the 429 (the wait) when the proof cannot be solved or is refused", async () => {
    const cannot = fakeApi([error(429, "too_many_attempts", "staff-sign-in")]);
    await expect(withPowIfAsked(cannot.api, { solvePow: () => Promise.reject(new Error("no workers")) }, cannot.step)).rejects.toMatchObject({
      status: 429,
      code: "too_many_attempts",
    });
    const refused = fakeApi([error(429, "too_many_attempts", "staff-sign-in"), error(400, "proof_of_work_invalid")]);
    const thrown = await withPowIfAsked(refused.api, { solvePow: solved }, refused.step).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(IntakeError);
    expect(thrown).toMatchObject({ status: 429, proofOfWork: "staff-sign-in" });
  });

  it("leaves a 429 that names no proof of work alone", async () => {
    const { api, seen, step } = fakeApi([error(429, "too_many_reports")]);
    await expect(withPowIfAsked(api, { solvePow: solved }, step)).rejects.toMatchObject({ status: 429, code: "too_many_reports" });
    expect(seen).toHaveLength(1);
  });
});
