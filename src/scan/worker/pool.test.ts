import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanWorkerPool } from './pool.ts';
import { fixturePath } from '../test-support/fixtures.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../api.ts';
import { MemorySource } from '../sources/memory-source.ts';
import type { ByteSource } from '../types.ts';
import { SLOW_START_MS } from '../test-support/slow-start.ts';

test('scans files and bytes in worker threads', async () => {
  const pool = new ScanWorkerPool({ size: 2 });
  try {
    const [a, b] = await Promise.all([
      pool.scanFile(fixturePath('pytorch', 'state-dict.pt')),
      pool.scanBytes(await readFile(fixturePath('pickle', 'os-system-p4.pkl')), 'evil.pkl'),
    ]);
    assert.equal(a.verdict, 'safe');
    assert.equal(a.format, 'pytorch-zip');
    assert.equal(b.verdict, 'malicious');
    assert.equal(b.path, 'evil.pkl');
  } finally {
    await pool.close();
  }
});

/** An evil pickle behind reads that answer on a later turn of the event loop, as a remote store's do; counts them. */
class SlowSource implements ByteSource {
  readonly size: number;
  reads = 0;
  readonly #bytes: Uint8Array;
  readonly #fail: string | null;
  readonly #hang: boolean;

  constructor(bytes: Uint8Array, options: { readonly fail?: string; readonly hang?: boolean } = {}) {
    this.#bytes = bytes;
    this.size = bytes.length;
    this.#fail = options.fail ?? null;
    this.#hang = options.hang === true;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    if (this.#hang) return new Promise<Uint8Array>(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#fail !== null) throw new Error(this.#fail);
    // A view of memory the source keeps: the pool must copy it, not hand it over.
    return this.#bytes.subarray(offset, Math.min(this.size, offset + length));
  }
}

test('a scan past its deadline is unscannable; a worker that has not answered by then is terminated; the pool keeps working', async () => {
  const pool = new ScanWorkerPool({ size: 1, graceMs: 0 });
  try {
    // A read that never answers: the worker cannot end the scan itself, so it is killed.
    const benign = await readFile(fixturePath('pytorch', 'state-dict.pt'));
    const stuck = await pool.scanSource(new SlowSource(benign, { hang: true }), 'model.pt', { limits: { timeoutMs: 1 } });
    assert.equal(stuck.verdict, 'unscannable');
    assert.ok(stuck.findings.some((f) => f.rule === 'scan.timeout' && f.message.includes('worker terminated')), JSON.stringify(stuck.findings));
    // A file given 1 ms with no grace: the worker's own deadline and the pool's end it at about
    // the same time, and either may come first (when this thread reads the worker's "ready" late,
    // the worker has already timed the scan out and answered), so only the time-out is certain.
    const slow = await pool.scanFile(fixturePath('pickle', 'benign-many-opcodes.pkl'), { limits: { timeoutMs: 1 } });
    assert.equal(slow.verdict, 'unscannable');
    assert.ok(slow.findings.some((f) => f.rule === 'scan.timeout'), JSON.stringify(slow.findings));
    const next = await pool.scanFile(fixturePath('pytorch', 'state-dict.pt'));
    assert.equal(next.verdict, 'safe');
  } finally {
    await pool.close();
  }
});

test('a missing file is an unscannable result, not a rejection', async () => {
  const pool = new ScanWorkerPool({ size: 1 });
  try {
    const r = await pool.scanFile('/nonexistent/model.pt');
    assert.equal(r.verdict, 'unscannable');
    assert.equal(r.findings[0]?.rule, 'scan.error');
  } finally {
    await pool.close();
  }
});

test('workers start with the first scan and stop with close', async () => {
  const pool = new ScanWorkerPool({ size: 2 });
  try {
    assert.equal(pool.workers, 0);
    assert.equal((await pool.scanFile(fixturePath('pytorch', 'state-dict.pt'))).verdict, 'safe');
    assert.equal(pool.workers, 1, 'one scan, one worker');
  } finally {
    await pool.close();
  }
  assert.equal(pool.workers, 0);
});

test('bytes handed over are detached; bytes that do not own their buffer are copied instead', async () => {
  const pool = new ScanWorkerPool({ size: 1 });
  try {
    const evil = await readFile(fixturePath('pickle', 'os-system-p4.pkl'));
    const owned = new Uint8Array(evil);
    assert.equal((await pool.scanBytes(owned, 'evil.pkl', {}, true)).verdict, 'malicious');
    assert.equal(owned.byteLength, 0, 'handed over, not copied');
    // A small Buffer is a view into Node's shared pool, which cannot be handed over.
    const pooled = Buffer.from(evil);
    assert.ok(pooled.byteLength < pooled.buffer.byteLength);
    assert.equal((await pool.scanBytes(pooled, 'evil.pkl', {}, true)).verdict, 'malicious');
    assert.ok(pooled.equals(evil), 'left as it was');
  } finally {
    await pool.close();
  }
});

