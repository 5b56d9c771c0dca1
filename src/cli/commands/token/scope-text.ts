/** A token's scope in words, as `airlock token` prints it: `repositories internal; packages @acme/*`. */
import type { TokenScope } from '../../../storage/ports/index.ts';

export function scopeText(scope: TokenScope): string {
  return [scope.repos === null ? null : `repositories ${scope.repos.join(', ')}`, scope.packages === null ? null : `packages ${scope.packages.join(', ')}`].filter((x) => x !== null).join('; ');
}
