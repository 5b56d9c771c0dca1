/** `airlock serve`: start the gateway. */
import { getHeapStatistics } from 'node:v8';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { loadConfig } from '../../app/config/load.ts';
import { closeOnSignals, reloadTlsOnHangup, startServer } from '../../app/server.ts';
import { describeCertificate, type TlsMaterial } from '../../app/tls-material.ts';
import type { TlsConfig } from '../../app/config/types.ts';
import { routeFor, upstreamRoute } from '../../app/upstream-proxy.ts';
import { trustSettings } from '../../app/repository-trust.ts';
import { describeStorage } from '../../app/storage.ts';
import { repositoryPath } from '../../app/repositories.ts';
import { registryKeySet } from '../../verify/index.ts';
import { EXIT, parse, reportError } from '../admin/cli-support.ts';

const MiB = 1024 * 1024;

/**
 * Why the JavaScript heap limit is too small for the configured caches, or null. The launcher
 * caps the old generation at 1 GB (docs/configuration.md#memory); caches past ~400 MiB need more,
 * with room for requests in flight.
 */
export function heapTooSmall(cacheMemoryBytes: number, heapLimitBytes: number): string | null {
  const needed = 2 * cacheMemoryBytes + 256 * MiB;
  if (needed <= heapLimitBytes) return null;
  const mb = Math.ceil(needed / MiB);
  return `server.cacheMemory (${Math.round(cacheMemoryBytes / MiB)} MiB) needs a JavaScript heap of about ${mb} MB, more than Node's limit here (${Math.floor(heapLimitBytes / MiB)} MB): start Airlock with NODE_OPTIONS=--max-old-space-size=${mb}`;
}

/** The start-up lines of `server.tls`: the certificate served, client certificates, rotation, and the warnings. */
export function describeTls(config: TlsConfig, material: TlsMaterial): string {
  const clients =
    config.clientCa === null
      ? ''
      : `; client certificates ${config.requireClientCert ? 'required' : 'asked for (not required)'}, issued by ${material.clientCas.join(' or ')}`;
  const rotation = config.watch ? 'swapped for a new pair when its files change, and on SIGHUP' : 'swapped for a new pair on SIGHUP';
  const lines = [`airlock: serving HTTPS (${config.minVersion} or later) with the certificate ${describeCertificate(material.certificate)}${clients}; ${rotation}`];
  for (const w of material.warnings) lines.push(`airlock: warning: ${w}`);
  return lines.join('\n');
}

const HELP = `usage: airlock serve [--config FILE] [--port N] [--host H] [--data-dir DIR] [--policy PATH]... [--tls-cert FILE --tls-key FILE]

Starts Airlock. Without --config: SQLite and blobs under ./data, one npm proxy repository named
"npm" at /npm/ whose upstream is read from 'npm config get registry' and reached through npm's
proxy, if npm has one, the built-in policy.

  --config FILE    YAML configuration (see docs/configuration.md)
  --port N         listen port (default 8080)
  --host H         listen address (default 127.0.0.1)
  --data-dir DIR   data directory (default ./data)
  --policy PATH    .rego/.json/.yaml file or directory; repeatable; replaces the built-in policy
  --tls-cert FILE  serve HTTPS with this PEM certificate (and its intermediates after it)
  --tls-key FILE   and this PEM private key (server.tls in the configuration sets the rest)
`;

