/**
 * `airlock storage sweep`: remove the blobs nothing refers to any more (old copies of packuments
 * that changed upstream) from a data directory, and with `--artifact-retention` the bytes of
 * artifacts nobody downloaded for that long. Safe while `airlock serve` runs on it: blobs
 * committed within the grace period are kept, and a gateway that finds a blob gone fetches it
 * again (and verifies it).
 */
import { sweepStorage } from '../../app/storage-sweep.ts';
import { localStorageOptions, openLocalStorage, wantsLocalStorage } from '../admin/local-storage.ts';
import { formatDuration, parseDuration } from '../../gate/duration.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, parse } from '../admin/cli-support.ts';

const DEFAULT_GRACE = '1d';

const HELP = `usage: airlock storage sweep (--data-dir DIR | --config FILE) [--grace DURATION] [--artifact-retention DURATION] [--dry-run]

Removes the blobs in DIR (or in the blob store the configuration names, such as an S3 bucket)
that no cached document or artifact refers to any more (the old copies of packuments that
changed upstream), except those committed within the grace period (default ${DEFAULT_GRACE}).
First, the image repositories of hosted oci repositories stop naming the blobs uploaded to them
longer ago than the grace that no manifest names (and the blobs deleted images left), so those
go too.
Safe to run while airlock serve uses the same storage, for example daily from cron, with a
grace of an hour or more: a gateway commits a blob before the record naming it, and a push
uploads its layers before its manifest, so a shorter grace may remove the blobs of writes in
progress (hosted packages have no other copy). A grace under an hour is for storage no gateway
is writing to.
--artifact-retention also evicts the bytes of artifacts (tarballs) nobody has downloaded for
that long, except those of versions under quarantine; their records and decisions stay, and the
next download fetches and verifies them again. A tarball's downloads are written at most hourly
(by a running gateway, within a minute of the first), so the last one recorded can be up to an
hour older than the real one: a retention under an hour may evict bytes still being installed.
--dry-run counts what would be removed and removes nothing.
`;

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export const command: Command = {
  summary: 'remove blobs nothing refers to any more',
  async run(argv, io: CommandIO) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (sub !== 'sweep') throw new UsageError(`unknown subcommand '${sub}' (sweep)`);
    const { values, positionals } = parse(rest, {
      ...localStorageOptions,
      grace: { type: 'string' },
      'artifact-retention': { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (!wantsLocalStorage(values)) throw new UsageError('give --data-dir or --config');
    let graceMs: number;
    try {
      graceMs = parseDuration(values.grace ?? DEFAULT_GRACE);
    } catch (err) {
      throw new UsageError(`--grace: ${err instanceof Error ? err.message : String(err)}`);
    }
    let artifactRetentionMs: number | null = null;
    const retention = values['artifact-retention'];
    if (retention !== undefined) {
      try {
        artifactRetentionMs = parseDuration(retention);
      } catch (err) {
        throw new UsageError(`--artifact-retention: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const dryRun = values['dry-run'] === true;
    let storage;
    try {
      storage = await openLocalStorage(values, io);
    } catch (err) {
      io.stderr.write(`airlock storage sweep: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.failed;
    }
    try {
      const swept = await sweepStorage(storage, { graceMs, now: new Date(), dryRun, artifactRetentionMs });
      const r = swept.blobs;
      const i = swept.images;
      const images =
        i.images === 0 ? '' : `${dryRun ? 'would drop' : 'dropped'} ${i.blobs} blobs no manifest names (${mib(i.bytes)}) from ${i.changed} of ${i.images} hosted image repositories; `;
      const evicted =
        artifactRetentionMs === null ? '' : `${dryRun ? 'would evict' : 'evicted'} ${r.evicted.count} artifacts unused for ${formatDuration(artifactRetentionMs)} (${mib(r.evicted.bytes)}); `;
      io.stdout.write(
        `${images}${dryRun ? 'would remove' : 'removed'} ${r.removed.count} blobs nothing refers to (${mib(r.removed.bytes)}); ${evicted}` +
          `kept ${r.referenced.count} in use (${mib(r.referenced.bytes)}) and ${r.young.count} committed within ${formatDuration(graceMs)} (${mib(r.young.bytes)})\n`,
      );
      return EXIT.ok;
    } catch (err) {
      io.stderr.write(`airlock storage sweep: ${err instanceof Error ? err.message : String(err)}\n`);
      return EXIT.failed;
    } finally {
      await storage.close();
    }
  },
};
