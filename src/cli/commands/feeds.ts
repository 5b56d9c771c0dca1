/**
 * `airlock feeds import PATH`: import OSV records into the metadata store of a data directory:
 * known-malicious packages (`MAL-*`, the ossf/malicious-packages format) and vulnerabilities
 * (GHSA, PYSEC, CVE … as in OSV's per-ecosystem `all.zip` exports), from a directory tree of OSV
 * JSON or a zip of it. A feed with any malformed record is refused whole.
 * `airlock feeds list`: the most recent imports.
 */
import { resolve } from 'node:path';
import { newId } from '../../core/index.ts';
import { vulnerableArtifacts } from '../../gate/index.ts';
import { localStorageOptions, openLocalStorage } from '../admin/local-storage.ts';
import { FeedImportRefused, FeedReadError, importOsvFeed } from '../../signals/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, parse, reportError } from '../admin/cli-support.ts';

const HELP = `usage: airlock feeds import PATH [--source NAME] [--kind malicious|vulnerability] [--data-dir DIR | --config FILE] [--format text|json]
       airlock feeds list [--data-dir DIR | --config FILE] [--format text|json]

import  reads OSV records (a directory tree of OSV JSON files, e.g. a checkout of
        ossf/malicious-packages or of an advisory database, or a zip of them such as
        OSV's npm/all.zip and PyPI/all.zip) and stores them with their provenance:
        MAL-* records as known-malicious packages, every other advisory (GHSA, PYSEC,
        CVE …) as a vulnerability with its severity. Any malformed record refuses the
        whole import (nothing is kept).
list    the most recent imports.

options:
  --source NAME     label of the feed (default ossf-malicious-packages)
  --kind KIND       import only malicious-package records or only vulnerabilities
  --data-dir DIR    the gateway's data directory (default ./data)
  --config FILE     the gateway's configuration: its storage (a shared PostgreSQL, say)
  --format          text (default) or json
`;

export const command: Command = {
  summary: 'import OSV feeds: known-malicious packages and vulnerabilities',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (sub !== 'import' && sub !== 'list') throw new UsageError(`unknown subcommand '${sub}' (import, list)`);
    const { values, positionals } = parse(rest, {
      source: { type: 'string' },
      kind: { type: 'string' },
      ...localStorageOptions,
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
    if (sub === 'list') {
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      const storage = await openLocalStorage(values, io);
      try {
        const page = await storage.signals.listFeedImports({ limit: 20 });
        if (format === 'json') io.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
        else if (page.items.length === 0) io.stdout.write('no feed imports\n');
        else {
          for (const i of page.items) {
            io.stdout.write(`${i.importedAt.toISOString()}  ${i.source}  ${i.origin}  +${i.added} ~${i.updated} =${i.unchanged}  by ${i.importedBy}\n`);
          }
        }
        return EXIT.ok;
      } finally {
        await storage.close();
      }
    }
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError('give the feed PATH (a directory or a zip)');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const source = values.source ?? 'ossf-malicious-packages';
    const kind = values.kind;
    if (kind !== undefined && kind !== 'malicious' && kind !== 'vulnerability') throw new UsageError(`--kind must be malicious or vulnerability, not '${kind}'`);
    if (!/^[\w.:/-]{1,128}$/.test(source)) throw new UsageError('--source must be 1-128 characters of letters, digits and ._:/-');
    const storage = await openLocalStorage(values, io);
    try {
      const actor = `cli:${io.env['USER'] ?? 'unknown'}`;
      const summary = await importOsvFeed(storage.signals, resolve(io.cwd, path), {
        source,
        importedBy: actor,
        now: new Date(),
        newId: () => newId(),
        ...(kind === undefined ? {} : { kinds: [kind] }),
      });
      // What the vulnerabilities now known mean for what Airlock holds: counted once after the
      // import, so the trail (and the webhooks that follow it) says how many held versions each
      // level touches.
      const exposure = summary.vulnerabilities === 0 && summary.updated === 0 ? null : await vulnerableArtifacts({ feeds: storage.signals, artifacts: storage.metadata }, { limit: 10 });
      // Verdicts may change with the feed: the trail says when and from what. A running gateway
      // on this store notices the new feed revision and re-judges at once.
      await storage.metadata.appendAudit({
        at: summary.importedAt,
        actor,
        action: 'feeds.import',
        subject: summary.id,
        details: {
          source: summary.source,
          origin: summary.origin,
          records: summary.records,
          malicious: summary.malicious,
          vulnerabilities: summary.vulnerabilities,
          added: summary.added,
          updated: summary.updated,
          unchanged: summary.unchanged,
          ...(exposure === null ? {} : { exposed: exposure.bySeverity }),
        },
      });
      if (format === 'json') io.stdout.write(`${JSON.stringify(exposure === null ? summary : { ...summary, exposure }, null, 2)}\n`);
      else {
        io.stdout.write(
          `imported ${summary.records} advisories (${summary.malicious} malicious, ${summary.vulnerabilities} vulnerabilities) from ${summary.entries} files ` +
            `(${summary.format}; ${summary.skipped} skipped: not OSV records, or naming no npm or PyPI version${kind === undefined ? '' : `, or not of kind ${kind}`}): ` +
            `${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged — import ${summary.id}\n`,
        );
        if (exposure !== null) {
          const levels = Object.entries(exposure.bySeverity).filter(([, n]) => n > 0).map(([level, n]) => `${n} ${level}`);
          io.stdout.write(
            exposure.total === 0
              ? 'no version Airlock holds is affected by a known vulnerability\n'
              : `versions Airlock holds with known vulnerabilities: ${exposure.total} (${levels.join(', ')}); worst: ${exposure.items.slice(0, 5).map((i) => `${i.name}@${i.version}`).join(', ')} — airlock vulnerabilities lists them\n`,
          );
        }
      }
      return EXIT.ok;
    } catch (err) {
      if (err instanceof FeedImportRefused) {
        io.stderr.write(`airlock feeds import: ${err.message}\n`);
        for (const e of err.errors.slice(0, 20)) io.stderr.write(`  ${e.entry}: ${e.message}\n`);
        if (err.errorCount > 20) io.stderr.write(`  … and ${err.errorCount - 20} more\n`);
        return EXIT.failed;
      }
      if (err instanceof FeedReadError) {
        io.stderr.write(`airlock feeds import: ${err.message}\n`);
        return EXIT.failed;
      }
      return reportError(err, io, 'airlock feeds import');
    } finally {
      await storage.close();
    }
  },
};
