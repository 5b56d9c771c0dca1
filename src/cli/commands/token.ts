/**
 * `airlock token create|list|revoke|exchange`. Against a running server's API with an admin token
 * (AIRLOCK_TOKEN), or — for bootstrap and recovery — directly against a data directory with
 * `--data-dir` (the server may be running; SQLite handles both). `exchange` trades a CI job's OIDC
 * ID token for a short-lived token at a running server.
 */
import { TokenService, type CreatedToken, type ScopeRequest, type TokenView } from '../../api/auth/token-service.ts';
import { exchangeCommand } from './token/exchange.ts';
import { scopeText } from './token/scope-text.ts';
import { createIdGenerator } from '../../core/index.ts';
import { isRole } from '../../gate/identity.ts';
import { localStorageOptions, openLocalStorage, wantsLocalStorage, type LocalStorageValues } from '../admin/local-storage.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, TLS_HELP, clientFrom, parse, reportError, serverOptions, table, type ServerValues } from '../admin/cli-support.ts';
import { parseExpiry } from '../../gate/duration.ts';

const HELP = `usage: airlock token <subcommand> [--server URL | --data-dir DIR | --config FILE]

  create --role reader|publisher|approver|admin [--label TEXT] [--expires DURATION]
         [--repo NAME]... [--package NAME|PREFIX*]...
         prints the new token on stdout (once; it is stored only as a hash).
         --repo limits a reader or publisher token to those repositories; --package limits
         what a publisher token may write (publish, deprecate, dist-tag, unpublish) to those
         packages: names, or prefixes ending in * (--package '@acme/*')
  list   every token, newest first (the API's pages followed)
  revoke ID
  exchange --issuer-token FILE|-
         exchanges a CI job's OIDC ID token (from FILE, or - for stdin) for a short-lived
         token, printed on stdout; the server's access.oidc trust rules say its role, scope
         and lifetime. Needs no AIRLOCK_TOKEN (the ID token is the credential); --server only.

With --server (default ${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080) the command uses the admin
API and needs an admin token in ${'$'}AIRLOCK_TOKEN. With --data-dir it works on the data directory
directly (bootstrap, recovery), recorded in the audit trail as 'cli'; with --config, on the storage
that configuration names (a shared PostgreSQL, for instance).
${TLS_HELP}`;

/** Tokens asked for at a time: the API's largest page. */
const LIST_PAGE = 500;

/** Every item of a paged listing, page after page. */
async function everyPage<T>(page: (cursor: string | null) => Promise<{ readonly items: readonly T[]; readonly nextCursor: string | null }>): Promise<T[]> {
  const all: T[] = [];
  for (let cursor: string | null = null; ; ) {
    const p = await page(cursor);
    all.push(...p.items);
    if (p.nextCursor === null) return all;
    cursor = p.nextCursor;
  }
}

interface TokenBackend {
  create(role: string, label: string, expires: string | null, scope: ScopeRequest | null): Promise<CreatedToken>;
  list(): Promise<TokenView[]>;
  revoke(id: string): Promise<void>;
  close(): Promise<void>;
}

async function backend(values: ServerValues & LocalStorageValues, io: CommandIO): Promise<TokenBackend> {
  if (wantsLocalStorage(values)) {
    if (values.server !== undefined) throw new UsageError('give --server, or --data-dir / --config, not both');
    const storage = await openLocalStorage(values, io);
    const tokens = new TokenService({ store: storage.metadata, newId: createIdGenerator() });
    return {
      create: (role, label, expires, scope) => tokens.create({ role, label, expiresAt: expires === null ? null : parseExpiry(expires, new Date()), actor: 'cli', scope }),
      list: () => everyPage((cursor) => tokens.listPage({ limit: LIST_PAGE, ...(cursor === null ? {} : { cursor }) })),
      revoke: (id) => tokens.revoke(id, 'cli'),
      close: () => storage.close(),
    };
  }
  const client = clientFrom(values, io);
  return {
    create: (role, label, expires, scope) => client.createToken(role, label, expires, scope),
    list: () => everyPage((cursor) => client.listTokens({ limit: LIST_PAGE, ...(cursor === null ? {} : { cursor }) })),
    revoke: (id) => client.revokeToken(id),
    close: async () => {},
  };
}

export const command: Command = {
  summary: 'create, list and revoke API tokens',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    const { values, positionals } = parse(rest, {
      ...serverOptions,
      ...localStorageOptions,
      role: { type: 'string' },
      label: { type: 'string' },
      expires: { type: 'string' },
      repo: { type: 'string', multiple: true },
      package: { type: 'string', multiple: true },
      format: { type: 'string' },
      'issuer-token': { type: 'string' },
    });
    if (sub === 'exchange') {
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      if (wantsLocalStorage(values)) throw new UsageError('exchange works against a running server (--server), not on storage');
      try {
        return await exchangeCommand(values, io);
      } catch (err) {
        return reportError(err, io, 'airlock token exchange');
      }
    }
    if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(`unknown subcommand '${sub}' (create, list, revoke, exchange)`);
    if (sub === 'create') {
      if (values.role === undefined) throw new UsageError('create needs --role reader|publisher|approver|admin');
      if (!isRole(values.role)) throw new UsageError(`--role must be reader, publisher, approver or admin, got ${values.role}`);
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    }
    if (sub === 'revoke' && positionals.length !== 1) throw new UsageError('revoke takes exactly one token id');
    let b: TokenBackend | null = null;
    try {
      b = await backend(values, io);
      switch (sub) {
        case 'create': {
          const scope = values.repo === undefined && values.package === undefined ? null : { ...(values.repo === undefined ? {} : { repos: values.repo }), ...(values.package === undefined ? {} : { packages: values.package }) };
          const t = await b.create(values.role as string, values.label ?? '', values.expires ?? null, scope);
          io.stderr.write(`created ${t.role} token ${t.id}${t.label === '' ? '' : ` (${t.label})`}${t.scope === null ? '' : `, limited to ${scopeText(t.scope)}`}; it is shown only now:\n`);
          io.stdout.write(`${t.token}\n`);
          return EXIT.ok;
        }
        case 'list': {
          const items = await b.list();
          if (values.format === 'json') io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
          else
            io.stdout.write(
              table(
                ['ID', 'ROLE', 'STATE', 'CREATED', 'LABEL', 'SCOPE'],
                items.map((t) => [
                  t.id,
                  t.role,
                  t.revokedAt !== null ? 'revoked' : t.expiresAt !== null && t.expiresAt.getTime() <= Date.now() ? 'expired' : 'active',
                  t.createdAt.toISOString().slice(0, 16).replace('T', ' '),
                  t.label,
                  t.scope === null ? '-' : scopeText(t.scope),
                ]),
              ),
            );
          return EXIT.ok;
        }
        case 'revoke':
          await b.revoke(positionals[0] as string);
          io.stdout.write(`revoked ${positionals[0]}\n`);
          return EXIT.ok;
      }
    } catch (err) {
      return reportError(err, io, `airlock token ${sub}`);
    } finally {
      await b?.close();
    }
  },
};
