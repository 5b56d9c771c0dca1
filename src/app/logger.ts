/**
 * The process logger: pino JSON lines, lower-case messages with data in fields, credentials
 * redacted wherever a serializer might put them.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/types.ts';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["npm-otp"]',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'airlock' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * The access line's logger (the app writes one line per request): a child without redaction.
 * The line's fields are fixed (reqId, method, url, status, ms) and none can hold a credential, so
 * the redaction pass every other line goes through finds nothing there, at about a third of the
 * line's cost (`npm run bench:request` prints both).
 */
export function accessLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

const LOG_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * A child logger made when it first logs something: its children are lazy too. Fastify gives every
 * request a child of its logger bound to the request's id, and a pino child is not cheap (its
 * bindings go through the redaction every line of the app's logger does), while most requests log
 * nothing but their access line, which has a logger of its own (`accessLogger`). The lines a
 * request does log are the child's, bindings and level included.
 */
class LazyLogger {
  readonly #parent: Logger;
  readonly #bindings: pino.Bindings;
  readonly #options: pino.ChildLoggerOptions;
  #child: Logger | null = null;
  declare fatal: pino.LogFn;
  declare error: pino.LogFn;
  declare warn: pino.LogFn;
  declare info: pino.LogFn;
  declare debug: pino.LogFn;
  declare trace: pino.LogFn;
  declare silent: pino.LogFn;

  constructor(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  /** The pino child, made on first use. */
  logger(): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  get level(): pino.LevelWithSilentOrString {
    return this.logger().level;
  }

  set level(level: pino.LevelWithSilentOrString) {
    this.logger().level = level;
  }

  child(bindings: pino.Bindings, options: pino.ChildLoggerOptions = {}): LazyLogger {
    return new LazyLogger(this.logger(), bindings, options);
  }
}

for (const method of LOG_METHODS) {
  Object.defineProperty(LazyLogger.prototype, method, {
    value(this: LazyLogger, ...args: unknown[]): void {
      const log = this.logger();
      (log[method] as (...a: unknown[]) => void).apply(log, args);
    },
  });
}

/**
 * The logger to give Fastify: a child of `logger` whose children, each request's among them, are
 * made when they first log (see `LazyLogger`). Fastify's own child factory is kept, which it does
 * not check on every request as it would a factory of ours.
 */
export function lazyChildren(logger: Logger): LazyLogger {
  return new LazyLogger(logger, {}, {});
}
