// Case exports, the server's part (ADR 054). The investigator's browser builds
// the ZIP; the server learns only that an export of these parts happened. It
// audits it (`case.exported`), pins the investigator's export signing key at
// their first export (a different key later is refused), and certifies the key
// together with the parts it audited and the export's own position in the audit
// chain, signed with the portal's export-certificate key (derived from the portal
// secret, ADR 027). The identity part needs an identity released to the caller
// (ADR 052), as an archive or a share carrying it does.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import {
  canonicalExportParts,
  loadSodium,
  signExportCertificate,
  signingKeyPairFromSeed,
  toBase64Url,
  type ExportCertificate,
  type ExportPart,
} from "../../../crypto";
import { auditLog, staffUsers } from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { requireCaseAccess } from "../case-access/case-access";
import { requireReleasedIdentity } from "../identity-access/identity-access";
import { ApiError } from "../platform/http";
import type { PortalSecret } from "../platform/secrets";
import type { Services } from "../platform/services";

// The CLI's `export:verify` reads ZIPs with the same code as /staff/verify, reached through this domain module so
// that server/ and cli/ import only shared server modules (ADR 021).
export { verifyExportZip, type ZipProblem } from "../../shared/export/zip";
import type { StaffPrincipal } from "../staff/auth";

async function portalExportKeyPair(secret: PortalSecret) {
  await loadSodium();
  return signingKeyPairFromSeed(secret.mac("export-certificate", "ed25519 seed"));
}

/** The key every export certificate of this portal is signed with (base64url): what the verifiers check certificates against. */
export async function exportCertificateKey(secret: PortalSecret): Promise<string> {
  return toBase64Url((await portalExportKeyPair(secret)).publicKey);
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Audits an export and certifies the exporter's signing key and the parts; 409 `signing_key_changed` when it
 * is not the key pinned for them, 409 `identity_not_accessed` for the identity part without a released access.
 */
export async function certifyExport(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  input: { parts: ExportPart[]; signingKey: Uint8Array },
): Promise<{ certificate: ExportCertificate }> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const parts = canonicalExportParts(input.parts);
  if (parts.includes("identity")) await requireReleasedIdentity(s, staff.id, reportId);
  const exportId = randomUUID();
  const at = s.now();
  const position = await s.db.transaction(async (tx) => {
    const [me] = await tx.select({ key: staffUsers.exportSigningKey }).from(staffUsers).where(eq(staffUsers.id, staff.id)).for("update");
    if (!me) throw new ApiError(404, "not_found", "no such case");
    if (me.key && !same(me.key, input.signingKey))
      throw new ApiError(409, "signing_key_changed", "this is not the export signing key on record for this account");
    if (!me.key)
      await tx
        .update(staffUsers)
        .set({ exportSigningKey: input.signingKey })
        .where(and(eq(staffUsers.id, staff.id)));
    const seq = await appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: staff.id,
        action: "case.exported",
        reportId,
        caseNumber: report.caseNumber,
        details: { exportId, parts: parts.join(","), signingKey: toBase64Url(input.signingKey), keyPinned: !me.key },
      },
      at,
    );
    const [entry] = await tx.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.seq, seq));
    return { seq, hash: Buffer.from(entry!.hash).toString("hex") };
  });
  const certificate = signExportCertificate(
    {
      exportId,
      reportId,
      caseNumber: report.caseNumber,
      parts,
      staffUserId: staff.id,
      displayName: staff.displayName,
      signingKey: toBase64Url(input.signingKey),
      audit: position,
      issuedAt: new Date(Math.floor(at.getTime())).toISOString(),
    },
    await portalExportKeyPair(s.secret),
  );
  return { certificate };
}
