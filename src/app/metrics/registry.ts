/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format (0.0.4). Label cardinality is the caller's responsibility (route patterns,
 * not URLs).
 */
type Labels = Readonly<Record<string, string>>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== '') parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  return String(v);
}

interface Metric {
  render(): string;
}

abstract class Labelled<S> implements Metric {
  protected readonly series = new Map<string, { values: readonly string[]; state: S }>();
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected abstract readonly type: string;

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract fresh(): S;

  protected state(labels: Labels): S {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = values.join('\u0001');
    let s = this.series.get(key);
    if (s === undefined) {
      s = { values, state: this.fresh() };
      this.series.set(key, s);
    }
    return s.state;
  }

  protected header(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
  }

  abstract render(): string;
}

export class Counter extends Labelled<{ v: number }> {
  protected readonly type = 'counter';
  protected fresh(): { v: number } {
    return { v: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).v += by;
  }
  render(): string {
    let out = this.header();
    for (const { values, state } of this.series.values()) out += `${this.name}${labelText(this.labelNames, values)} ${formatValue(state.v)}\n`;
    return out;
  }
}

export class Gauge extends Labelled<{ v: number }> {
  protected readonly type = 'gauge';
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

export class Histogram extends Labelled<{ counts: number[]; sum: number; count: number }> {
  protected readonly type = 'histogram';
  readonly buckets: readonly number[];
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected fresh(): { counts: number[]; sum: number; count: number } {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  observe(labels: Labels, v: number): void {
    const s = this.state(labels);
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

export class Registry {
  readonly #metrics: Metric[] = [];

  register<M extends Metric>(m: M): M {
    this.#metrics.push(m);
    return m;
  }

  render(): string {
    return this.#metrics.map((m) => m.render()).join('');
  }
}
