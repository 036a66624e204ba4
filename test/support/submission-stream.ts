// A steady stream of encrypted submissions from several concurrent reporters,
// through the real intake client, for fault tests: every HTTP exchange is
// recorded (status, error code, or a connection that broke without an answer),
// and every report is remembered with what its reporter typed and attached,
// so that afterwards the database can be checked against what was acknowledged.
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { AttachmentDecryptor, decryptBody, decryptFileMeta, openIdentity, decryptTitle, openEnvelope, unwrapFileKey } from "../../crypto";
import type { IntakeInfo } from "../../app/intake/wire";
import { submitEncryptedReport, type ReportDraft } from "../../app/reporter/intake-client";
import type { Services } from "../../app/.server/platform/services";
import { attachments, reportKeyEnvelopes, reports } from "../../db/schema";
import { memoryFile } from "./files";
import { unlockStaff, type DecryptedReport } from "./investigator";
import { PASSWORD } from "./staff";

export interface SentFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

export interface Sent {
  client: number;
  seq: number;
  draft: ReportDraft;
  files: SentFile[];
  /** Known once the client posted the submission. */
  reportId?: string;
  /** A 201 answer to the submission reached the client. */
  acknowledged: boolean;
  caseNumber?: string;
  /** The client gave up with this error. */
  error?: string;
}

export interface Exchange {
  method: string;
  /** Path with ids replaced by :id. */
  path: string;
  /** HTTP status, or "network" when the request got no answer at all. */
  status: number | "network";
  /** The JSON error code (or the start of the text) of a refusal; for "network", why. */
  code?: string;
  /** Of a refusal: its Content-Type and Retry-After headers. */
  contentType?: string | null;
  retryAfter?: string | null;
  startedAt: number;
  endedAt: number;
}

export interface StreamOptions {
  baseUrl: string;
  info: IntakeInfo;
  clients: number;
  retryDelaysMs: number[];
  /** Which submissions carry files: 0 none, else sizes in bytes. */
  filesFor?: (client: number, seq: number) => number[];
  /** Pause between one reporter's submissions. */
  pauseMs?: number;
}

