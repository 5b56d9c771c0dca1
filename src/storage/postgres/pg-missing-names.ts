import { AirlockError, isEcosystem } from '../../core/index.ts';
import type { Ecosystem } from '../../core/index.ts';
import { pageSize, requireText, validDate } from '../common/index.ts';
import { MISSING_NAME_MAX_ASKERS } from '../ports/index.ts';
import type { MissingNameAsker, MissingNameLedger, MissingNameRecord } from '../ports/index.ts';
import { pgStorageError } from './pg-client.ts';
import type { Param, PgClient, Queryable, Row } from './pg-client.ts';
import { date, dateOrNull, integer, text, textOrNull } from './pg-rows.ts';

const MAX_HINT = 512;

function hint(value: string | null): string | null {
  return value === null ? null : value.slice(0, MAX_HINT);
}

export function checkEcosystem(ecosystem: Ecosystem): Ecosystem {
  if (!isEcosystem(ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(ecosystem)}`);
  return ecosystem;
}

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

async function toRecord(q: Queryable, row: Row): Promise<MissingNameRecord> {
  const ecosystem = text(row, 'ecosystem');
  const name = text(row, 'name');
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  const askers = await q.query('SELECT * FROM missing_name_askers WHERE ecosystem = $1 AND name = $2 ORDER BY last_at DESC, asker', [ecosystem, name]);
  return {
    ecosystem,
    name,
    firstAskedAt: date(row, 'first_asked_at'),
    lastAskedAt: date(row, 'last_asked_at'),
    count: integer(row, 'count'),
    askers: askers.map(toAsker),
    appearedAt: dateOrNull(row, 'appeared_at'),
  };
}

export function pgMissingNameLedger(client: PgClient): MissingNameLedger {
  return {
    async recordMissing(req) {
      try {
        const ecosystem = checkEcosystem(req.ecosystem);
        const name = requireText(req.name, 'missing name', MAX_HINT);
        const at = validDate(req.at, 'request time');
        const tokenId = hint(req.tokenId);
        const userAgent = hint(req.userAgent);
        const agent = hint(req.agent);
        const asker = JSON.stringify([tokenId, userAgent, agent]);
        await client.tx(async (q) => {
          // The upsert locks the name's row until commit: askers of one name are counted one at a time.
          await q.query(
            `INSERT INTO missing_names (ecosystem, name, first_asked_at, last_asked_at, count) VALUES ($1, $2, $3, $3, 1)
             ON CONFLICT (ecosystem, name) DO UPDATE SET count = missing_names.count + 1,
               first_asked_at = LEAST(missing_names.first_asked_at, excluded.first_asked_at),
               last_asked_at = GREATEST(missing_names.last_asked_at, excluded.last_asked_at)`,
            [ecosystem, name, at],
          );
          const updated = await q.query(
            `UPDATE missing_name_askers SET count = count + 1, first_at = LEAST(first_at, $4), last_at = GREATEST(last_at, $4)
             WHERE ecosystem = $1 AND name = $2 AND asker = $3 RETURNING asker`,
            [ecosystem, name, asker, at],
          );
          if (updated.length > 0) return;
          const [known] = await q.query('SELECT COUNT(*)::int AS n FROM missing_name_askers WHERE ecosystem = $1 AND name = $2', [ecosystem, name]);
          if (known !== undefined && integer(known, 'n') >= MISSING_NAME_MAX_ASKERS) return;
          await q.query(
            `INSERT INTO missing_name_askers (ecosystem, name, asker, token_id, user_agent, agent, count, first_at, last_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`,
            [ecosystem, name, asker, tokenId, userAgent, agent, at],
          );
        });
      } catch (err) {
        throw pgStorageError(err, 'recordMissing');
      }
    },

    async getMissing(ecosystem, name) {
      try {
        const [row] = await client.query('SELECT * FROM missing_names WHERE ecosystem = $1 AND name = $2', [ecosystem, name]);
        return row === undefined ? null : await toRecord(client, row);
      } catch (err) {
        throw pgStorageError(err, 'getMissing');
      }
    },

    async markAppeared(ecosystem, name, at) {
      try {
        const rows = await client.query(
          'UPDATE missing_names SET appeared_at = $1 WHERE ecosystem = $2 AND name = $3 AND appeared_at IS NULL RETURNING name',
          [validDate(at, 'appearance time'), ecosystem, name],
        );
        return rows.length > 0;
      } catch (err) {
        throw pgStorageError(err, 'markAppeared');
      }
    },

    async topMissing(filter) {
      try {
        const conditions: string[] = [];
        const params: Param[] = [];
        if (filter.ecosystem !== undefined) {
          params.push(checkEcosystem(filter.ecosystem));
          conditions.push(`ecosystem = $${params.length}`);
        }
        if (filter.includeAppeared !== true) conditions.push('appeared_at IS NULL');
        params.push(pageSize(filter.limit));
        const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
        const rows = await client.query(
          `SELECT * FROM missing_names ${where} ORDER BY count DESC, last_asked_at DESC, ecosystem, name LIMIT $${params.length}`,
          params,
        );
        return await Promise.all(rows.map((r) => toRecord(client, r)));
      } catch (err) {
        throw pgStorageError(err, 'topMissing');
      }
    },
  };
}
