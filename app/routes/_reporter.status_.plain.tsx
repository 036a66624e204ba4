// Follow-up WITHOUT JavaScript (ADR 044): `/status/plain`, plain HTML forms.
// GET shows the sign-in form and what this path means; every later page is
// the answer to a POST that carries the session in a hidden field. The server
// decrypts and encrypts for that one request (app/.server/followup/plain.ts).
import type { ActionFunctionArgs, HeadersFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { answerPlainForm } from "../.server/followup/plain-page";
import { PlainCaseView, PlainSignIn } from "../components/plain-case-view";
import { describedAs } from "../i18n/meta";
import type { PlainPage } from "../intake/followup-view";

export const meta = describedAs("meta.description.status");

// The page holds the decrypted case and the session: never stored (every response already has
// `Referrer-Policy: no-referrer`, server/security-headers.ts, so its address is never sent on either).
const PRIVATE = { "Cache-Control": "no-store" };

export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return { ...PRIVATE, ...(retryAfter ? { "Retry-After": retryAfter } : {}) };
};

export async function action({ request, context }: ActionFunctionArgs) {
  const answer = await answerPlainForm(context.services, request, context.clientKey);
  return json<PlainPage>(answer.page, { status: answer.status, headers: { ...PRIVATE, ...answer.headers } });
}

export default function PlainStatusPage() {
  const page = useActionData<typeof action>() as PlainPage | undefined;
  return page?.view === "case" ? <PlainCaseView page={page} /> : <PlainSignIn page={page ?? null} />;
}
