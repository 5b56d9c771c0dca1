/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (0.0.4). Label cardinality is the caller's responsibility (route patterns,
 * not URLs). What `promtool check metrics` would flag is refused when a metric is registered
 * (a name used twice, a counter not ending in `_total`, a reserved label), so a scrape cannot
 * carry it.
 */
type Labels = Readonly<Record<string, string>>;
type MetricType = 'counter' | 'gauge' | 'histogram';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** HELP text escapes backslashes and line feeds (not quotes). */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== '') parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function header(name: string, help: string, type: MetricType): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

export interface Metric {
  readonly name: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  render(): string;
}

abstract class Labelled<S> implements Metric {
  /** Every series, in the order they appeared (as rendered). */
  protected readonly series: { values: readonly string[]; state: S }[] = [];
  /**
   * The series by label value, one level of maps per label (the last level holds the series):
   * counting a request looks up its labels' strings as they are, without building a key.
   */
  readonly #index = new Map<string, unknown>();
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract fresh(): S;

  protected state(labels: Labels): S {
    return this.stateAt(this.labelNames.map((n) => labels[n] ?? ''));
  }

  /**
   * The series of label values given in the order of the label names. Counting a request takes
   * this way: reading the labels out of an object, whose shape differs from metric to metric, was
   * most of the cost.
   */
  protected stateAt(values: readonly string[]): S {
    const last = this.labelNames.length - 1;
    let level = this.#index;
    for (let i = 0; i < last; i++) {
      const v = values[i] ?? '';
      let next = level.get(v) as Map<string, unknown> | undefined;
      if (next === undefined) level.set(v, (next = new Map()));
      level = next;
    }
    const v = last < 0 ? '' : (values[last] ?? '');
    let s = level.get(v) as { values: readonly string[]; state: S } | undefined;
    if (s === undefined) {
      s = { values: this.labelNames.map((_n, i) => values[i] ?? ''), state: this.fresh() };
      level.set(v, s);
      this.series.push(s);
    }
    return s.state;
  }

  protected header(): string {
    return header(this.name, this.help, this.type);
  }

  abstract render(): string;
}

export class Counter extends Labelled<{ v: number }> {
  readonly type = 'counter';
  protected fresh(): { v: number } {
    return { v: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).v += by;
  }
  /** `inc` with the label values in the order of the label names. */
  incAt(values: readonly string[], by = 1): void {
    this.stateAt(values).v += by;
  }
  render(): string {
    let out = this.header();
    for (const { values, state } of this.series.values()) out += `${this.name}${labelText(this.labelNames, values)} ${formatValue(state.v)}\n`;
    return out;
  }
}

export class Gauge extends Labelled<{ v: number }> {
  readonly type = 'gauge';
  readonly #collect: ((g: Gauge) => void) | null;
  constructor(name: string, help: string, labelNames: readonly string[], collect?: (g: Gauge) => void) {
    super(name, help, labelNames);
    this.#collect = collect ?? null;
  }
  protected fresh(): { v: number } {
    return { v: 0 };
  }
  set(labels: Labels, v: number): void {
    this.state(labels).v = v;
  }
  render(): string {
    this.#collect?.(this);
    let out = this.header();
    for (const { values, state } of this.series.values()) out += `${this.name}${labelText(this.labelNames, values)} ${formatValue(state.v)}\n`;
    return out;
  }
}

/** Emits one series' current value (the last emitted for the same labels wins). */
export type Emit = (labels: Labels, value: number) => void;

/**
 * A counter or gauge read when scraped: `collect` emits the current value of each series, and
 * only those are rendered, so a series it no longer emits is gone rather than stale (a figure
 * that cannot be read is left out). A counter's collect emits a running total that never goes
 * down (CPU seconds since the process started).
 */
export class Collected implements Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly #collect: (emit: Emit) => void;

  constructor(name: string, help: string, type: 'counter' | 'gauge', labelNames: readonly string[], collect: (emit: Emit) => void) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.labelNames = labelNames;
    this.#collect = collect;
  }

  render(): string {
    const rows = new Map<string, string>();
    this.#collect((labels, value) => {
      const text = labelText(this.labelNames, this.labelNames.map((n) => labels[n] ?? ''));
      rows.set(text, `${this.name}${text} ${formatValue(value)}\n`);
    });
    return header(this.name, this.help, this.type) + [...rows.values()].join('');
  }
}

export class Histogram extends Labelled<{ counts: number[]; sum: number; count: number }> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected fresh(): { counts: number[]; sum: number; count: number } {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels, v: number): void {
    this.#record(this.state(labels), v);
  }
  /** `observe` with the label values in the order of the label names. */
  observeAt(values: readonly string[], v: number): void {
    this.#record(this.stateAt(values), v);
  }
  #record(s: { counts: number[]; sum: number; count: number }, v: number): void {
    s.sum += v;
    s.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= (this.buckets[i] as number)) s.counts[i] = (s.counts[i] ?? 0) + 1;
  }
  render(): string {
    let out = this.header();
    for (const { values, state } of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out += `${this.name}_bucket${labelText(this.labelNames, values, `le="${formatValue(b)}"`)} ${state.counts[i] ?? 0}\n`;
      });
      out += `${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${state.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(state.sum)}\n`;
      out += `${this.name}_count${labelText(this.labelNames, values)} ${state.count}\n`;
    }
    return out;
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The names a metric's samples use: a histogram's series are `_bucket`, `_sum` and `_count`. */
function sampleNames(m: Metric): readonly string[] {
  return m.type === 'histogram' ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
}

export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #names = new Set<string>();
  /** Counts renders: what `oncePerScrape` keeps is kept for one. */
  #scrape = 0;

  /** Adds a metric; refuses one the exposition format or Prometheus' conventions would not take. */
  register<M extends Metric>(m: M): M {
    if (!METRIC_NAME.test(m.name)) throw new Error(`metric ${m.name}: not a valid metric name`);
    if (m.type === 'counter' && !m.name.endsWith('_total')) throw new Error(`metric ${m.name}: a counter's name ends in _total`);
    if (m.type !== 'counter' && m.name.endsWith('_total')) throw new Error(`metric ${m.name}: only a counter's name ends in _total`);
    for (const l of m.labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || (m.type === 'histogram' && l === 'le')) throw new Error(`metric ${m.name}: label ${l} is reserved or not a valid label name`);
    }
    if (new Set(m.labelNames).size !== m.labelNames.length) throw new Error(`metric ${m.name}: a label named twice`);
    const names = sampleNames(m);
    const taken = names.find((n) => this.#names.has(n));
    if (taken !== undefined) throw new Error(`metric ${m.name}: ${taken} is already registered`);
    for (const n of names) this.#names.add(n);
    this.#metrics.push(m);
    return m;
  }

  /**
   * `read` once per render, however many metrics report from it (process.memoryUsage() walks the
   * heap's spaces; a review backlog walks every reviewed version).
   */
  oncePerScrape<T>(read: () => T): () => T {
    let held: { readonly scrape: number; readonly value: T } | null = null;
    return () => {
      if (held === null || held.scrape !== this.#scrape) held = { scrape: this.#scrape, value: read() };
      return held.value;
    };
  }

  render(): string {
    this.#scrape++;
    return this.#metrics.map((m) => m.render()).join('');
  }
}
