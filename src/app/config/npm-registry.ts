/**
 * The default npm upstream is whatever the local npm client is configured to use: it is read
 * from `npm config get registry` at start-up and never written down anywhere.
 */
import { execFile } from 'node:child_process';
import { AirlockError } from '../../core/index.ts';

export type RegistryDiscovery = () => Promise<string>;

export function npmConfigRegistry(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): RegistryDiscovery {
  return () =>
    new Promise((resolvePromise, reject) => {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      execFile(npm, ['config', 'get', 'registry'], { env, timeout: timeoutMs, maxBuffer: 64 * 1024, windowsHide: true }, (err, stdout) => {
        if (err !== null) {
          reject(
            new AirlockError(
              'CONFIG_INVALID',
              `no upstream configured and 'npm config get registry' failed (${err.message.split('\n')[0]}); set repositories[].upstream in the configuration or AIRLOCK_REPOSITORIES_<NAME>_UPSTREAM`,
              { cause: err },
            ),
          );
          return;
        }
        const text = stdout.trim();
        let url: URL;
        try {
          url = new URL(text);
        } catch (cause) {
          reject(
            new AirlockError(
              'CONFIG_INVALID',
              `no upstream configured and 'npm config get registry' printed no URL; set repositories[].upstream in the configuration`,
              { cause },
            ),
          );
          return;
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') {
          reject(new AirlockError('CONFIG_INVALID', `'npm config get registry' is not an http(s) URL; set repositories[].upstream in the configuration`));
          return;
        }
        url.search = '';
        url.hash = '';
        const s = url.toString();
        resolvePromise(s.endsWith('/') ? s : `${s}/`);
      });
    });
}
