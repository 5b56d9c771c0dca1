/**
 * `airlock lookalike npm|pypi NAME…`: for each name, the popular (or internal) name it imitates,
 * the kind of confusion and a score — offline, from the bundled popular lists.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadBundledLookalikeIndex, type LookalikeIndex, type LookalikeMatch, type PopularEcosystem } from '../../signals/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { parse } from '../admin/cli-support.ts';

const HELP = `usage: airlock lookalike npm|pypi NAME... [options]

For each name: the popular (or internal) name it imitates, the kind of confusion
(typo, homoglyph, separator, scope, affix, reorder, simplification,
dependency-confusion) and a score from 0 to 1 weighted by the popularity of the
imitated name. Offline, from the bundled popular lists.

options:
  --format text|json      json: [{"name","closest","kind","score"}], closest null
                          when the name looks like nothing (default: text)
  --explain               add the technique, edit distance, target rank and evidence
  --internal NAME         protect an internal name too (repeatable)
  --internal-file FILE    internal names, one per line (# comments)
  --min-score X           report matches scoring at least X (default 0.3)
  --fail                  exit 1 when any name looks like a popular or internal one
`;

const MAX_NAMES = 10_000;

interface Row {
  readonly name: string;
  readonly match: LookalikeMatch | null;
  readonly popularRank: number | null;
}

async function internalNames(values: { internal?: string[] | undefined; 'internal-file'?: string | undefined }, io: CommandIO): Promise<string[]> {
  const names = [...(values.internal ?? [])];
  const file = values['internal-file'];
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --internal-file ${file}: ${(err as Error).message}`);
    }
    for (const line of text.split('\n')) {
      const name = line.replace(/#.*$/, '').trim();
      if (name !== '') names.push(name);
    }
  }
  return names;
}

function textRow(r: Row, width: number, explain: boolean): string {
  const name = r.name.padEnd(width);
  if (r.match === null) return r.popularRank === null ? `${name}  -` : `${name}  popular (rank ${r.popularRank})`;
  const m = r.match;
  let line = `${name}  looks like ${m.closest}  ${m.kind} (${m.technique})  score ${m.score.toFixed(2)}`;
  if (explain) {
    const target = m.target.source === 'internal' ? 'internal name' : `rank ${m.target.rank}`;
    line += `  [distance ${m.distance}, ${target}, evidence ${JSON.stringify(m.evidence)}]`;
  }
  return line;
}

function jsonRow(r: Row, explain: boolean): Record<string, unknown> {
  const m = r.match;
  const base = { name: r.name, closest: m?.closest ?? null, kind: m?.kind ?? null, score: m?.score ?? 0 };
  if (!explain) return base;
  return {
    ...base,
    technique: m?.technique ?? null,
    distance: m?.distance ?? null,
    target: m?.target ?? null,
    evidence: m?.evidence ?? null,
    popular_rank: r.popularRank,
  };
}

export const command: Command = {
  summary: 'find the popular name a package name imitates (offline)',
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      format: { type: 'string' },
      explain: { type: 'boolean' },
      internal: { type: 'string', multiple: true },
      'internal-file': { type: 'string' },
      'min-score': { type: 'string' },
      fail: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return 0;
    }
    const [ecosystem, ...names] = positionals;
    if (ecosystem === undefined) {
      io.stderr.write(HELP);
      return 2;
    }
    if (ecosystem !== 'npm' && ecosystem !== 'pypi') throw new UsageError(`unknown ecosystem '${ecosystem}' (npm or pypi)`);
    if (names.length === 0) throw new UsageError('give at least one NAME');
    if (names.length > MAX_NAMES) throw new UsageError(`at most ${MAX_NAMES} names per call`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
    let minScore: number | undefined;
    if (values['min-score'] !== undefined) {
      minScore = Number(values['min-score']);
      if (!Number.isFinite(minScore) || minScore < 0 || minScore > 1) throw new UsageError('--min-score must be a number from 0 to 1');
    }
    const index: LookalikeIndex = await loadBundledLookalikeIndex(ecosystem as PopularEcosystem, {
      internal: await internalNames(values, io),
      ...(minScore === undefined ? {} : { minScore }),
    });
    const rows: Row[] = names.map((name) => ({ name, match: index.match(name), popularRank: index.popularEntry(name)?.rank ?? null }));
    const explain = values.explain === true;
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify(rows.map((r) => jsonRow(r, explain)), null, 2)}\n`);
    } else {
      const width = Math.min(40, Math.max(...rows.map((r) => r.name.length)));
      io.stdout.write(`${rows.map((r) => textRow(r, width, explain)).join('\n')}\n`);
    }
    return values.fail === true && rows.some((r) => r.match !== null) ? 1 : 0;
  },
};
