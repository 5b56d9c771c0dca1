/** `airlock quarantine list|show|changes|release|reject` against a running server. */
import type { ChangeReport, FileChange, FileDiff } from '../../gate/version-changes.ts';
import type { Json, QuarantineRecord, QuarantineState } from '../../storage/ports/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, clientFrom, clip, parse, reportError, serverOptions, table, TLS_HELP } from '../admin/cli-support.ts';

const HELP = `usage: airlock quarantine <subcommand> [--server URL]

  list [--state quarantined|released|rejected] [--purl PURL] [--limit N] [--format table|json]
  show ID [--format json|text]
  changes ID [--format json|text]                 what the version changed since the one before it
                                                   (files added, removed, changed; install scripts)
  changes ID --diff PATH [--format json|text]     that file's line diff (diff -u) against the version
                                                   before it
  release ID --reason TEXT [--expires DURATION]   (e.g. --expires 30d; needs an approver token)
  reject ID --reason TEXT                          (needs an approver token)

The server defaults to ${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080; the token comes from ${'$'}AIRLOCK_TOKEN.
${TLS_HELP}`;

const STATES: readonly QuarantineState[] = ['quarantined', 'released', 'rejected'];

function recordJson(r: QuarantineRecord): Record<string, unknown> {
  return { ...r };
}

function showText(r: QuarantineRecord): string {
  const lines = [
    `id:        ${r.id}`,
    `package:   ${r.purl}  (repository ${r.repo})`,
    `state:     ${r.state}`,
    `opened:    ${r.createdAt.toISOString()}`,
    'reasons:',
    ...r.reasons.map((x) => `  - ${x.message}${x.rule === undefined ? '' : ` [${x.rule}]`}`),
  ];
  if (r.decidedBy !== null) {
    lines.push(`decided:   ${r.state} by ${r.decidedBy} at ${r.decidedAt?.toISOString() ?? '?'}: ${r.decisionReason ?? ''}`);
  }
  if (r.expiresAt !== null) lines.push(`expires:   ${r.expiresAt.toISOString()}`);
  if (r.contentDigest !== null) lines.push(`content:   ${r.contentDigest}  (a release covers these bytes only)`);
  return `${lines.join('\n')}\n`;
}

async function list(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...serverOptions,
    state: { type: 'string' },
    purl: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError('--format must be table or json');
  if (values.state !== undefined && !(STATES as readonly string[]).includes(values.state)) throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!(limit > 0)) throw new UsageError('--limit must be a positive number');
  const client = clientFrom(values, io);
  const items: QuarantineRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listQuarantine({
      ...(values.state === undefined ? {} : { state: values.state as QuarantineState }),
      ...(values.purl === undefined ? {} : { purl: values.purl }),
      ...(cursor === undefined ? {} : { cursor }),
      limit: Math.min(500, limit - items.length),
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && items.length < limit);
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(items.map(recordJson), null, 2)}\n`);
  } else if (items.length === 0) {
    io.stderr.write('no quarantine records\n');
  } else {
    io.stdout.write(
      table(
        ['ID', 'STATE', 'PACKAGE', 'OPENED', 'REASON'],
        items.map((r) => [r.id, r.state, r.purl, r.createdAt.toISOString().slice(0, 16).replace('T', ' '), clip(r.reasons[0]?.message ?? '', 80)]),
      ),
    );
  }
  return EXIT.ok;
}

async function show(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, { ...serverOptions, format: { type: 'string' } });
  const [id, extra] = positionals;
  if (id === undefined || extra !== undefined) throw new UsageError('show takes exactly one quarantine id');
  const rec = await clientFrom(values, io).getQuarantine(id);
  io.stdout.write(values.format === 'json' ? `${JSON.stringify(recordJson(rec), null, 2)}\n` : showText(rec));
  return EXIT.ok;
}

function scriptsText(scripts: Readonly<Record<string, Json>> | null): string {
  if (scripts === null) return 'none';
  const entries = Object.entries(scripts);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}: ${clip(String(v), 200)}`).join('; ');
}

