/**
 * `npm run bench:npm:group`: what a group repository adds to the hot path. One Airlock serves the
 * workload's registry through its proxy `npm` and through a group `all` of a hosted repository
 * and that proxy (the hosted member first, as recommended, so every public name is first looked
 * for in it). The hot packument (`bench:npm`'s, gzip) and the hot ~1 MB tarball are loaded
 * through the proxy's URL and through the group's, alternately (the group first in every other
 * round), `--rounds` rounds of `--seconds` each; medians of requests/s and p99 side by side.
 * The group remembers which member has a name for the hosted member's max age (10 s): loads
 * longer than that include its look-ups again.
 */
import { parseArgs } from 'node:util';
import { airlock, startFloor } from './processes.ts';
import { load, toolCaveat, type LoadResult } from './load.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';
import { ensureWorkloadCache, HOT_CONNECTIONS, HOT_PACKUMENT, HOT_PACKUMENT_HEADERS, HOT_TARBALL } from './workload.ts';
import { removeDeferred } from './scratch.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '8' } } });
const ROUNDS = wholeNumber(values.rounds, 'rounds');
const SECONDS = wholeNumber(values.seconds, 'seconds');

const GROUP = ['  - name: internal', '    format: npm', '    kind: hosted', '  - name: all', '    format: npm', '    kind: group', '    members: [internal, npm]'];

async function main(): Promise<void> {
  await ensureWorkloadCache((line) => process.stdout.write(`${line}\n`));
  const floor = await startFloor();
  const a = await airlock(floor.url, undefined, {}, GROUP);
  const rows: string[] = [];
  let tool = '';
  try {
    const tgz = `${HOT_TARBALL.name}/-/${HOT_TARBALL.name}-${HOT_TARBALL.version}.tgz`;
    for (const [label, path, headers] of [
      [`packument ${HOT_PACKUMENT} (gzip)`, HOT_PACKUMENT, HOT_PACKUMENT_HEADERS],
      [`tarball ${HOT_TARBALL.name}@${HOT_TARBALL.version}`, tgz, {}],
    ] as const) {
      // Fetched, judged and rendered once through each URL before any load.
      for (const repo of ['npm', 'all']) {
        const res = await fetch(`${a.url}/${repo}/${path}`, { headers });
        if (res.status !== 200) throw new Error(`${repo}/${path} answered ${res.status}`);
        await res.arrayBuffer();
      }
      const proxy: LoadResult[] = [];
      const group: LoadResult[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? (['npm', 'all'] as const) : (['all', 'npm'] as const);
        for (const repo of order) {
          const result = await load(`${a.url}/${repo}/${path}`, headers, SECONDS, HOT_CONNECTIONS);
          if (result.non2xx > 0) throw new Error(`${repo}/${path}: ${result.non2xx} responses were not 2xx`);
          (repo === 'npm' ? proxy : group).push(result);
          tool = result.tool;
        }
      }
      const rps = (rs: readonly LoadResult[]): number => median(rs.map((x) => x.requestsPerSecond));
      const p99 = (rs: readonly LoadResult[]): number => median(rs.map((x) => x.p99Ms));
      rows.push(
        `  ${label.padEnd(30)} proxy /npm/ ${rps(proxy).toFixed(0).padStart(6)} req/s p99 ${p99(proxy).toFixed(2)} ms   ` +
          `group /all/ ${rps(group).toFixed(0).padStart(6)} req/s p99 ${p99(group).toFixed(2)} ms   (group/proxy ${(rps(group) / rps(proxy)).toFixed(3)}x)`,
      );
    }
  } finally {
    await a.stop();
    await floor.child.stop();
    await removeDeferred();
  }
  process.stdout.write(['', `hot loads through a proxy and through a group (internal, npm) on one Airlock: ${ROUNDS} rounds of ${SECONDS} s, ${HOT_CONNECTIONS} connections, ${tool}, median`, ...rows, ...toolCaveat(tool), ''].join('\n'));
}

await main();
