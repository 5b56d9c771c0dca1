/**
 * The turn an npm audit request takes in its gateway's `auditAdmission`, from the request's start
 * to the end of its handler. It is taken before the body is read, so the waiting hold a connection,
 * not a body; a client that leaves while it waits gives its place up. Once the handler runs, the
 * turn ends with the handler, not with the client: a client that sent its request and went away
 * at once would otherwise free its place while its audit went on being worked out. A request whose
 * client left before its handler began is not worked on. Turned away: 503 with Retry-After, which
 * npm retries by itself.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AirlockError, type Admission, type Release } from '../../core/index.ts';
import { AUDIT_RETRY_AFTER_SECONDS } from './audit.ts';

interface Turn {
  readonly release: Release;
  /** The client left before the handler began: the turn is over and nothing is worked on. */
  over: boolean;
  handling: boolean;
}

const clientLeft = (): AirlockError => new AirlockError('BAD_REQUEST', 'npm audit request: the client went away before its audit began');

export interface AuditTurns {
  /** The route's `onRequest`: waits for a turn, or turns the request away. */
  take(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Runs the handler's `work` in the request's turn, and ends the turn with it. */
  run(request: FastifyRequest, work: () => Promise<FastifyReply>): Promise<FastifyReply>;
}

export function auditTurns(audits: Admission): AuditTurns {
  const turns = new WeakMap<FastifyRequest, Turn>();
  return {
    async take(request, reply) {
      const gone = new AbortController();
      const leave = (): void => gone.abort();
      reply.raw.once('close', leave);
      const release = await audits.enter(gone.signal);
      reply.raw.off('close', leave);
      if (release === null) {
        if (gone.signal.aborted) throw clientLeft();
        request.log.warn({ client: request.ip, atWork: audits.busy, waiting: audits.waiting }, 'npm audit turned away: too many audits at once');
        reply.header('retry-after', String(AUDIT_RETRY_AFTER_SECONDS));
        throw new AirlockError('UNAVAILABLE', `Airlock is answering as many security audits as it takes at once (${audits.width} at work, ${audits.maxWaiting} waiting); try again in ${AUDIT_RETRY_AFTER_SECONDS} s`, { details: { turnedAway: true } });
      }
      const turn: Turn = { release, over: false, handling: false };
      const end = (): void => {
        if (turn.handling) return;
        turn.over = true;
        release();
      };
      // Gone between its turn coming and this line: the close event has passed already.
      if (gone.signal.aborted || reply.raw.closed) {
        end();
        throw clientLeft();
      }
      reply.raw.once('close', end);
      turns.set(request, turn);
    },
    async run(request, work) {
      const turn = turns.get(request);
      if (turn === undefined || turn.over) throw clientLeft();
      turn.handling = true;
      try {
        return await work();
      } finally {
        turn.release();
      }
    },
  };
}
