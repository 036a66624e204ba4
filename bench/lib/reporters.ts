// Reporters as the benchmarks and the load test simulate them: the app's own
// intake client (app/reporter/intake-client.ts), the code the report page runs,
// run in Node. Everything is sealed and encrypted on the client before it is
// sent; the server sees what it sees from a browser.
import { createHash, randomBytes, randomInt } from "node:crypto";
import { submitEncryptedReport, type ReportDraft, type SourceFile } from "../../app/reporter/intake-client";
import type { IntakeInfo } from "../../app/intake/wire";
import type { ReportBody, ReporterIdentity } from "../../crypto";

/** What a reporter sent, kept to compare with what an investigator decrypts afterwards. */
export interface SentReport {
  reportId: string;
  caseNumber: string;
  title: string;
  body: ReportBody;
  identity: ReporterIdentity | null;
  files: { name: string; type: string; size: number; sha256: string }[];
  latencyMs: number;
}

/** The report form's content, as bench/lib/intake-e2e.ts fills it: the intake-rate benchmark's fixed report. */
export function fixedDraft(info: IntakeInfo): ReportDraft {
  return {
    categoryId: info.categories[0]!.id,
    title: "Benchmark report: invoices approved twice",
    body: {
      description: "A benchmark of report intake. ".repeat(40).trim(),
      details: "Details that only investigators may read. ".repeat(20).trim(),
      periodFrom: "2026-01-05",
      periodTo: "2026-03-31",
    },
    identity: { name: "Bench Reporter", email: "reporter@example.com", phone: "+82 10 0000 0000" },
    excludedInvestigators: [],
    consentReport: true,
    consentOptional: true,
    consentAffiliateIdentity: false,
    locale: "en",
  };
}

const WORDS = [
  "invoice",
  "approved",
  "twice",
  "vendor",
  "contract",
  "감사",
  "보고",
  "부정",
  "회계",
  "계약서",
  "payment",
  "overtime",
  "경비",
  "협력사",
  "🙂",
  '"quoted"',
  "<b>not html</b>",
  "line\nbreak",
];
const text = (words: number) => Array.from({ length: words }, () => WORDS[randomInt(WORDS.length)]).join(" ");
const TYPES = ["application/pdf", "image/png", "application/octet-stream", "text/plain", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"];

/** A varied report with `files` attachments of random size in [minBytes, maxBytes]; random, incompressible bytes. */
export function randomReport(
  info: IntakeInfo,
  tag: string,
  files: number,
  minBytes: number,
  maxBytes: number,
): { draft: ReportDraft; files: SourceFile[]; sent: Omit<SentReport, "reportId" | "caseNumber" | "latencyMs"> } {
  const title = `${tag}: ${text(3 + randomInt(8))}`.slice(0, 200);
  const body: ReportBody = {
    description: text(20 + randomInt(400)),
    details: randomInt(2) ? text(randomInt(200)) : "",
    periodFrom: randomInt(2) ? "2026-02-01" : null,
    periodTo: randomInt(2) ? "2026-10-31" : null,
  };
  const identity: ReporterIdentity | null = randomInt(2)
    ? { name: `보고자 ${tag}`, email: `r${randomInt(1e9)}@example.com`, phone: randomInt(2) ? "+82 10 1234 5678" : null }
    : null;
  const sources: SourceFile[] = [];
  const sentFiles: SentReport["files"] = [];
  for (let k = 0; k < files; k++) {
    const size = minBytes + randomInt(Math.max(1, maxBytes - minBytes + 1));
    const bytes = randomBytes(size);
    const name = `${k % 2 ? "증거" : "evidence"}-${tag}-${k}.${["pdf", "png", "bin", "txt", "xlsx"][randomInt(5)]}`;
    const type = TYPES[randomInt(TYPES.length)]!;
    sources.push({ name, type, size, read: async (start, end) => new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start) });
    sentFiles.push({ name, type, size, sha256: createHash("sha256").update(bytes).digest("hex") });
  }
  return {
    draft: {
      categoryId: info.categories[randomInt(info.categories.length)]!.id,
      title,
      body,
      identity,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: true,
      consentAffiliateIdentity: false,
      locale: randomInt(2) ? "ko" : "en",
    },
    files: sources,
    sent: { title, body, identity, files: sentFiles },
  };
}

/** A fetch that records every HTTP request's latency and outcome. */
export function countingFetch(): { fetch: typeof fetch; latencies: number[]; failures: number } {
  const counter = { latencies: [] as number[], failures: 0, fetch: undefined as unknown as typeof fetch };
  counter.fetch = async (input, init) => {
    const t0 = performance.now();
    try {
      const r = await fetch(input, init);
      // Latency to the full answer: the intake client reads every body.
      const body = await r.arrayBuffer();
      counter.latencies.push(performance.now() - t0);
      return new Response(r.status === 204 ? null : body, { status: r.status, statusText: r.statusText, headers: r.headers });
    } catch (error) {
      counter.failures++;
      throw error;
    }
  };
  return counter;
}

export { submitEncryptedReport };
