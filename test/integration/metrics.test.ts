// Metrics for Prometheus on a port of their own (issue 17, ADR 040). With METRICS_PORT set the portal
// answers GET /metrics there, and only there: its counts move with the requests the portal answers and
// the jobs it runs, labelled by route pattern, method and status class; requests are published once
// their minute is over, as the log gives their time (ADR 033). Requests whose paths, query
// strings and headers carry a case number, a receipt code, a report id, a token, an address and a
// user agent leave none of them anywhere in the output. On PostgreSQL a tick that found the job's
// lock held by another instance is counted as such. Without METRICS_PORT nothing more listens.
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium } from "../../crypto";
import { jobLockKey } from "../../server/job-lock";
import { ListenError } from "../../server/listen-error";
import { postgresAdminUrl } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

interface Line {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of an exposition text (the label values written here have no escaped quotes). */
function parse(text: string): Line[] {
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not an exposition line: ${l}`);
      const labels = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The sum of a metric's samples whose labels include `where`. */
function total(lines: Line[], name: string, where: Record<string, string> = {}): number {
  return lines.filter((l) => l.name === name && Object.entries(where).every(([k, v]) => l.labels[k] === v)).reduce((sum, l) => sum + l.value, 0);
}

/** TCP servers of this process (the portal's listeners among them). */
const listeners = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;

describe("metrics for Prometheus on their own port", () => {
  let portal: TestPortal;
  let serversBefore: number;
  /** The portal's clock, held still: requests are published when it passes into the next minute. */
  let clock: number;

  const scrape = async () => {
    const res = await fetch(portal.metricsUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    return res.text();
  };
  /** A metric's total once the clock has passed into the next minute (again at each poll, for requests still ending). */
  const published = async (name: string, where: Record<string, string> = {}) => {
    portal.setNow(new Date((clock += 60_000)));
    return total(parse(await scrape()), name, where);
  };

  beforeAll(async () => {
    await loadSodium();
    serversBefore = listeners();
    portal = await startTestPortal("pglite", { METRICS_PORT: "0" });
    clock = Date.now();
    portal.setNow(new Date(clock));
    await createStaff(portal, "investigator", "kim@okestro.example", ["--name", "Kim Investigator"]);
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("listens on its own loopback port beside the portal's, which has no /metrics", async () => {
    expect(portal.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(portal.metricsUrl!).port).not.toBe(new URL(portal.url).port);
    expect(listeners()).toBe(serversBefore + 2);

    expect((await fetch(`${portal.url}/metrics`)).status).toBe(404);
    const origin = new URL(portal.metricsUrl!).origin;
    expect((await fetch(`${origin}/`)).status).toBe(404);
    expect((await fetch(`${origin}/metrics/x`)).status).toBe(404);
    const post = await fetch(portal.metricsUrl!, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");

    const lines = parse(await scrape());
    expect(total(lines, "portal_ready", { part: "database" })).toBe(1);
    expect(total(lines, "portal_ready", { part: "blobs" })).toBe(1);
    expect(total(lines, "portal_info", { database: "pglite", blob_store: "local" })).toBe(1);
    expect(total(lines, "process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(total(lines, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(lines.some((l) => l.name === "nodejs_eventloop_lag_seconds" && l.labels.stat === "p99")).toBe(true);
  });

  it("counts requests by route pattern, method and status class, published when their minute is over", async () => {
    const submissions = { name: "portal_http_requests_total", where: { route: "/api/intake/reports", method: "POST", status: "2xx" } };
    const before = await published(submissions.name, submissions.where);
    const receipt = await submitTextReport(portal.url, { title: "Counted, never named", description: "metrics" });
    // Within its minute the submission is not shown yet: no scrape places it closer than the minute.
    expect(total(parse(await scrape()), submissions.name, submissions.where)).toBe(before);
    await expect.poll(() => published(submissions.name, submissions.where)).toBe(before + 1);

    const lines = parse(await scrape());
    // The latency of the same requests, by route pattern and method.
    expect(total(lines, "portal_http_request_duration_seconds_count", { route: "/api/intake/reports", method: "POST" })).toBe(before + 1);
    const inf = lines.find(
      (l) =>
        l.name === "portal_http_request_duration_seconds_bucket" &&
        l.labels.route === "/api/intake/reports" &&
        l.labels.method === "POST" &&
        l.labels.le === "+Inf",
    );
    expect(inf?.value).toBe(before + 1);
    expect(receipt.caseNumber).toBeTruthy();
  });

  it("counts the jobs' runs by job and outcome, and their durations", async () => {
    const where = { job: "flood sweep", outcome: "ran" };
    const before = total(parse(await scrape()), "portal_job_runs_total", where);
    expect(await portal.jobs.runNow("flood sweep")).toBe("ran");
    const lines = parse(await scrape());
    expect(total(lines, "portal_job_runs_total", where)).toBe(before + 1);
    expect(total(lines, "portal_job_run_duration_seconds_count", { job: "flood sweep" })).toBe(before + 1);
  });

  it("has no case number, receipt code, id, token, address or user agent in any label, after requests carrying them", async () => {
    const { caseNumber, receiptCode, reportId } = await submitTextReport(portal.url, { title: "Scanned for", description: "identifiers" });
    const token = randomBytes(32).toString("base64url");
    const headers = {
      "User-Agent": "Mozilla/5.0 (Whistle; secret-agent-7741)",
      "X-Forwarded-For": "203.0.113.77",
      Referer: `https://x.example/${receiptCode}`,
    };
    const requests: [string, string, number | null][] = [
      ["GET", `/staff/cases/${caseNumber}?receipt=${receiptCode}`, null],
      ["GET", `/staff/cases/${caseNumber}.data`, null],
      ["POST", `/api/staff/cases/${reportId}/status`, null],
      ["PUT", `/api/intake/uploads/${reportId}/parts/0`, null],
      ["GET", `/staff/activate/${token}`, null],
      ["GET", `/${receiptCode}`, 404],
      ["GET", `/api/no-such-route/${reportId}`, 404],
      ["GET", "/203.0.113.77", 404],
      ["PROPFIND", `/status/${receiptCode}`, null],
    ];
    await published("portal_http_requests_total");
    const before = parse(await scrape());
    for (const [method, path, status] of requests) {
      const res = await fetch(`${portal.url}${path}`, { method, headers, redirect: "manual", body: method === "PUT" ? "x" : undefined });
      await res.arrayBuffer();
      if (status !== null) expect(res.status).toBe(status);
    }
    const requestsBefore = total(before, "portal_http_requests_total");
    // Each request above, and the scrapes' own requests to the portal: none (the metrics port is not the portal's).
    await expect.poll(() => published("portal_http_requests_total")).toBe(requestsBefore + requests.length);

