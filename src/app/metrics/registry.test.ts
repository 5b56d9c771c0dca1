import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Collected, Counter, Gauge, Histogram, Registry } from './registry.ts';

test('a collected gauge renders what its collect emits at each scrape: a series no longer emitted is gone, and the last value for the same labels wins', () => {
  const r = new Registry();
  let backlog = new Map([['npm', 2], ['pypi', 1]]);
  r.register(
    new Collected('waiting', 'Waiting, by repository.', 'gauge', ['repo'], (emit) => {
      emit({ repo: 'npm' }, 0);
      for (const [repo, n] of backlog) emit({ repo }, n);
    }),
  );
  assert.equal(r.render(), '# HELP waiting Waiting, by repository.\n# TYPE waiting gauge\nwaiting{repo="npm"} 2\nwaiting{repo="pypi"} 1\n');
  backlog = new Map();
  assert.equal(r.render(), '# HELP waiting Waiting, by repository.\n# TYPE waiting gauge\nwaiting{repo="npm"} 0\n');
});

test('a collected counter renders the running total it reads, typed counter', () => {
  const r = new Registry();
  let total = 1.5;
  r.register(new Collected('cpu_seconds_total', 'CPU.', 'counter', [], (emit) => emit({}, total)));
  total = 2.25;
  assert.equal(r.render(), '# HELP cpu_seconds_total CPU.\n# TYPE cpu_seconds_total counter\ncpu_seconds_total 2.25\n');
});

test('HELP text escapes backslashes and line feeds; label values escape quotes too; infinities and NaN in the format Prometheus reads', () => {
  const r = new Registry();
  r.register(new Gauge('odd', 'a \\ b\nc "d"', ['v'])).set({ v: 'x"y\\z\nw' }, Number.NEGATIVE_INFINITY);
  r.register(new Collected('more', 'm', 'gauge', ['k'], (emit) => {
    emit({ k: 'inf' }, Number.POSITIVE_INFINITY);
    emit({ k: 'nan' }, Number.NaN);
  }));
  assert.equal(
    r.render(),
    '# HELP odd a \\\\ b\\nc "d"\n# TYPE odd gauge\nodd{v="x\\"y\\\\z\\nw"} -Inf\n# HELP more m\n# TYPE more gauge\nmore{k="inf"} +Inf\nmore{k="nan"} NaN\n',
  );
});

test('the registry refuses what promtool would flag: a name taken twice (a histogram takes _bucket, _sum and _count), a counter not ending in _total, _total on another type, reserved or invalid labels', () => {
  const r = new Registry();
  r.register(new Counter('requests_total', 'r', []));
  r.register(new Histogram('latency_seconds', 'l', ['route'], [0.1, 1]));
  const refused: [string, () => unknown, RegExp][] = [
    ['the same name', () => r.register(new Counter('requests_total', 'again', [])), /requests_total is already registered/],
    ['a histogram series name', () => r.register(new Gauge('latency_seconds_count', 'c', [])), /latency_seconds_count is already registered/],
    ['a counter without _total', () => r.register(new Counter('requests', 'r', [])), /a counter's name ends in _total/],
    ['a gauge with _total', () => r.register(new Collected('things_total', 't', 'gauge', [], () => {})), /only a counter's name ends in _total/],
    ['an invalid name', () => r.register(new Gauge('bad-name', 'b', [])), /not a valid metric name/],
    ['le on a histogram', () => r.register(new Histogram('sizes_bytes', 's', ['le'], [1])), /label le is reserved/],
    ['a reserved label', () => r.register(new Gauge('g', 'g', ['__name'])), /label __name is reserved/],
    ['a label twice', () => r.register(new Gauge('g2', 'g', ['a', 'a'])), /a label named twice/],
  ];
  for (const [what, f, message] of refused) assert.throws(f, message, what);
  // A histogram over a free name takes its series' names too.
  r.register(new Histogram('sizes', 's', [], [1]));
  assert.throws(() => r.register(new Gauge('sizes_sum', 's', [])), /sizes_sum is already registered/);
  assert.match(r.render(), /# TYPE requests_total counter\n# HELP latency_seconds l\n# TYPE latency_seconds histogram\n# HELP sizes s\n# TYPE sizes histogram\n$/);
});

test('series are told apart by each label value as it is: values that read alike once joined stay two series', () => {
  const r = new Registry();
  const c = r.register(new Counter('joined_total', 'Joined.', ['a', 'b']));
  c.inc({ a: 'x\u0001y', b: 'z' });
  c.inc({ a: 'x', b: 'y\u0001z' }, 2);
  c.inc({ a: 'x', b: 'y\u0001z' });
  const g = r.register(new Gauge('plain', 'Plain.', []));
  g.set({}, 4);
  g.set({}, 5);
  assert.equal(
    r.render(),
    '# HELP joined_total Joined.\n# TYPE joined_total counter\njoined_total{a="x\u0001y",b="z"} 1\njoined_total{a="x",b="y\u0001z"} 3\n# HELP plain Plain.\n# TYPE plain gauge\nplain 5\n',
  );
});

test('label values given in the order of the label names count in the same series as the same labels given by name', () => {
  const r = new Registry();
  const c = r.register(new Counter('hits_total', 'Hits.', ['repo', 'result']));
  c.inc({ result: 'hit', repo: 'npm' });
  c.incAt(['npm', 'hit'], 2);
  c.incAt(['npm', 'miss']);
  const h = r.register(new Histogram('took_seconds', 'Took.', ['route'], [0.1, 1]));
  h.observe({ route: '/a' }, 0.05);
  h.observeAt(['/a'], 0.5);
  assert.equal(
    r.render(),
    [
      '# HELP hits_total Hits.',
      '# TYPE hits_total counter',
      'hits_total{repo="npm",result="hit"} 3',
      'hits_total{repo="npm",result="miss"} 1',
      '# HELP took_seconds Took.',
      '# TYPE took_seconds histogram',
      'took_seconds_bucket{route="/a",le="0.1"} 1',
      'took_seconds_bucket{route="/a",le="1"} 2',
      'took_seconds_bucket{route="/a",le="+Inf"} 2',
      'took_seconds_sum{route="/a"} 0.55',
      'took_seconds_count{route="/a"} 2',
      '',
    ].join('\n'),
  );
});
