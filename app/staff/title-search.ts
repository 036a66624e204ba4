// The inbox's title search (ADR 050). Titles are ciphertext on the server, so the words are matched
// here: the titles of every case the investigator holds a key for are fetched in batches
// (GET /api/staff/case-titles), decrypted in slices of a few milliseconds with the page given back
// in between (typing and scrolling stay responsive), and kept in this tab's memory for as long as
// the page is open, so another query searches them again without fetching anything. The next
// batch is fetched while this one is decrypted. A stopped or failed load resumes from the batch it
// had not finished; nothing decrypted is written anywhere else.
import type { StaffKeyPair } from "../../crypto";
import { inboxTitle } from "./decrypt";
import type { CaseTitleRow, CaseTitlesPage } from "./wire";

export interface TitleEntry {
  id: string;
  caseNumber: string;
  status: CaseTitleRow["status"];
  receivedOn: string;
  /** The decrypted title; null when the envelope or the title would not open with this key. */
  title: string | null;
  /** The title as matched: NFKC, lower case. */
  folded: string;
}

export interface TitleMatches {
  /** How many loaded titles match. */
  count: number;
  /** The first `limit` of them, newest first. */
  shown: TitleEntry[];
}

/** Time the decryption may hold the page before it gives it back, in milliseconds. */
export const SLICE_MS = 12;

/** A query's words: NFKC (so that composed and decomposed Hangul, full- and half-width forms meet), lower case. */
export function queryWords(query: string): string[] {
  return fold(query).split(/\s+/).filter(Boolean);
}

function fold(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** Resolves after the page has had a turn (a task, not a timer: no 4 ms clamp between slices). */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class TitleIndex {
  private readonly entries: TitleEntry[] = [];
  /** The `after` of the batch to fetch next; null before the first and after the last. */
  private cursor: string | null = null;
  private loading = false;
  /** Cases the caller holds a key for, as the first batch counted them. */
  total: number | null = null;
  complete = false;
  /** Titles that did not decrypt (and are not searched). */
  unreadable = 0;

  constructor(
    private readonly fetchBatch: (after: string | null) => Promise<CaseTitlesPage>,
    private readonly keys: StaffKeyPair,
    private readonly sliceMs = SLICE_MS,
  ) {}

  /** Titles fetched and decrypted so far. */
  get loaded(): number {
    return this.entries.length;
  }

  get running(): boolean {
    return this.loading;
  }

  /**
   * Fetches and decrypts the titles not loaded yet, calling `onBatch` after each batch, until all are loaded or
   * `signal` aborts (then it returns quietly; a batch cut short is fetched again next time). Errors propagate,
   * with what was loaded kept.
   */
  async load(signal: AbortSignal, onBatch: () => void = () => {}): Promise<void> {
    if (this.complete || this.loading) return;
    this.loading = true;
    let pending: Promise<CaseTitlesPage> | null = this.fetchBatch(this.cursor);
    try {
      while (pending) {
        const waitStart = performance.now();
        const page: CaseTitlesPage = await pending;
        // For the benchmark (bench/titles.ts): how long the search waited for the network, and decrypted.
        performance.measure("title-search-wait", { start: waitStart, end: performance.now() });
        pending = null;
        if (signal.aborted) return;
        if (page.total !== null) this.total = page.total;
        // The next batch travels while this one is decrypted.
        const ahead: Promise<CaseTitlesPage> | null = page.next ? this.fetchBatch(page.next) : null;
        ahead?.catch(() => {}); // awaited below, or dropped on abort without an unhandled rejection
        const decryptStart = performance.now();
        const opened = await this.decrypt(page.rows, signal);
        performance.measure("title-search-decrypt", { start: decryptStart, end: performance.now() });
        if (!opened) return;
        this.entries.push(...opened);
        this.cursor = page.next;
        this.complete = page.next === null;
        if (this.total !== null && this.entries.length > this.total) this.total = this.entries.length; // cases that arrived meanwhile
        onBatch();
        pending = ahead;
      }
    } finally {
      this.loading = false;
    }
  }

  /** The loaded titles holding every word of `query`, newest first. */
  match(query: string, limit: number): TitleMatches {
    const words = queryWords(query);
    if (words.length === 0) return { count: 0, shown: [] };
    const hits = this.entries.filter((e) => e.title !== null && words.every((w) => e.folded.includes(w)));
    hits.sort((a, b) => (a.receivedOn === b.receivedOn ? a.caseNumber.localeCompare(b.caseNumber) : a.receivedOn < b.receivedOn ? 1 : -1));
    return { count: hits.length, shown: hits.slice(0, limit) };
  }

  private async decrypt(rows: CaseTitleRow[], signal: AbortSignal): Promise<TitleEntry[] | null> {
    const out: TitleEntry[] = [];
    let sliceStart = performance.now();
    for (const r of rows) {
      const title = inboxTitle(r, this.keys);
      if (title === null) this.unreadable++;
      out.push({ id: r.id, caseNumber: r.caseNumber, status: r.status, receivedOn: r.receivedOn, title, folded: title === null ? "" : fold(title) });
      if (performance.now() - sliceStart >= this.sliceMs) {
        await yieldToPage();
        if (signal.aborted) {
          this.unreadable -= out.filter((e) => e.title === null).length;
          return null;
        }
        sliceStart = performance.now();
      }
    }
    return out;
  }
}

/** The path of one batch. */
export function caseTitlesPath(after: string | null, limit?: number): string {
  const q = new URLSearchParams();
  if (after) q.set("after", after);
  if (limit) q.set("limit", String(limit));
  const s = q.toString();
  return `/api/staff/case-titles${s ? `?${s}` : ""}`;
}
