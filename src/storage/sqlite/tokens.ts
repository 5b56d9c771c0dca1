import { AirlockError } from '../../core/index.ts';
import { exchangedFromColumn, optionalText, purgeLimit, requireText, toMillis, toMillisOrNull, tokenScopeColumn, tokenScopeOf } from '../common/index.ts';
import type { Role, TokenRecord, TokenStore } from '../ports/index.ts';
import { isUniqueViolation, storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { withAudit } from './audit.ts';
import { pageNewestFirst } from './page.ts';
import { date, dateOrNull, oneOf, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

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
  VALUES (:id, :hash, :role, :label, :createdAt, :expiresAt, :revokedAt, :scope, :exchangedFrom)
  ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, role = excluded.role, label = excluded.label,
    created_at = excluded.created_at, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at, scope = excluded.scope,
    exchanged_from = excluded.exchanged_from`;

/** A token record as the insert's parameters; BAD_REQUEST for a record no token can have. */
function tokenParams(rec: TokenRecord) {
  if (!ROLES.includes(rec.role)) throw new AirlockError('BAD_REQUEST', `unknown role ${String(rec.role)}`);
  if (!/^[0-9a-f]{64}$/.test(rec.hash)) throw new AirlockError('BAD_REQUEST', 'token hash must be 64 lower-case hex digits');
  return {
    id: requireText(rec.id, 'token id', 128),
    hash: rec.hash,
    role: rec.role,
    label: optionalText(rec.label, 'token label', 200),
    createdAt: toMillis(rec.createdAt, 'token createdAt'),
    expiresAt: toMillisOrNull(rec.expiresAt, 'token expiresAt'),
    revokedAt: toMillisOrNull(rec.revokedAt, 'token revokedAt'),
    scope: tokenScopeColumn(rec.scope),
    exchangedFrom: exchangedFromColumn(rec),
  };
}

function countActive(conn: SqliteConnection, now: number): number {
  const row = conn.statement('SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)').get(now);
  return row === undefined ? 0 : Number(row['n']);
}

export function sqliteTokenStore(conn: SqliteConnection): TokenStore {
  return {
    async putToken(rec, audit) {
      try {
        const params = tokenParams(rec);
        await withAudit(conn, audit, () => {
          conn.statement(UPSERT).run(params);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', 'another token already has this secret', { cause: err });
        throw storageError(err, 'putToken');
      }
    },

    async putTokenIfNoneActive(rec, now, audit) {
      try {
        const params = tokenParams(rec);
        const when = toMillis(now, 'now');
        // The write lock is taken before the count: another process's first token waits, then sees this one.
        return await withAudit(
          conn,
          audit,
          () => {
            if (countActive(conn, when) > 0) return false;
            conn.statement(UPSERT).run(params);
            return true;
          },
          (inserted) => inserted,
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', 'another token already has this secret', { cause: err });
        throw storageError(err, 'putTokenIfNoneActive');
      }
    },

    async findTokenByHash(hash) {
      try {
        const row = conn.statement('SELECT * FROM tokens WHERE hash = ?').get(hash);
        return row === undefined ? null : toToken(row);
      } catch (err) {
        throw storageError(err, 'findTokenByHash');
      }
    },

    async listTokens() {
      try {
        return conn.statement('SELECT * FROM tokens ORDER BY created_at, id').all().map(toToken);
      } catch (err) {
        throw storageError(err, 'listTokens');
      }
    },

    async listTokensPage(filter) {
      try {
        return pageNewestFirst(conn, { table: 'tokens', conditions: [], params: [], limit: filter.limit, cursor: filter.cursor, map: toToken });
      } catch (err) {
        throw storageError(err, 'listTokensPage');
      }
    },

    async revokeToken(id, at, audit) {
      try {
        const when = toMillis(at, 'revocation time');
        return await withAudit(
          conn,
          audit,
          () => conn.statement('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(when, id).changes > 0,
          (revoked) => revoked,
        );
      } catch (err) {
        throw storageError(err, 'revokeToken');
      }
    },

    async purgeExchangedTokens(expiredBy, limit) {
      try {
        const when = toMillis(expiredBy, 'expiredBy');
        return conn
          .statement(
            `DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE exchanged_from IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id LIMIT ?)`,
          )
          .run(when, purgeLimit(limit)).changes as number;
      } catch (err) {
        throw storageError(err, 'purgeExchangedTokens');
      }
    },
  };
}