test('a source only this thread can read is scanned in a worker that asks for its ranges', async () => {
  const pool = new ScanWorkerPool({ size: 1 });
  try {
    const evil = await readFile(fixturePath('pickle', 'os-system-p4.pkl'));
    const source = new SlowSource(evil);
    const got = await pool.scanSource(source, 'model.pkl');
    assert.equal(pool.workers, 1, 'scanned in the pool');
    assert.ok(source.reads > 0, 'the worker read through this thread');
    assert.deepEqual(got, await scan(new MemorySource(evil), 'model.pkl'));
    assert.equal(evil.byteLength > 0 && Buffer.from(evil).equals(await readFile(fixturePath('pickle', 'os-system-p4.pkl'))), true, 'the source\'s bytes are left as they were');
  } finally {
    await pool.close();
  }
});

test('a source whose reads are fresh hands them over as they are; others are copied', async () => {
  const pool = new ScanWorkerPool({ size: 1 });
  try {
    const evil = new Uint8Array(await readFile(fixturePath('pickle', 'os-system-p4.pkl')));
    const given: Uint8Array[] = [];
    const fresh: ByteSource = {
      size: evil.length,
      read: async (offset, length) => {
        const bytes = evil.slice(offset, Math.min(evil.length, offset + length));
        given.push(bytes);
        return bytes;
      },
    };
    assert.equal((await pool.scanSource(fresh, 'model.pkl', {}, true)).verdict, 'malicious');
    assert.ok(given.length > 0 && given.every((b) => b.byteLength === 0), 'handed over, not copied');
    given.length = 0;
    assert.equal((await pool.scanSource(fresh, 'model.pkl')).verdict, 'malicious');
    assert.ok(given.length > 0 && given.every((b) => b.byteLength > 0), 'copied');
  } finally {
    await pool.close();
  }
});

test('a source whose read fails, or never answers, gives a result that is not safe; the pool keeps working', async () => {
  const pool = new ScanWorkerPool({ size: 1, graceMs: 0 });
  try {
    const benign = await readFile(fixturePath('pytorch', 'state-dict.pt'));
    const failing = await pool.scanSource(new SlowSource(benign, { fail: 'the bucket said 503' }), 'model.pt');
    assert.notEqual(failing.verdict, 'safe');
    assert.ok(failing.findings.some((f) => f.message.includes('the bucket said 503')), JSON.stringify(failing.findings));
    const hanging = await pool.scanSource(new SlowSource(benign, { hang: true }), 'model.pt', { limits: { timeoutMs: 50 } });
    assert.equal(hanging.verdict, 'unscannable');
    assert.ok(hanging.findings.some((f) => f.rule === 'scan.timeout'), JSON.stringify(hanging.findings));
    assert.equal((await pool.scanSource(new SlowSource(benign), 'model.pt')).verdict, 'safe');
  } finally {
    await pool.close();
  }
});

test('a new worker\'s start-up does not count against its first scan\'s deadline', async () => {
  // A worker that takes 3 s to start, and a scan given half of that with no grace: counted from
  // the hand-over, the deadline would pass before the worker could answer; counted from the
  // worker's ready, a small file's scan has all of it.
  const pool = new ScanWorkerPool({ size: 1, graceMs: 0, entry: new URL('../test-support/slow-start-worker.ts', import.meta.url) });
  try {
    const first = await pool.scanFile(fixturePath('pytorch', 'state-dict.pt'), { limits: { timeoutMs: SLOW_START_MS / 2 } });
    assert.equal(first.verdict, 'safe', JSON.stringify(first.findings));
  } finally {
    await pool.close();
  }
});

test("workers use the compile cache of the thread that starts them: a worker started once the cache holds the scanner loads no TypeScript stripper of its own (npm run bench:start prints what that saves)", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-worker-cache-'));
  try {
    const probe = join(dir, 'probe.txt');
    // A process of its own, with the cache on (as bin/airlock.js turns it on), starting a worker twice.
    const script = [
      "import { enableCompileCache } from 'node:module';",
      `enableCompileCache(${JSON.stringify(join(dir, 'cache'))});`,
      `const { ScanWorkerPool } = await import(${JSON.stringify(new URL('./pool.ts', import.meta.url).href)});`,
      'for (let i = 0; i < 2; i++) {',
      `  const pool = new ScanWorkerPool({ size: 1, entry: new URL(${JSON.stringify(new URL('../test-support/stripper-probe-worker.ts', import.meta.url).href)}) });`,
      "  await pool.scanBytes(new Uint8Array(16), 'x.safetensors');",
      '  await pool.close();',
      '}',
    ].join('\n');
    await writeFile(join(dir, 'run.mjs'), script);
    const run = spawnSync(process.execPath, [join(dir, 'run.mjs')], { env: { ...process.env, AIRLOCK_TEST_STRIPPER_PROBE: probe }, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((await readFile(probe, 'utf8')).trim().split('\n'), ['loaded', 'not loaded'], 'the first worker fills the cache; the next one finds the scanner in it');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
