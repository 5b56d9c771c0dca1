import { AirlockError, isEcosystem } from '../../core/index.ts';
import type { Ecosystem } from '../../core/index.ts';
import { pageSize, requireText, toMillis } from '../common/index.ts';
import { MISSING_NAME_MAX_ASKERS } from '../ports/index.ts';
import type { MissingNameAsker, MissingNameLedger, MissingNameRecord } from '../ports/index.ts';
import { storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { date, dateOrNull, integer, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

/** Request headers are hostile input: keep a bounded prefix. */
const MAX_HINT = 512;

function hint(value: string | null): string | null {
  return value === null ? null : value.slice(0, MAX_HINT);
}

export function checkEcosystem(ecosystem: Ecosystem): Ecosystem {
  if (!isEcosystem(ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(ecosystem)}`);
  return ecosystem;
}

export function sqliteMissingNameLedger(conn: SqliteConnection): MissingNameLedger {
  function toAsker(row: Row): MissingNameAsker {
    return {
      tokenId: textOrNull(row, 'token_id'),
      userAgent: textOrNull(row, 'user_agent'),
      agent: textOrNull(row, 'agent'),
      count: integer(row, 'count'),
      firstAt: date(row, 'first_at'),
      lastAt: date(row, 'last_at'),
    };
  }

  function toRecord(row: Row): MissingNameRecord {
    const ecosystem = text(row, 'ecosystem');
    const name = text(row, 'name');
    if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
    const askers = conn
      .statement('SELECT * FROM missing_name_askers WHERE ecosystem = ? AND name = ? ORDER BY last_at DESC, asker')
      .all(ecosystem, name)
      .map(toAsker);
    return {
      ecosystem,
      name,
      firstAskedAt: date(row, 'first_asked_at'),
      lastAskedAt: date(row, 'last_asked_at'),
      count: integer(row, 'count'),
      askers,
      appearedAt: dateOrNull(row, 'appeared_at'),
    };
  }

  return {
    async recordMissing(req) {
      try {
        const ecosystem = checkEcosystem(req.ecosystem);
        const name = requireText(req.name, 'missing name', MAX_HINT);
        const at = toMillis(req.at, 'request time');
        const tokenId = hint(req.tokenId);
        const userAgent = hint(req.userAgent);
        const agent = hint(req.agent);
        const asker = JSON.stringify([tokenId, userAgent, agent]);
        await conn.write(() => {
          conn
            .statement(
              `INSERT INTO missing_names (ecosystem, name, first_asked_at, last_asked_at, count) VALUES (?1, ?2, ?3, ?3, 1)
               ON CONFLICT (ecosystem, name) DO UPDATE SET count = count + 1,
                 first_asked_at = MIN(first_asked_at, excluded.first_asked_at),
                 last_asked_at = MAX(last_asked_at, excluded.last_asked_at)`,
            )
            .run(ecosystem, name, at);
          const updated = conn
            .statement(
              `UPDATE missing_name_askers SET count = count + 1, first_at = MIN(first_at, ?4), last_at = MAX(last_at, ?4)
               WHERE ecosystem = ?1 AND name = ?2 AND asker = ?3`,
            )
            .run(ecosystem, name, asker, at);
          if (updated.changes > 0) return;
          const known = conn.statement('SELECT COUNT(*) AS n FROM missing_name_askers WHERE ecosystem = ? AND name = ?').get(ecosystem, name);
          if (known !== undefined && integer(known, 'n') >= MISSING_NAME_MAX_ASKERS) return;
          conn
            .statement(
              `INSERT INTO missing_name_askers (ecosystem, name, asker, token_id, user_agent, agent, count, first_at, last_at)
               VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`,
            )
            .run(ecosystem, name, asker, tokenId, userAgent, agent, at, at);
        });
      } catch (err) {
        throw storageError(err, 'recordMissing');
      }
    },

    async getMissing(ecosystem, name) {
      try {
        const row = conn.statement('SELECT * FROM missing_names WHERE ecosystem = ? AND name = ?').get(ecosystem, name);
        return row === undefined ? null : toRecord(row);
      } catch (err) {
        throw storageError(err, 'getMissing');
      }
    },

    async markAppeared(ecosystem, name, at) {
      try {
        const result = await conn.writeStatement('UPDATE missing_names SET appeared_at = ? WHERE ecosystem = ? AND name = ? AND appeared_at IS NULL', [
          toMillis(at, 'appearance time'),
          ecosystem,
          name,
        ]);
        return result.changes > 0;
      } catch (err) {
        throw storageError(err, 'markAppeared');
      }
    },

    async topMissing(filter) {
      try {
        const conditions: string[] = [];
        const params: string[] = [];
        if (filter.ecosystem !== undefined) {
          conditions.push('ecosystem = ?');
          params.push(checkEcosystem(filter.ecosystem));
        }
        if (filter.includeAppeared !== true) conditions.push('appeared_at IS NULL');
        const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
        return conn
          .statement(`SELECT * FROM missing_names ${where} ORDER BY count DESC, last_asked_at DESC, ecosystem, name LIMIT ?`)
          .all(...params, pageSize(filter.limit))
          .map(toRecord);
      } catch (err) {
        throw storageError(err, 'topMissing');
      }
    },
  };
}
