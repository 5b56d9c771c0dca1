/**
 * `npm run bench:request`: what Airlock adds to every request besides routing and the response
 * itself, each piece beside its baseline measured in the same run:
 *   - a request id from the app's generator, each in a new millisecond (its dearest case: fresh
 *     random bits), beside one `randomFillSync` call per id, which the generator's pool avoids;
 *   - an id within the same millisecond (the 80-bit part counted up);
 *   - the access line through `accessLogger` (no redaction), beside the same line through a
 *     request's child of the app's redacting logger (which wrote it before).
 * Lines go to /dev/null. Median of `--rounds` rounds (default 5) of `--count` operations each.
 */
import { randomFillSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { accessLogger, createLogger } from '../../src/app/logger.ts';
import { createIdGenerator } from '../../src/core/index.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, count: { type: 'string', default: '200000' } } });
const ROUNDS = wholeNumber(values.rounds, 'rounds');
const COUNT = wholeNumber(values.count, 'count');

/** Nanoseconds per call of `fn`, median over the rounds (after one round of warm-up). */
function perCall(fn: (i: number) => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < COUNT; i++) fn(i);
    if (r > 0) rounds.push(Number(process.hrtime.bigint() - start) / COUNT);
  }
  return median(rounds);
}

let ms = Date.now();
const newMillisecond = createIdGenerator({ now: () => ms++ });
const sameMillisecond = createIdGenerator({ now: () => 1_700_000_000_000 });
const log = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
const access = accessLogger(log);
const reqId = sameMillisecond();
// Fastify makes a child per request either way; only the line written through it differs.
const requestLog = log.child({ reqId });
const fields = (i: number) => ({ method: 'GET', url: '/npm/lodash', status: 200, ms: (i % 500) / 100 });

const rows: [string, number, string, number][] = [
  ['request id, new millisecond', perCall(() => newMillisecond()), 'one randomFillSync per id', perCall(() => randomFillSync(new Uint8Array(16)))],
  ['request id, same millisecond', perCall(() => sameMillisecond()), '', Number.NaN],
  ['access line, accessLogger', perCall((i) => access.info({ reqId, ...fields(i) }, 'request')), 'redacting child logger', perCall((i) => requestLog.info(fields(i), 'request'))],
];
process.stdout.write(`per request, ${COUNT} calls a round, median of ${ROUNDS} rounds\n`);
for (const [what, ns, baseline, baseNs] of rows) {
  process.stdout.write(`  ${what.padEnd(30)} ${(ns / 1000).toFixed(2).padStart(6)} µs${baseline === '' ? '' : `   baseline, ${baseline}: ${(baseNs / 1000).toFixed(2)} µs`}\n`);
}