export const command: Command = {
  summary: 'start the gateway',
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      policy: { type: 'string', multiple: true },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${values.port}`);
    }
    try {
      const config = await loadConfig({
        env: io.env,
        cwd: io.cwd,
        ...(values.config === undefined ? {} : { file: values.config }),
        flags: {
          ...(port === undefined ? {} : { port }),
          ...(values.host === undefined ? {} : { host: values.host }),
          ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
          ...(values.policy === undefined ? {} : { policy: values.policy }),
          ...(values['tls-cert'] === undefined ? {} : { tlsCert: values['tls-cert'] }),
          ...(values['tls-key'] === undefined ? {} : { tlsKey: values['tls-key'] }),
        },
      });
      const heapWarning = heapTooSmall(config.server.cacheMemoryBytes, getHeapStatistics().heap_size_limit);
      if (heapWarning !== null) io.stderr.write(`airlock: warning: ${heapWarning}\n`);
      // The look-alike indexes are built before the server answers: the first client does not wait for them.
      const server = await startServer(config, { cwd: io.cwd, announce: (line) => io.stderr.write(`${line}\n`), warmUp: true });
      // Handlers first: whoever reads the "listening" line may signal at once.
      const stopped = new Promise<number>((resolve) => {
        closeOnSignals(server, config.server.shutdownTimeoutMs, resolve);
      });
      reloadTlsOnHangup(server);
      if (server.tls !== null && config.server.tls !== null) io.stderr.write(`${describeTls(config.server.tls, server.tls.current())}\n`);
      for (const r of config.repositories) {
        if (r.kind === 'hosted') {
          const how =
            r.format === 'oci' ? `push to ${r.name}/<image> with a publisher token; images` : r.format === 'pypi' ? 'twine upload with a publisher token; files' : 'npm publish with a publisher token; packages';
          io.stderr.write(`airlock: repository ${r.name}: hosted (${how} kept in Airlock's stores and served through the gate)\n`);
          continue;
        }
        if (r.kind === 'group') {
          const writes = r.publishTo === null ? 'no publishes' : `publishes go to ${r.publishTo}`;
          io.stderr.write(`airlock: repository ${r.name}: group of ${r.members.join(', ')} (each package from the first that has it; ${writes})\n`);
          const kindOf = new Map(config.repositories.map((m) => [m.name, m.kind]));
          const firstProxy = r.members.findIndex((m) => kindOf.get(m) === 'proxy');
          const hostedAfter = firstProxy === -1 ? [] : r.members.slice(firstProxy + 1).filter((m) => kindOf.get(m) === 'hosted');
          if (hostedAfter.length > 0) {
            io.stderr.write(
              `airlock: warning: repository ${r.name}: the proxy ${r.members[firstProxy]} comes before the hosted ${hostedAfter.join(', ')}: ` +
                `a public package with the name of one of your packages would be served instead of it; list hosted repositories first\n`,
            );
          }
          continue;
        }
        if (r.format === 'pypi') {
          const n = r.ca?.pems.length ?? 0;
          const trust = r.ca === null ? '' : `, trusting only ${r.ca.source} (${n} certificate${n === 1 ? '' : 's'})`;
          const files = r.filesUpstream === null ? "files from the index's origin only" : `files from ${r.filesUpstream}, reached ${routeFor(r, new URL(r.filesUpstream), 'the files host', process.env)}`;
          io.stderr.write(`airlock: repository ${r.name}: pypi index ${r.upstream}, reached ${upstreamRoute(r, process.env)}${trust}; ${files} (pip install --index-url ${server.url}/${r.name}/simple/)\n`);
          continue;
        }
        if (r.format === 'oci') {
          const n = r.ca?.pems.length ?? 0;
          const trust = r.ca === null ? '' : `, trusting only ${r.ca.source} (${n} certificate${n === 1 ? '' : 's'})`;
          const keys = r.cosignKeys?.length ?? 0;
          const image = `${new URL(server.url).host}/${r.name}/<image>`;
          io.stderr.write(`airlock: repository ${r.name}: registry ${r.upstream}, reached ${upstreamRoute(r, process.env)}${trust}; cosign signatures checked against ${keys} key${keys === 1 ? '' : 's'} and ${r.sigstoreRoot.source} (skopeo copy docker://${image}:<tag> …)\n`);
          continue;
        }
        const from =
          r.upstreamSource === 'npm-config' ? ", from npm's registry setting" : r.upstreamSource === 'npm-fallback' ? ", npm's registry once the settings that lead to this Airlock are left out" : '';
        const n = r.ca?.pems.length ?? 0;
        const trust = r.ca === null ? '' : `, trusting only ${r.ca.source} (${n} certificate${n === 1 ? '' : 's'})`;
        const keys = r.registryKeys;
        const settings = trustSettings(r);
        const fromTuf = settings.keysTarget === null || settings.tuf === null ? [] : [`those ${settings.tuf.url} publishes as ${settings.keysTarget} (kept current)`];
        const keyids = registryKeySet(keys.listed, 'npm:signatures').size;
        const keySources = [...(keyids === 0 ? [] : [`the keys of ${keys.sources.join(' and ')} (${keyids} keyid${keyids === 1 ? '' : 's'})`]), ...fromTuf];
        const signatures = keySources.length === 0 ? 'no registry signature key trusted' : `registry signatures checked against ${keySources.join(' and ')}`;
        const route = settings.tuf === null ? '' : `; TUF repository reached ${routeFor(r, new URL(settings.tuf.url), 'the TUF repository', process.env)}`;
        const attestations = `attestations checked against ${r.sigstoreRoot.source}${route}`;
        io.stderr.write(`airlock: repository ${r.name}: upstream ${r.upstream}${from}, reached ${upstreamRoute(r, process.env)}${trust}; ${signatures}; ${attestations}\n`);
        if (r.npmStrictSslOff === true) {
          io.stderr.write(
            `airlock: warning: repository ${r.name}: npm's strict-ssl setting is false, but Airlock verifies the upstream's certificate all the same; ` +
              `if it is signed by an authority of your own, name it in the repository's ca setting (or npm's cafile)\n`,
          );
        }
      }
      for (const w of config.webhooks) {
        const url = typeof w.url === 'string' ? w.url : `a URL from ${w.url.source}`;
        io.stderr.write(`airlock: webhook ${w.name}: ${w.events.join(' ')} to ${url}, ${w.secret === null ? 'unsigned' : 'signed'} (airlock webhooks list shows its delivery)\n`);
      }
      io.stderr.write(
        `airlock: listening on ${server.url} (${describeStorage(config.storage)}; repositories: ${config.repositories.map((r) => `${server.url}${repositoryPath(r)}`).join(', ') || 'none'})\n`,
      );
      return await stopped;
    } catch (err) {
      return reportError(err, io, 'airlock serve');
    }
  },
};
