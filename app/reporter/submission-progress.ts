// The figures of one progress display for a whole submission: bytes sent of
// all files, the percentage, and the time left estimated from the rate over a
// sliding window (the last ~20 s), so a stall or a faster stretch shows soon
// but one slow part does not swing it. Pure: the report form feeds it the
// transport's per-file progress and the time; tests feed it both.

export interface SubmissionFigures {
  sentBytes: number;
  totalBytes: number;
  /** Whole percent, 0 to 100. */
  percent: number;
  /** null until the window spans enough time to tell a rate, and while nothing moves. */
  secondsLeft: number | null;
  /** The file being sent (0-based) and how many there are. */
  file: number;
  files: number;
}

/** The rate is measured over at least this much time, so the first part's burst does not promise too much. */
const MIN_SPAN_MS = 2_000;

export class SubmissionMeter {
  private readonly before: number[];
  private readonly total: number;
  /** (time, bytes) samples; the first is the newest one at or before the window's start. */
  private samples: { at: number; bytes: number }[] = [];

  /** `fileBytes`: what each file takes on the wire (intake-client's `wireBytes`). */
  constructor(
    private readonly fileBytes: number[],
    private readonly windowMs = 20_000,
  ) {
    let sum = 0;
    this.before = fileBytes.map((n) => ((sum += n), sum - n));
    this.total = sum;
  }

  /** The figures after file `file` has sent `sentBytes` of its own bytes, at `now` (ms). */
  update(file: number, sentBytes: number, now: number): SubmissionFigures {
    const sent = Math.min(this.total, (this.before[file] ?? this.total) + sentBytes);
    const last = this.samples.at(-1);
    if (last && last.at >= now) last.bytes = sent;
    else this.samples.push({ at: now, bytes: sent });
    while (this.samples.length > 2 && this.samples[1]!.at <= now - this.windowMs) this.samples.shift();
    return this.figures(file, sent, now);
  }

  private figures(file: number, sent: number, now: number): SubmissionFigures {
    const first = this.samples[0]!;
    const span = now - first.at;
    const rate = span >= MIN_SPAN_MS ? (sent - first.bytes) / span : 0;
    return {
      sentBytes: sent,
      totalBytes: this.total,
      percent: this.total > 0 ? Math.floor((sent / this.total) * 100) : 100,
      secondsLeft: rate > 0 ? Math.ceil((this.total - sent) / rate / 1000) : null,
      file,
      files: this.fileBytes.length,
    };
  }
}

/**
 * Whether a screen reader should hear the progress now: at each further 10 % step, but not sooner than
 * `minGapMs` after the last announcement (a polite region read at every part would drown the page).
 */
export function dueAnnouncement(last: { percent: number; at: number } | null, percent: number, now: number, minGapMs = 5_000): boolean {
  if (!last) return true;
  return Math.floor(percent / 10) > Math.floor(last.percent / 10) && now - last.at >= minGapMs;
}

/** Time left, rounded as a person would say it: seconds to the next 5, minutes, or hours and minutes. */
export function roundedTimeLeft(seconds: number): { unit: "seconds"; n: number } | { unit: "minutes"; n: number } | { unit: "hours"; h: number; m: number } {
  if (seconds < 60) return { unit: "seconds", n: Math.max(5, Math.ceil(seconds / 5) * 5) };
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return { unit: "minutes", n: minutes };
  return { unit: "hours", h: Math.floor(minutes / 60), m: minutes % 60 };
}
