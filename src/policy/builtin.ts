/** Where the built-in default policy lives: `policies/` at the package root. */
import { join } from 'node:path';

export function builtinPolicyPath(): string {
  return join(import.meta.dirname, '..', '..', 'policies');
}
