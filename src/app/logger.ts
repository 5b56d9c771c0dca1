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
