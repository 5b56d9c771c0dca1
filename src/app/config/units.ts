/** Byte sizes as people write them: 1048576, `512MB`, `1GiB`, `64k`. */
import { AirlockError } from '../../core/index.ts';

const SIZE_RE = /^(\d{1,15})\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?$/i;
const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

export function parseSize(text: string): number {
  const m = SIZE_RE.exec(text.trim());
  if (m === null) throw new AirlockError('CONFIG_INVALID', `invalid size ${JSON.stringify(text.slice(0, 40))} (expected e.g. 512MB, 1GiB, 1048576)`);
  const n = Number(m[1]) * (UNITS[(m[2] ?? 'b').toLowerCase()] as number);
  if (!Number.isSafeInteger(n)) throw new AirlockError('CONFIG_INVALID', `size ${text} is too large`);
  return n;
}
