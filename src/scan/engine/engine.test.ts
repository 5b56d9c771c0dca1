import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanBytes } from '../api.ts';
import type { FormatAnalyzer } from '../types.ts';
import { ScanFormatError, ScanLimitError } from './errors.ts';
import { MemorySource } from '../sources/memory-source.ts';
import { finding } from './findings.ts';
import { buildTar } from '../packages/test-archives.ts';

const enc = new TextEncoder();

/** A toy container: "BOX" then the rest is nested content. */
const box: FormatAnalyzer = {
  format: 'zip',
  detect: (head) => head[0] === 0x42 && head[1] === 0x4f && head[2] === 0x58,
  async analyze(source, ctx) {
    const inner = await source.read(3, source.size - 3);
    await ctx.scanNested(new MemorySource(inner), 'inner');
  },
};
const bad: FormatAnalyzer = {
  format: 'pickle',
  detect: (head) => head[0] === 0x21,
  analyze() {
    return Promise.reject(new ScanFormatError('toy.bad', 'bad toy', 1));
  },
};
const evil: FormatAnalyzer = {
  format: 'gguf',
  detect: (head) => head[0] === 0x45,
  analyze(_source, ctx) {
    ctx.report(finding('toy.evil', 'malicious', 'evil', { offset: 0 }));
    return Promise.resolve();
  },
};
const big: FormatAnalyzer = {
  format: 'onnx',
  detect: (head) => head[0] === 0x47,
  analyze() {
    return Promise.reject(new ScanLimitError('maxMemberBytes', 'too big'));
  },
};
const slow: FormatAnalyzer = {
  format: 'hdf5',
  detect: (head) => head[0] === 0x53,
  async analyze(source, ctx) {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      await source.read(0, 1);
      if (ctx.signal.aborted) await source.read(0, 1);
    }
  },
};
const analyzers = [box, bad, evil, big, slow];

test('unknown top-level content is unscannable, never safe', async () => {
  const r = await scanBytes(enc.encode('hello'), 'x', { analyzers });
  assert.equal(r.verdict, 'unscannable');
  assert.equal(r.format, 'unknown');
  assert.equal(r.findings[0]?.rule, 'scan.format.unknown');
});

test('callers may downgrade unknown formats to info', async () => {
  const r = await scanBytes(enc.encode('hello'), 'x', { analyzers, unknownFormat: 'info' });
  assert.equal(r.verdict, 'safe');
});

test('parse errors become invalid findings; limit breaches unscannable', async () => {
  assert.equal((await scanBytes(enc.encode('!x'), 'x', { analyzers })).verdict, 'invalid');
  const r = await scanBytes(enc.encode('Gx'), 'x', { analyzers });
  assert.equal(r.verdict, 'unscannable');
  assert.equal(r.findings[0]?.rule, 'scan.limit.maxMemberBytes');
});

test('nested findings carry the member path and decide the verdict', async () => {
  const r = await scanBytes(enc.encode('BOXBOXE'), 'x', { analyzers });
  assert.equal(r.verdict, 'malicious');
  assert.equal(r.format, 'zip');
  assert.equal(r.findings[0]?.evidence.member, 'inner!inner');
});

test('nesting beyond the depth limit is a finding', async () => {
  const r = await scanBytes(enc.encode('BOX'.repeat(5) + 'E'), 'x', { analyzers, limits: { maxNestingDepth: 2 } });
  assert.equal(r.verdict, 'unscannable');
  assert.ok(r.findings.some((f) => f.rule === 'scan.limit.depth'));
});

test('the time budget ends the scan with a finding', async () => {
  const r = await scanBytes(enc.encode('S'), 'x', { analyzers, limits: { timeoutMs: 30 } });
  assert.equal(r.verdict, 'unscannable');
  assert.equal(r.findings[0]?.rule, 'scan.timeout');
});

test('content outside the expected formats is flagged', async () => {
  const r = await scanBytes(enc.encode('BOXhello'), 'x', { analyzers, expectedFormats: ['safetensors'] });
  assert.equal(r.verdict, 'suspicious');
  assert.ok(r.findings.some((f) => f.rule === 'scan.format.unexpected'));
});

test('the deadline holds between the members of an archive read from memory: a tar of 2,000 pickles given 5 ms is unscannable', async () => {
  // Each member is read and scanned without waiting on anything; before the engine gave the event
  // loop a turn between them, the deadline's timer never fired and the whole archive came back safe.
  const pickle = new Uint8Array([0x80, 2, ...Array.from({ length: 2_000 }, () => [0x4e, 0x30]).flat(), 0x4e, 0x2e]);
  const archive = buildTar(Array.from({ length: 2_000 }, (_, i) => ({ name: `m${i}.pkl`, data: pickle })));
  const slow = await scanBytes(archive, 'models.tar', { limits: { timeoutMs: 5 } });
  assert.equal(slow.verdict, 'unscannable');
  assert.ok(slow.findings.some((f) => f.rule === 'scan.timeout'), JSON.stringify(slow.findings.slice(0, 3)));
  const unhurried = await scanBytes(archive, 'models.tar');
  assert.equal(unhurried.verdict, 'safe');
});
