/**
 * Certificate rotation without a restart: when the files of `server.tls` change (watched through
 * their directories, so that a file renamed over, or a Kubernetes secret's symlink swapped, is
 * seen) or on SIGHUP, the pair is read and checked again (`readTlsMaterial`) and swapped in with
 * `setSecureContext`: new connections get it, open ones keep theirs. A pair that fails a check
 * (half-written, mismatched, expired) is logged with why, and the one being served stays.
 *
 * The served certificate's expiry is logged at start, at each swap, and when it crosses a
 * threshold while served (checked hourly): a warning within 14 days, an error within a day.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import type { TlsConfig } from './config/types.ts';
import { EXPIRY_ERROR_MS, EXPIRY_WARNING_MS, describeCertificate, describeValidity, readTlsMaterial, secureContextOptions, type TlsMaterial } from './tls-material.ts';

/** Changes closer together than this are one (a tool writing the certificate, then the key). */
const SETTLE_MS = 300;

export type TlsReload =
  | { readonly kind: 'swapped'; readonly material: TlsMaterial }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'refused'; readonly reason: string };

export interface TlsRotation {
  /** The pair new connections get. */
  current(): TlsMaterial;
  /** Read the files again now, and swap in a good new pair; logs what happened (`trigger`: why it was read). */
  reload(trigger: string): TlsReload;
  close(): void;
}

export interface TlsRotationOptions {
  readonly log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  readonly clock: () => Date;
  /** How often the served certificate's expiry is checked against the thresholds (default an hour). */
  readonly expiryCheckMs?: number;
}

/** How close `material`'s certificate is to its expiry at `now`: error within a day, warn within 14 days. */
function expiryLevel(material: TlsMaterial, now: Date): 'error' | 'warn' | null {
  const left = material.certificate.validTo.getTime() - now.getTime();
  return left < EXPIRY_ERROR_MS ? 'error' : left < EXPIRY_WARNING_MS ? 'warn' : null;
}

/** The files `config` reads, each once. */
function files(config: TlsConfig): readonly string[] {
  const all = [config.cert, config.key.kind === 'file' ? config.key.path : null, config.ca, config.clientCa];
  return [...new Set(all.filter((f): f is string => f !== null))];
}

export function startTlsRotation(server: TlsServer, config: TlsConfig, first: TlsMaterial, options: TlsRotationOptions): TlsRotation {
  let current = first;
  const { log } = options;
  /** The certificate and level last logged by `logExpiry`: a periodic check logs only a change. */
  let logged = { serial: '', level: null as 'error' | 'warn' | null };
  const logExpiry = (trigger: string, always: boolean): void => {
    const now = options.clock();
    const level = expiryLevel(current, now);
    const { serial, validTo } = current.certificate;
    if (level !== null && (always || logged.serial !== serial || logged.level !== level)) {
      const fields = { trigger, serial, subject: current.certificate.subject, notAfter: validTo.toISOString(), expiresIn: describeValidity(validTo.getTime() - now.getTime()) };
      if (level === 'error') log.error(fields, 'tls certificate expires within a day; renew it now');
      else log.warn(fields, 'tls certificate expires within 14 days; renew it');
    }
    logged = { serial, level };
  };
  const reload = (trigger: string): TlsReload => {
    let next: TlsMaterial;
    try {
      next = readTlsMaterial(config, options.clock());
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.error({ trigger, reason, serving: current.certificate.serial }, 'tls certificate not reloaded; new connections still get the one served before');
      return { kind: 'refused', reason };
    }
    if (next.digest === current.digest) return { kind: 'unchanged' };
    server.setSecureContext(secureContextOptions(next));
    current = next;
    log.info({ trigger, certificate: describeCertificate(next.certificate), serial: next.certificate.serial }, 'tls certificate swapped in for new connections');
    for (const w of next.warnings) if (w !== next.expiryWarning) log.warn({ trigger }, w);
    logExpiry(trigger, true);
    return { kind: 'swapped', material: next };
  };

  logExpiry('start', true);
  const expiryTimer = setInterval(() => logExpiry('expiry check', false), options.expiryCheckMs ?? 3_600_000);
  expiryTimer.unref();

  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  if (config.watch) {
    const changed = (): void => {
      if (closed) return;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        if (!closed) reload('the files changed');
      }, SETTLE_MS);
      timer.unref();
    };
    for (const dir of new Set(files(config).map((f) => dirname(f)))) {
      // The whole directory: a file replaced by a rename, or through a swapped symlink, is no longer the inode a watch on it would follow.
      const w = watch(dir, { persistent: false }, changed);
      w.on('error', (err) => log.warn({ dir, reason: err.message }, 'stopped watching the tls certificate directory; send SIGHUP to reload the certificate'));
      watchers.push(w);
    }
  }
  return {
    current: () => current,
    reload,
    close() {
      closed = true;
      clearInterval(expiryTimer);
      if (timer !== null) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
