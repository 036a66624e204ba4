// Counters, histograms and gauges in Prometheus's text exposition format (version 0.0.4), written here
// rather than taken from prom-client (ADR 040): the portal needs three metric types with fixed label
// names, and the format is a few lines of text per series.
//
// A metric declares its label names; every sample must give exactly those. Label values are escaped
// (backslash, double quote, newline) but never inspected: keeping them free of anything about a report
// or a person, and few, is the callers' job (server/metrics.ts says how each is bounded).

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

interface Metric {
  readonly name: string;
  render(): Promise<string[]> | string[];
}

/** Metric and label names as Prometheus allows them. */
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function formatLabels(labels: [string, string][]): string {
  return labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}

/** Checks a metric's names once, when it is declared. */
function checkNames(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new RangeError(`not a metric name: ${name}`);
  for (const l of labelNames) if (!LABEL.test(l) || l.startsWith("__") || l === "le") throw new RangeError(`not a label name: ${l}`);
}

/** The label values in declared order, and the series key they make. */
function seriesOf(labelNames: readonly string[], labels: Labels): { values: string[]; key: string } {
  const given = Object.keys(labels);
  if (given.length !== labelNames.length || labelNames.some((l) => typeof labels[l] !== "string")) {
    throw new RangeError(`labels must be exactly ${labelNames.join(", ") || "none"}, got ${given.join(", ") || "none"}`);
  }
  const values = labelNames.map((l) => labels[l]!);
  return { values, key: JSON.stringify(values) };
}

export class Counter implements Metric {
  private readonly series = new Map<string, { values: string[]; value: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[] = [],
  ) {
    checkNames(name, labelNames);
  }

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new RangeError("a counter only goes up");
    const { values, key } = seriesOf(this.labelNames, labels);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { values, value: by });
  }

  /** Adds every series to `target` (declared alike) and empties this one. */
  moveInto(target: Counter): void {
    for (const s of this.series.values()) target.inc(Object.fromEntries(this.labelNames.map((l, i) => [l, s.values[i]!])), s.value);
    this.series.clear();
  }

  render(): string[] {
    const lines = header(this.name, this.help, "counter");
    for (const s of this.series.values()) lines.push(`${this.name}${formatLabels(this.labelNames.map((l, i) => [l, s.values[i]!]))} ${formatValue(s.value)}`);
    return lines;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { values: string[]; buckets: number[]; sum: number; count: number }>();
  private readonly bounds: number[];

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
    /** Upper bounds, ascending; +Inf is added. */
    bounds: readonly number[],
  ) {
    checkNames(name, labelNames);
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
      throw new RangeError("histogram bounds must be finite and ascending");
    }
    this.bounds = [...bounds];
  }

  observe(labels: Labels, value: number): void {
    const { values, key } = seriesOf(this.labelNames, labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values, buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) s.buckets[i]!++;
    s.sum += value;
    s.count++;
  }

  /** Adds every series to `target` (declared alike: same labels and bounds) and empties this one. */
  moveInto(target: Histogram): void {
    if (target.bounds.join() !== this.bounds.join()) throw new RangeError("histograms with other bounds");
    for (const [key, s] of this.series) {
      let t = target.series.get(key);
      if (!t) target.series.set(key, (t = { values: s.values, buckets: this.bounds.map(() => 0), sum: 0, count: 0 }));
      s.buckets.forEach((n, i) => (t.buckets[i]! += n));
      t.sum += s.sum;
      t.count += s.count;
    }
    this.series.clear();
  }

  render(): string[] {
    const lines = header(this.name, this.help, "histogram");
    for (const s of this.series.values()) {
      const labels = this.labelNames.map((l, i): [string, string] => [l, s.values[i]!]);
      let cumulative = 0;
      this.bounds.forEach((b, i) => {
        cumulative += s.buckets[i]!;
        lines.push(`${this.name}_bucket${formatLabels([...labels, ["le", formatValue(b)]])} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${formatLabels([...labels, ["le", "+Inf"]])} ${s.count}`);
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${s.count}`);
    }
    return lines;
  }
}

/** A value read when the metrics are scraped (a gauge, or a counter another part keeps, such as CPU time). */
export class Collected implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: "gauge" | "counter",
    private readonly labelNames: readonly string[],
    private readonly collect: () => Promise<Sample[]> | Sample[],
  ) {
    checkNames(name, labelNames);
  }

  async render(): Promise<string[]> {
    const lines = header(this.name, this.help, this.type);
    for (const s of await this.collect()) {
      const { values } = seriesOf(this.labelNames, s.labels);
      lines.push(`${this.name}${formatLabels(this.labelNames.map((l, i) => [l, values[i]!]))} ${formatValue(s.value)}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new RangeError(`metric ${metric.name} is declared twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  /** Every metric, in the order declared, as the body of GET /metrics. */
  async render(): Promise<string> {
    const parts = await Promise.all([...this.metrics.values()].map((m) => m.render()));
    return `${parts.flat().join("\n")}\n`;
  }
}

/** The Content-Type of `render()`'s text. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
