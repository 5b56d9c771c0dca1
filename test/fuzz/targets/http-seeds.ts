/**
 * The seeds of the HTTP-surface fuzz target: one request of each route shape Airlock serves, as
 * its clients send it (the admin API with the admin token). `{token}` and the other `{…}` names
 * are filled in by the target with the running gateway's values.
 */
import { requestText as r, TOKEN } from './http-requests.ts';

const admin = { authorization: `Bearer ${TOKEN}` };
const json = { ...admin, 'content-type': 'application/json' };
const npmAccept = { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*' };
const manifestAccept = { accept: 'application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json' };
const ociManifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] });

export const SEEDS: readonly string[] = [
  // npm: the proxy and the hosted repository.
  r('GET', '/npm/left-pad', npmAccept),
  r('GET', '/npm/@acme%2fwidget', { ...npmAccept, 'accept-encoding': 'gzip' }),
  r('GET', '/npm/@acme/widget/1.0.0'),
  r('GET', '/npm/left-pad/latest', { 'if-none-match': '"x"' }),
  r('GET', '/npm/left-pad/-/left-pad-1.0.0.tgz', { range: 'bytes=0-10' }),
  r('HEAD', '/npm/@acme/widget/-/widget-1.0.0.tgz'),
  r('GET', '/npm/-/v1/search?text=left&size=20&from=0'),
  r('GET', '/npm/-/package/left-pad/dist-tags'),
  r('GET', '/npm/-/ping?write=true'),
  r('GET', '/npm/-/whoami', admin),
  r('POST', '/npm/-/npm/v1/security/advisories/bulk', { 'content-type': 'application/json' }, '{"left-pad":["1.0.0","1.1.0"]}'),
  r('POST', '/npm/-/npm/v1/security/audits/quick', { 'content-type': 'application/json' }, '{"name":"p","version":"1.0.0","requires":{"left-pad":"^1.0.0"},"dependencies":{"left-pad":{"version":"1.0.0"}}}'),
  r('PUT', '/npm-hosted/@acme%2flib', json, '{publish}'),
  r('GET', '/npm-hosted/@acme%2flib', admin),
  r('PUT', '/npm-hosted/-/package/@acme%2flib/dist-tags/beta', json, '"1.2.3"'),
  r('DELETE', '/npm-hosted/@acme%2flib/-rev/1-abc', admin),
  // PyPI: the simple API (both formats), files and their core metadata, an upload.
  r('GET', '/pypi/simple/'),
  r('GET', '/pypi/simple/acme-billing/', { accept: 'application/vnd.pypi.simple.v1+json' }),
  r('GET', '/pypi/simple/Acme_Billing', { accept: 'text/html' }),
  r('GET', '/pypi/files/acme-billing/{wheel}', { range: 'bytes=0-3' }),
  r('HEAD', '/pypi/files/acme-billing/{wheel}.metadata', { 'if-none-match': '*' }),
  r('POST', '/pypi/legacy/', { ...admin, 'content-type': 'multipart/form-data; boundary=xx' }, '--xx\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n--xx--\r\n'),
  r('POST', '/pypi-hosted/legacy/', { ...admin, 'content-type': 'multipart/form-data; boundary=xx' }, '--xx\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n--xx\r\nContent-Disposition: form-data; name="name"\r\n\r\nacme-internal\r\n--xx\r\nContent-Disposition: form-data; name="version"\r\n\r\n1.0\r\n--xx\r\nContent-Disposition: form-data; name="content"; filename="acme_internal-1.0.tar.gz"\r\n\r\nnot a tarball\r\n--xx--\r\n'),
  r('POST', '/pypi-hosted/-/projects/acme-internal/1.0/yank', admin),
  r('DELETE', '/pypi-hosted/-/projects/acme-internal/files/acme_internal-1.0.tar.gz', admin),
  // OCI: the root, the catalog, the token service, a proxied image, a hosted push.
  r('GET', '/v2/'),
  r('GET', '/v2/_catalog?n=10&last=a', admin),
  r('GET', '/-/oci/token?scope=repository:containers/library/demo:pull&service=airlock', admin),
  r('GET', '/v2/containers/library/demo/manifests/latest', { ...admin, ...manifestAccept }),
  r('HEAD', '/v2/containers/library/demo/manifests/{manifest}', { ...admin, ...manifestAccept }),
  r('GET', '/v2/containers/library/demo/blobs/{layer}', { ...admin, range: 'bytes=0-100' }),
  r('GET', '/v2/containers/library/demo/tags/list?n=5&last=a', admin),
  r('GET', '/v2/containers/library/demo/referrers/{manifest}?artifactType=application%2Fvnd.example', admin),
  r('POST', '/v2/images/demo/blobs/uploads/?mount={layer}&from=containers/library/demo', admin),
  r('PATCH', '/v2/images/demo/blobs/uploads/00000000-0000-0000-0000-000000000000', { ...admin, 'content-type': 'application/octet-stream', 'content-range': '0-3' }, 'abcd'),
  r('PUT', '/v2/images/demo/manifests/v1', { ...admin, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, ociManifest),
  r('DELETE', '/v2/images/demo/manifests/{manifest}', admin),
  // Hugging Face: repo info, a revision, the tree, paths-info, a file.
  r('GET', '/huggingface/api/models/acme/tiny'),
  r('GET', '/huggingface/api/models/acme/tiny/revision/main?expand=true'),
  r('GET', '/huggingface/api/models/acme/tiny/tree/main/onnx?recursive=true&cursor=0'),
  r('POST', '/huggingface/api/models/acme/tiny/paths-info/main', { 'content-type': 'application/x-www-form-urlencoded' }, 'paths=config.json&paths=onnx&expand=True'),
  r('GET', '/huggingface/acme/tiny/resolve/main/config.json', { range: 'bytes=0-4' }),
  r('HEAD', '/huggingface/datasets/acme/data/resolve/refs%2Fpr%2F1/a.parquet'),
  // The gateway's own routes and the admin API.
  r('GET', '/-/health'),
  r('GET', '/-/metrics'),
  r('GET', '/-/ui/'),
  r('GET', '/-/sso/config'),
  r('GET', '/-/sso/login?next=%2F-%2Fui%2F'),
  r('POST', '/-/mcp', { ...admin, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"check_package","arguments":{"purl":"pkg:npm/left-pad@1.0.0"}}}'),
  r('GET', '/-/api/whoami', admin),
  r('GET', '/-/api/repositories', admin),
  r('GET', '/-/api/policy', admin),
  r('POST', '/-/api/policy/reload', admin),
  r('POST', '/-/api/policy/impact', json, '{"modules":[{"path":"x.rego","source":"package airlock\\n"}],"limit":10,"since":"2026-01-01T00:00:00Z"}'),
  r('GET', '/-/api/quarantine?state=quarantined&purl=pkg:npm/left-pad&limit=10&cursor=abc', admin),
  r('GET', '/-/api/quarantine/q_1/changes/diff?path=package/index.js', admin),
  r('POST', '/-/api/quarantine/q_1/release', json, '{"reason":"reviewed"}'),
  r('POST', '/-/api/quarantine/q_1/reject', json, '{"reason":"malicious"}'),
  r('GET', '/-/api/decisions?purl=pkg:npm/left-pad@1.0.0&limit=5', admin),
  r('GET', '/-/api/audit?after=0&limit=10', admin),
  r('GET', '/-/api/audit/export?since=7d&until=2099-01-01T00:00:00Z&after=0&through=10', admin),
  r('GET', '/-/api/exceptions?limit=10', admin),
  r('POST', '/-/api/exceptions', json, '{"ecosystem":"npm","name":"left-pad","version":"1.0.0","rules":["cooldown"],"reason":"needed","expires":"30d"}'),
  r('DELETE', '/-/api/exceptions/ex_1', admin),
  r('GET', '/-/api/tokens?limit=10', admin),
  r('POST', '/-/api/tokens', json, '{"role":"publisher","label":"ci","expires":"2099-01-01T00:00:00Z","scope":{"repos":["npm"],"packages":["left-pad"]}}'),
  r('DELETE', '/-/api/tokens/tok_1', admin),
  r('GET', '/-/api/check?purl=pkg:npm/left-pad@1.0.0&repo=npm', admin),
  r('GET', '/-/api/check?purl=pkg:npm/left-pad&range=^1.0.0', admin),
  r('POST', '/-/api/check', json, '{"packages":["pkg:pypi/acme-billing@1.0",{"purl":"pkg:npm/left-pad","range":"^1"},"pkg:oci/library/demo?tag=latest","pkg:huggingface/acme/tiny@main"],"repo":"npm"}'),
  r('GET', '/-/api/inventory?format=cyclonedx&repo=npm&usedSince=30d', admin),
  r('GET', '/-/api/vulnerabilities?severity=high&ecosystem=npm&name=left-pad&limit=10', admin),
  r('GET', '/-/api/signals/missing?limit=10', admin),
  r('GET', '/-/api/webhooks', admin),
  r('POST', '/-/api/webhooks/siem/replay', json, '{"fromSeq":1,"reason":"replay"}'),
  r('POST', '/-/api/oidc/token', { 'content-type': 'application/json' }, '{"token":"eyJhbGciOiJub25lIn0.e30."}'),
];
