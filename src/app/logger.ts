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

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'airlock' } };
  return destination === undefined ? pino(options) : pino(options, destination as pino.DestinationStream);
}