    const text = await scrape();
    for (const secret of [
      caseNumber,
      receiptCode,
      receiptCode.replace(/-/g, ""),
      reportId,
      token,
      "203.0.113.77",
      "127.0.0.1",
      "secret-agent",
      "Whistle",
      "x.example",
      "PROPFIND",
      "Scanned for",
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    const lines = parse(text);
    const grew = (route: string) => total(lines, "portal_http_requests_total", { route }) - total(before, "portal_http_requests_total", { route });
    expect(grew("/staff/cases/:caseNumber")).toBe(2);
    expect(grew("/api/staff/cases/:reportId/:op")).toBe(1);
    expect(grew("/api/intake/uploads/:uploadId/parts/:part")).toBe(1);
    expect(grew("/staff/activate/:token")).toBe(1);
    // Every path no declared route takes is one label: the catch-all's.
    expect(grew("/*")).toBe(4);
    expect(total(lines, "portal_http_requests_total", { route: "/*", method: "other", status: "4xx" })).toBeGreaterThanOrEqual(1);

    // Every route label is a pattern of literal words, :parameters and *, or "static".
    const routes = new Set(lines.flatMap((l) => (l.labels.route === undefined ? [] : [l.labels.route])));
    for (const route of routes) expect(route).toMatch(/^(static|\/|(\/([a-z][a-z-]*|:[a-zA-Z]+|\*))+)$/);
    // And every label value at all is from a small fixed vocabulary or such a pattern.
    const values = new Set(
      lines.flatMap((l) =>
        Object.entries(l.labels)
          .filter(([k]) => k !== "route" && k !== "le")
          .map(([, v]) => v),
      ),
    );
    for (const v of values) expect(v).toMatch(/^([a-z0-9 -]+|[1-5]xx|GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|v\d+\.\d+\.\d+|p50|p99|max)$/);
  });
});

describe.skipIf(!(await postgresAdminUrl()))("metrics of an instance beside others on PostgreSQL", () => {
  it("counts a tick that found the job's lock held by another instance", async () => {
    const portal = await startTestPortal("postgres", { METRICS_PORT: "0" });
    const other = postgres(portal.services.config.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const key = jobLockKey("flood sweep").toString();
      expect((await other<{ locked: boolean }[]>`select pg_try_advisory_lock(${key}::bigint) as locked`)[0]!.locked).toBe(true);
      expect(await portal.jobs.runNow("flood sweep")).toBe("locked elsewhere");
      await other`select pg_advisory_unlock(${key}::bigint)`;
      expect(await portal.jobs.runNow("flood sweep")).toBe("ran");
      const lines = parse(await (await fetch(portal.metricsUrl!)).text());
      expect(total(lines, "portal_job_runs_total", { job: "flood sweep", outcome: "locked elsewhere" })).toBe(1);
      expect(total(lines, "portal_job_runs_total", { job: "flood sweep", outcome: "ran" })).toBe(1);
      // Only the run that ran has a duration.
      expect(total(lines, "portal_job_run_duration_seconds_count", { job: "flood sweep" })).toBe(1);
      expect(total(lines, "portal_info", { database: "postgres", blob_store: "local" })).toBe(1);
      expect(total(lines, "portal_ready", { part: "database" })).toBe(1);
    } finally {
      await other.end({ timeout: 1 });
      await portal.stop();
    }
  });
});

describe("metrics off (METRICS_PORT unset)", () => {
  it("adds no listener and no metrics URL", async () => {
    const before = listeners();
    const portal = await startTestPortal("pglite");
    try {
      expect(portal.metricsUrl).toBeNull();
      expect(listeners()).toBe(before + 1);
      expect((await fetch(`${portal.url}/metrics`)).status).toBe(404);
    } finally {
      await portal.stop();
    }
  });
});

describe("a port that is taken", () => {
  it.each(["PORT", "METRICS_PORT"] as const)("stops the start with a message naming %s (exit status 2 in server/main.ts)", async (setting) => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      const start = startTestPortal("pglite", setting === "PORT" ? { PORT: port } : { METRICS_PORT: port });
      await expect(start).rejects.toBeInstanceOf(ListenError);
      await expect(start).rejects.toThrow(`${setting}: 127.0.0.1:${port} is already in use: stop what listens there or choose another ${setting}`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