/** Deterministic bytes for a file of a given submission. */
export function fileBytes(size: number, label: string): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash("sha256").update(label).digest();
  for (let at = 0; at < size; at += 32) {
    out.set(block.subarray(0, Math.min(32, size - at)), at);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export class SubmissionStream {
  readonly sent: Sent[] = [];
  readonly exchanges: Exchange[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(private readonly options: StreamOptions) {
    this.loops = Array.from({ length: options.clients }, (_, c) => this.loop(c));
  }

  acknowledged(): Sent[] {
    return this.sent.filter((s) => s.acknowledged);
  }

  /** Exchanges that started at or after `t` (ms since the epoch). */
  since(t: number): Exchange[] {
    return this.exchanges.filter((e) => e.startedAt >= t);
  }

  /** Stops starting new submissions and waits for those under way. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(client: number): Promise<void> {
    for (let seq = 0; this.running; seq++) {
      const sizes = this.options.filesFor?.(client, seq) ?? [];
      const sent: Sent = {
        client,
        seq,
        draft: {
          categoryId: this.options.info.categories[(client + seq) % this.options.info.categories.length]!.id,
          title: `제보 ${client}-${seq}: fault stream`,
          body: {
            description: `Report ${client}-${seq} sent while the database was being restarted. 설명 ${"x".repeat(seq % 50)}`,
            details: `details ${client}-${seq}`,
            periodFrom: "2026-01-01",
            periodTo: "2026-01-31",
          },
          identity: seq % 3 === 0 ? { name: `Reporter ${client}-${seq}`, email: `r${client}.${seq}@example.com`, phone: "" } : null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: seq % 3 === 0 || sizes.length > 0,
          consentAffiliateIdentity: false,
        },
        files: sizes.map((size, i) => ({
          name: `file-${client}-${seq}-${i}.bin`,
          type: "application/octet-stream",
          bytes: fileBytes(size, `${client}-${seq}-${i}`),
        })),
        acknowledged: false,
      };
      this.sent.push(sent);
      try {
        const r = await submitEncryptedReport(
          sent.draft,
          sent.files.map((f) => memoryFile(f.name, f.type, f.bytes)),
          this.options.info,
          { baseUrl: this.options.baseUrl, fetch: this.recording(sent), retryDelaysMs: this.options.retryDelaysMs },
        );
        sent.reportId = r.reportId;
        sent.caseNumber = r.caseNumber;
      } catch (error) {
        sent.error = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      }
      if (this.options.pauseMs) await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }

  private recording(sent: Sent): typeof fetch {
    return async (input, init) => {
      const url = new URL(String(input));
      const method = init?.method ?? "GET";
      const isSubmission = method === "POST" && url.pathname === "/api/intake/reports";
      if (isSubmission) sent.reportId = (JSON.parse(String(init!.body)) as { reportId: string }).reportId;
      const exchange: Exchange = { method, path: url.pathname.replace(ID, ":id"), status: "network", startedAt: Date.now(), endedAt: 0 };
      this.exchanges.push(exchange);
      try {
        const r = await fetch(input, init).catch((error: Error & { cause?: { code?: string; message?: string } }) => {
          exchange.code = `${error.cause?.code ?? ""} ${error.cause?.message ?? error.message}`.trim();
          throw error;
        });
        exchange.status = r.status;
        if (!r.ok) {
          exchange.contentType = r.headers.get("Content-Type");
          exchange.retryAfter = r.headers.get("Retry-After");
          const text = await r.clone().text();
          try {
            exchange.code = (JSON.parse(text) as { error: { code: string } }).error.code;
          } catch {
            exchange.code = text.slice(0, 40);
          }
        }
        if (isSubmission && r.status === 201) sent.acknowledged = true;
        return r;
      } finally {
        exchange.endedAt = Date.now();
      }
    };
  }
}

export interface StoredCheck {
  /** Acknowledged (201) but not in the database, or not whole. */
  lost: string[];
  /** In the database but not what the reporter sent. */
  wrong: string[];
  /** Stored although the client did not receive the 201 (the answer was lost): allowed, if whole. */
  storedUnacknowledged: number;
  stored: number;
}

/**
 * As decryptReportAsInvestigator, with the investigator's key unlocked once
 * (Argon2id per report would dominate the test's time).
 */
async function decryptAll(s: Services, email: string) {
  const { user, keyPair } = await unlockStaff(s, email, PASSWORD);
  return async (reportId: string): Promise<DecryptedReport> => {
    const [envelope] = await s.db
      .select()
      .from(reportKeyEnvelopes)
      .where(and(eq(reportKeyEnvelopes.reportId, reportId), eq(reportKeyEnvelopes.staffUserId, user.id)));
    if (!envelope) throw new Error(`${email} holds no envelope for report ${reportId}`);
    const { reportKey } = openEnvelope(envelope.envelope, reportId, keyPair);
    const [report] = await s.db.select().from(reports).where(eq(reports.id, reportId));
    const files = [];
    for (const a of await s.db.select().from(attachments).where(eq(attachments.reportId, reportId))) {
      const meta = decryptFileMeta(reportKey, reportId, a.id, a.metaCt);
      const decryptor = new AttachmentDecryptor(unwrapFileKey(reportKey, reportId, a.id, a.fileKeyWrapped), { reportId, attachmentId: a.id });
      const chunks: Uint8Array[] = [];
      for await (const piece of s.blobs.read(a.blobKey)) chunks.push(...decryptor.push(new Uint8Array(piece as Buffer)));
      chunks.push(...decryptor.finish());
      files.push({ ...meta, bytes: Buffer.concat(chunks) });
    }
    return {
      title: decryptTitle(reportKey, reportId, report!.titleCt),
      body: decryptBody(reportKey, reportId, report!.bodyCt),
      identity: report!.identityCt ? openIdentity(reportKey, reportId, report!.identityCt, report!.identityKeyWrapped) : null,
      files: files.sort((x, y) => x.name.localeCompare(y.name)),
    };
  };
}

/** Compares every report of the stream with the database, decrypting each stored one as an investigator. */
export async function checkStored(s: Services, sent: Sent[], investigatorEmail: string, envelopesPerReport: number): Promise<StoredCheck> {
  const out: StoredCheck = { lost: [], wrong: [], storedUnacknowledged: 0, stored: 0 };
  const decrypt = await decryptAll(s, investigatorEmail);
  for (const x of sent) {
    const name = `${x.client}-${x.seq} (${x.reportId ?? "not posted"})`;
    const [row] = x.reportId ? await s.db.select({ id: reports.id, caseNumber: reports.caseNumber }).from(reports).where(eq(reports.id, x.reportId)) : [];
    if (!row) {
      if (x.acknowledged) out.lost.push(name);
      continue;
    }
    out.stored++;
    if (!x.acknowledged) out.storedUnacknowledged++;
    try {
      const envs = await s.db.select().from(reportKeyEnvelopes).where(eq(reportKeyEnvelopes.reportId, row.id));
      if (envs.length !== envelopesPerReport) throw new Error(`${envs.length} envelopes`);
      if (x.caseNumber && row.caseNumber !== x.caseNumber) throw new Error("another case number");
      const got = await decrypt(row.id);
      const same =
        got.title === x.draft.title &&
        JSON.stringify(got.body) === JSON.stringify(x.draft.body) &&
        JSON.stringify(got.identity) === JSON.stringify(x.draft.identity) &&
        got.files.length === x.files.length &&
        [...x.files]
          .sort((a, b) => a.name.localeCompare(b.name))
          .every((f, i) => got.files[i]!.name === f.name && Buffer.from(got.files[i]!.bytes).equals(Buffer.from(f.bytes)));
      if (!same) throw new Error("decrypts to something else");
    } catch (error) {
      (x.acknowledged ? out.lost : out.wrong).push(`${name}: ${(error as Error).message}`);
    }
  }
  return out;
}

/** "status code" → count, for the log line. */
export function tally(exchanges: Exchange[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const e of exchanges) {
    const k = `${e.method} ${e.path} ${e.status}${e.code ? ` ${e.code}` : ""}`;
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}
