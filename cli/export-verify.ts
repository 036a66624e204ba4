// `npm run cli -- export:verify FILE.zip [--portal-key KEY]` (ADR 054): checks an export ZIP without
// opening the database. The certificate is checked against this portal's export-certificate key,
// derived from the portal secret (PORTAL_SECRET or DATA_DIR/portal-secret), or against --portal-key
// on a machine without the secret (the key /staff/verify and this command print).
//
// Exit status: 0 intact, signed, certified by this portal; 1 it does not verify (every problem is
// named: which file changed, is missing or was added, the manifest, the signature, the
// certificate); 2 usage (no file, unreadable file, bad option, unreadable configuration);
// 3 intact but unsigned (a reporter's own copy); 4 intact and signed, but no portal key to check the
// certificate against (no secret here and no --portal-key).
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { exportCertificateKey, verifyExportZip, type ZipProblem } from "../app/.server/casework/export";
import { loadConfig } from "../app/.server/platform/config";
import { loadPortalSecret, PortalSecretError } from "../app/.server/platform/secrets";
import { loadSodium } from "../crypto";
import { translator, type MessageKey } from "../app/i18n";

export const EXPORT_VERIFY_EXIT = { ok: 0, failed: 1, usage: 2, unsigned: 3, uncheckedPortal: 4 } as const;

/** Text from the ZIP shown on a terminal: controls and direction marks as \u escapes, never interpreted. */
const printable = (s: string) =>
  s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

function problemText(p: ZipProblem): string {
  const t = translator("en");
  const params: Record<string, string> = {};
  if ("path" in p) params.path = printable(p.path);
  if ("detail" in p) params.detail = printable(p.detail);
  if ("portalKey" in p) params.key = p.portalKey;
  if ("listed" in p) Object.assign(params, { listed: p.listed, certified: p.certified });
  return `${p.code}: ${t(`export.verify.problem.${p.code}` as MessageKey, params)}`;
}

export async function exportVerify(argv: string[], env: { portalKey?: () => Promise<string | null> } = {}): Promise<{ code: number; text: string }> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { "portal-key": { type: "string" } }, allowPositionals: true, strict: true });
  } catch (error) {
    return { code: EXPORT_VERIFY_EXIT.usage, text: (error as Error).message };
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) return { code: EXPORT_VERIFY_EXIT.usage, text: "usage: export:verify FILE.zip [--portal-key KEY]" };
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    return { code: EXPORT_VERIFY_EXIT.usage, text: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const portalKey = parsed.values["portal-key"] ?? (await (env.portalKey ?? ownPortalKey)());
  await loadSodium();
  const v = verifyExportZip(bytes, portalKey ? { portalKey } : {});
  const m = v.manifest;
  if (!v.ok) {
    return {
      code: EXPORT_VERIFY_EXIT.failed,
      text: [`${file} does not verify:`, ...v.problems.map((p) => `  - ${problemText(p)}`)].join("\n"),
    };
  }
  const files = v.matched.map((p) => `  ok ${printable(p)}`);
  if (!m?.certificate) {
    return {
      code: EXPORT_VERIFY_EXIT.unsigned,
      text: [
        `${file}: a reporter's own copy of case ${printable(m?.caseNumber ?? "?")}; all ${v.matched.length} files match its manifest, but it is not signed.`,
        ...files,
      ].join("\n"),
    };
  }
  const c = m.certificate;
  const head = [
    `${file}: intact. Case ${printable(c.caseNumber)}, exported by ${printable(c.displayName)} (${c.staffUserId}) at ${c.issuedAt}.`,
    `Signed with ${c.signingKey}; certified by the portal key ${c.portalKey}; audit log entry ${c.audit.seq} (${c.audit.hash}).`,
    `All ${v.matched.length} files match:`,
  ];
  if (!portalKey) {
    return {
      code: EXPORT_VERIFY_EXIT.uncheckedPortal,
      text: [
        ...head,
        ...files,
        "The certificate holds under the key it names, but no portal key was given to check that key against (no portal secret here: pass --portal-key).",
      ].join("\n"),
    };
  }
  return { code: EXPORT_VERIFY_EXIT.ok, text: [...head, ...files].join("\n") };
}

/** This portal's certificate key, when the portal secret can be read here; null otherwise. */
async function ownPortalKey(): Promise<string | null> {
  try {
    const config = loadConfig();
    return await exportCertificateKey(loadPortalSecret({ value: config.PORTAL_SECRET, dataDir: config.paths.data, create: false }));
  } catch (error) {
    if (error instanceof PortalSecretError) return null;
    throw error;
  }
}
