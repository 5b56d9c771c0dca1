/**
 * `airlock inventory`: every file Airlock holds (what clients downloaded through it) as a
 * CycloneDX 1.6 SBOM, with the digests Airlock verified, the repositories, first store and last
 * download, and the vulnerability advisories that include each version — from a server's API or
 * straight from the storage. `--out FILE` is written whole or not at all.
 */
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, parse, reportError, TLS_HELP } from '../admin/cli-support.ts';
import { fileSink, stdoutSink } from '../admin/output-file.ts';
import { targetOptions, withTarget, type Target } from '../admin/target.ts';
import { isAirlockError } from '../../core/index.ts';
import { cycloneDxInventory, holdsFilesIn, type InventoryQuery } from '../../gate/index.ts';
import { parseWhen } from '../../gate/audit-evidence/index.ts';

const HELP = `usage: airlock inventory [--repo NAME] [--used-since WHEN] [--out FILE]
                         [--server URL | --data-dir DIR | --config FILE]

Writes every file Airlock holds (what clients downloaded through it, in every repository) as a
CycloneDX 1.6 SBOM (JSON): each package version's file with the SHA-256 (and for npm and PyPI
SHA-512 and SHA-1) Airlock verified, the repositories it came through, when it was first stored
and last downloaded; and the imported vulnerability advisories that include a held version.

  --repo NAME        only that repository's files (a server refuses a name it neither has
                     configured nor holds files in; on the storage, such a name is warned of)
  --used-since WHEN  only files stored or downloaded since WHEN: an ISO 8601 instant, or a
                     duration back from now (90d, 12h)
  --out FILE         write the SBOM to FILE (whole, or not at all); default: standard output

Through a server's API (a reader token in ${'$'}AIRLOCK_TOKEN; --server defaults to
${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080), or on the storage itself (--data-dir, --config).
${TLS_HELP}`;

/** The SBOM's pieces from the target. */
async function inventoryFrom(target: Target, query: InventoryQuery, io: CommandIO): Promise<AsyncIterable<Uint8Array | string>> {
  if (target.kind === 'server') {
    return target.client.inventory({ ...(query.repo === undefined ? {} : { repo: query.repo }), ...(query.usedSince === undefined ? {} : { usedSince: query.usedSince.toISOString() }) });
  }
  const { metadata, signals } = target.storage;
  // The storage alone does not know the repositories configured; a name that holds nothing is said.
  if (query.repo !== undefined && !(await holdsFilesIn(metadata, query.repo))) {
    io.stderr.write(`warning: the storage holds no file in a repository named ${JSON.stringify(query.repo)}: the inventory lists none (is the name right?)\n`);
  }
  return cycloneDxInventory({ artifacts: metadata, feeds: signals, clock: () => new Date() }, query);
}

async function write(target: Target, query: InventoryQuery, out: string | undefined, io: CommandIO): Promise<number> {
  const sink = out === undefined ? stdoutSink(io) : await fileSink(out);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let tail = '';
  try {
    for await (const piece of await inventoryFrom(target, query, io)) {
      const text = typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
      tail = (tail + text).slice(-16);
      await sink.write(text);
    }
    // The document ends with its closing brace: a body cut short is not written as an SBOM.
    if (!/\}\s*$/.test(tail)) throw new UsageError('the inventory ended before its last line: nothing was written');
    await sink.commit();
  } catch (err) {
    await sink.abandon();
    throw err;
  }
  if (out !== undefined) io.stdout.write(`wrote the inventory (CycloneDX 1.6) to ${out}\n`);
  return EXIT.ok;
}

export const command: Command = {
  summary: 'every file held, as a CycloneDX SBOM',
  async run(argv, io) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    try {
      const { values, positionals } = parse(argv, { ...targetOptions, repo: { type: 'string' }, 'used-since': { type: 'string' }, out: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      let usedSince: Date | undefined;
      try {
        usedSince = values['used-since'] === undefined ? undefined : parseWhen(values['used-since'], new Date(), '--used-since');
      } catch (err) {
        if (isAirlockError(err)) throw new UsageError(err.message);
        throw err;
      }
      const query: InventoryQuery = { ...(values.repo === undefined ? {} : { repo: values.repo }), ...(usedSince === undefined ? {} : { usedSince }) };
      return await withTarget(values, io, (target) => write(target, query, values.out, io));
    } catch (err) {
      return reportError(err, io, 'airlock inventory');
    }
  },
};