function changesText(r: ChangeReport): string {
  const { added, removed, changed } = r.counts;
  const head =
    r.base === null
      ? `${r.purl} is the package's first release here: ${added} files`
      : `${r.purl} against ${r.base}: ${added} added, ${removed} removed, ${changed} changed, ${r.unchanged} unchanged`;
  const line = (mark: string, c: FileChange): string =>
    `  ${mark} ${clip(c.path, 200)}  (${c.before === null ? '' : `${c.before} bytes`}${c.before !== null && c.after !== null ? ' -> ' : ''}${c.after === null ? '' : `${c.after} bytes`})`;
  const lines = [head, ...r.added.map((c) => line('+', c)), ...r.removed.map((c) => line('-', c)), ...r.changed.map((c) => line('~', c))];
  if (r.truncated) lines.push(`  (only the first ${Math.max(r.added.length, r.removed.length, r.changed.length)} of each kind are listed; --format json has the same)`);
  const before = scriptsText(r.installScripts.before);
  const after = scriptsText(r.installScripts.after);
  lines.push(r.base === null || before === after ? `install scripts: ${after}` : `install scripts: ${before} -> ${after}`);
  return `${lines.join('\n')}\n`;
}

function diffText(d: FileDiff): string {
  const side = (s: FileDiff['before']): string => (s === null ? 'absent' : s.sha256 === null ? `${s.size} bytes` : `${s.size} bytes, sha256 ${s.sha256.slice(0, 16)}…`);
  const head = `${d.purl} ${d.path}: ${d.base === null ? 'the first release' : `against ${d.base}`} (before: ${side(d.before)}; after: ${side(d.after)})`;
  if (d.unified === null) return `${head}
${d.note ?? 'not diffed'}
`;
  if (d.unified === '') return `${head}
the same
`;
  return `${head}
+${d.added} -${d.removed} lines${d.note === null ? '' : ` (${d.note})`}
${d.unified}`;
}

async function changes(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, { ...serverOptions, format: { type: 'string' }, diff: { type: 'string' } });
  const [id, extra] = positionals;
  if (id === undefined || extra !== undefined) throw new UsageError('changes takes exactly one quarantine id');
  if (values.format !== undefined && values.format !== 'json' && values.format !== 'text') throw new UsageError('--format must be json or text');
  if (values.diff !== undefined) {
    if (values.diff === '') throw new UsageError('--diff takes a file path, as changes lists it');
    const d = await clientFrom(values, io).diff(id, values.diff);
    io.stdout.write(values.format === 'json' ? `${JSON.stringify(d, null, 2)}
` : diffText(d));
    return EXIT.ok;
  }
  const report = await clientFrom(values, io).changes(id);
  io.stdout.write(values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : changesText(report));
  return EXIT.ok;
}

async function review(kind: 'release' | 'reject', argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...serverOptions,
    reason: { type: 'string' },
    ...(kind === 'release' ? { expires: { type: 'string' } } : {}),
  });
  const [id, extra] = positionals;
  if (id === undefined || extra !== undefined) throw new UsageError(`${kind} takes exactly one quarantine id`);
  if (values.reason === undefined || String(values.reason).trim() === '') throw new UsageError(`${kind} needs --reason TEXT`);
  const client = clientFrom(values, io);
  const reason = String(values.reason);
  const expires = 'expires' in values && typeof values.expires === 'string' ? values.expires : null;
  const rec = kind === 'release' ? await client.release(id, reason, expires) : await client.reject(id, reason);
  const until = rec.expiresAt === null ? '' : ` until ${rec.expiresAt.toISOString()}`;
  io.stdout.write(`${rec.id} ${rec.purl}: ${rec.state}${until}\n`);
  return EXIT.ok;
}

export const command: Command = {
  summary: 'list, show, release and reject quarantined packages',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    try {
      switch (sub) {
        case 'list':
          return await list(rest, io);
        case 'show':
          return await show(rest, io);
        case 'changes':
          return await changes(rest, io);
        case 'release':
          return await review('release', rest, io);
        case 'reject':
          return await review('reject', rest, io);
        default:
          throw new UsageError(`unknown subcommand '${sub}' (list, show, changes, release, reject)`);
      }
    } catch (err) {
      return reportError(err, io, `airlock quarantine ${sub}`);
    }
  },
};
