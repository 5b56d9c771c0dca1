import { AirlockError } from '../../core/index.ts';
import { exchangedFromColumn, optionalText, prepareAuditEvent, purgeLimit, requireText, tokenScopeColumn, tokenScopeOf, validDate, validDateOrNull } from '../common/index.ts';
import type { Role, TokenRecord, TokenStore } from '../ports/index.ts';
import { isUniqueViolation, lockFor, pgStorageError } from './pg-client.ts';
import type { Param, PgClient, Queryable, Row } from './pg-client.ts';
import { appendAuditIn, withAudit } from './pg-audit.ts';
import { pageNewestFirst } from './pg-page.ts';
import { date, dateOrNull, integer, oneOf, text, textOrNull } from './pg-rows.ts';

const ROLES = ['reader', 'publisher', 'approver', 'admin'] as const satisfies readonly Role[];

function toToken(row: Row): TokenRecord {
  return {
    id: text(row, 'id'),
    hash: text(row, 'hash'),
    role: oneOf(row, 'role', ROLES),
    label: text(row, 'label'),
    createdAt: date(row, 'created_at'),
    expiresAt: dateOrNull(row, 'expires_at'),
    revokedAt: dateOrNull(row, 'revoked_at'),
    scope: tokenScopeOf(row['scope']),
    exchangedFrom: textOrNull(row, 'exchanged_from'),
  };
}

const UPSERT = `INSERT INTO tokens (id, hash, role, label, created_at, expires_at, revoked_at, scope, exchanged_from)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, role = excluded.role, label = excluded.label,
    created_at = excluded.created_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, scope = excluded.scope,
    exchanged_from = excluded.exchanged_from`;

/** A token record as the insert's parameters; BAD_REQUEST for a record no token can have. */
function tokenParams(rec: TokenRecord): Param[] {
  if (!ROLES.includes(rec.role)) throw new AirlockError('BAD_REQUEST', `unknown role ${String(rec.role)}`);
  if (!/^[0-9a-f]{64}$/.test(rec.hash)) throw new AirlockError('BAD_REQUEST', 'token hash must be 64 lower-case hex digits');
  return [
    requireText(rec.id, 'token id', 128),
    rec.hash,
    rec.role,
    optionalText(rec.label, 'token label', 200),
    validDate(rec.createdAt, 'token createdAt'),
    validDateOrNull(rec.expiresAt, 'token expiresAt'),
    validDateOrNull(rec.revokedAt, 'token revokedAt'),
    tokenScopeColumn(rec.scope),
    exchangedFromColumn(rec),
  ];
}

async function countActive(q: Queryable, now: Date): Promise<number> {
  const [row] = await q.query('SELECT COUNT(*)::int AS n FROM tokens WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)', [now]);
  return row === undefined ? 0 : integer(row, 'n');
}

export function pgTokenStore(client: PgClient): TokenStore {
  return {
    async putToken(rec, audit) {
      try {
        const params = tokenParams(rec);
        await withAudit(client, audit, async (tx) => {
          await tx.query(UPSERT, params);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', 'another token already has this secret', { cause: err });
        throw pgStorageError(err, 'putToken');
      }
    },

    async putTokenIfNoneActive(rec, now, audit) {
      try {
        const params = tokenParams(rec);
        const when = validDate(now, 'now');
        return await client.tx(async (q) => {
          // Every node's first token queues here: the second one in counts the first.
          await lockFor(q, client.schema, 'tokens:first');
          if ((await countActive(q, when)) > 0) return false;
          await q.query(UPSERT, params);
          if (audit !== undefined) await appendAuditIn(q, client.schema, prepareAuditEvent(audit));
          return true;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', 'another token already has this secret', { cause: err });
        throw pgStorageError(err, 'putTokenIfNoneActive');
      }
    },

    async findTokenByHash(hash) {
      try {
        const [row] = await client.query('SELECT * FROM tokens WHERE hash = $1', [hash]);
        return row === undefined ? null : toToken(row);
      } catch (err) {
        throw pgStorageError(err, 'findTokenByHash');
      }
    },

    async listTokens() {
      try {
        return (await client.query('SELECT * FROM tokens ORDER BY created_at, id')).map(toToken);
      } catch (err) {
        throw pgStorageError(err, 'listTokens');
      }
    },

    async listTokensPage(filter) {
      try {
        return await pageNewestFirst(client, { table: 'tokens', conditions: [], params: [], limit: filter.limit, cursor: filter.cursor, map: toToken });
      } catch (err) {
        throw pgStorageError(err, 'listTokensPage');
      }
    },

    async revokeToken(id, at, audit) {
      try {
        const when = validDate(at, 'revocation time');
        return await withAudit(
          client,
          audit,
          async (tx) => (await tx.query('UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id', [when, id])).length > 0,
          (revoked) => revoked,
        );
      } catch (err) {
        throw pgStorageError(err, 'revokeToken');
      }
    },

    async purgeExchangedTokens(expiredBy, limit) {
      try {
        const when = validDate(expiredBy, 'expiredBy');
        const rows = await client.query(
          `DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE exchanged_from IS NOT NULL AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2) RETURNING id`,
          [when, purgeLimit(limit)],
        );
        return rows.length;
      } catch (err) {
        throw pgStorageError(err, 'purgeExchangedTokens');
      }
    },
  };
}
