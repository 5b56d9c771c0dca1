import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHealthFailure, isRetryable, statusError, transportError } from './errors.ts';

/** An error as Node's proxy support raises it when a CONNECT tunnel does not open. */
function tunnel(message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code: 'ERR_PROXY_TUNNEL', ...extra });
}

test('a CONNECT the proxy refuses for credentials reads as a plain 407 does, and is not retried', () => {
  const viaTunnel = transportError(tunnel('Failed to establish tunnel to registry.corp:443 via http://egress.corp:3128/: HTTP/1.1 407 Proxy Authentication Required', { statusCode: 407 }), 'npm', '/left-pad');
  const viaForward = statusError(407, 'npm', '/left-pad', null);
  for (const e of [viaTunnel, viaForward]) {
    assert.equal(e.code, 'UPSTREAM_BAD_RESPONSE');
    assert.equal(e.message, "the proxy to upstream npm refused Airlock (407 Proxy Authentication Required) for /left-pad; check the repository's proxy setting");
    assert.equal(isRetryable(e), false);
  }
});

test('other tunnel failures: the proxy’s refusal, its failure to reach the upstream, a time-out, a closed connection', () => {
  const forbidden = transportError(tunnel('Failed … 403 Forbidden', { statusCode: 403 }), 'npm', '/left-pad');
  assert.equal(forbidden.code, 'UPSTREAM_BAD_RESPONSE');
  assert.equal(forbidden.message, 'the proxy to upstream npm would not connect Airlock to it (it answered 403 to CONNECT) for /left-pad');
  assert.equal(isRetryable(forbidden), false);

  // Statuses that mean something from the upstream mean the proxy's own answer to CONNECT here.
  for (const status of [401, 508]) {
    const e = transportError(tunnel(`Failed … ${status}`, { statusCode: status }), 'npm', '/left-pad');
    assert.equal(e.message, `the proxy to upstream npm would not connect Airlock to it (it answered ${status} to CONNECT) for /left-pad`);
  }

  const badGateway = transportError(tunnel('Failed … 502 Bad Gateway', { statusCode: 502 }), 'npm', '/left-pad');
  assert.equal(badGateway.code, 'UPSTREAM_UNAVAILABLE');
  assert.equal(isRetryable(badGateway), true);

  const slow = transportError(tunnel('Connection to establish proxy tunnel timed out after 5000ms', { proxyTunnelTimeout: 5000 }), 'npm', '/left-pad');
  assert.equal(slow.code, 'UPSTREAM_TIMEOUT');
  assert.equal(slow.message, 'upstream npm timed out connecting through its proxy for /left-pad');

  const ended = transportError(tunnel('Connection to establish proxy tunnel ended unexpectedly'), 'npm', '/left-pad');
  assert.equal(ended.code, 'UPSTREAM_UNAVAILABLE');
  assert.equal(ended.message, 'the proxy to upstream npm closed the connection before its tunnel was open for /left-pad');
  assert.equal(isRetryable(ended), true);
});

test('508 from the upstream is a loop back to an Airlock: said so, not retried', () => {
  const e = statusError(508, 'npm', '/npm/left-pad', null);
  assert.equal(e.code, 'UPSTREAM_BAD_RESPONSE');
  assert.equal(e.message, "upstream npm answered 508 Loop Detected for /npm/left-pad: it leads back to an Airlock it is proxied by; check the repository's upstream setting");
  assert.equal(isRetryable(e), false);
});

test('certificate failures: an issuer Airlock does not trust says how to trust it, others say what was wrong; neither is retried nor counts against the upstream’s health', () => {
  const untrusted = transportError(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'npm', '/left-pad');
  assert.equal(untrusted.code, 'UPSTREAM_BAD_RESPONSE');
  assert.match(untrusted.message, /^upstream npm presented a TLS certificate from an authority Airlock does not trust \(SELF_SIGNED_CERT_IN_CHAIN\) for \/left-pad; .* give the repository its certificates \(ca: FILE\)$/);
  const expired = transportError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'npm', '/left-pad');
  assert.equal(expired.message, 'upstream npm presented a TLS certificate Airlock refused (CERT_HAS_EXPIRED) for /left-pad');
  for (const e of [untrusted, expired]) {
    assert.equal(isRetryable(e), false);
    assert.equal(isHealthFailure(e), false);
  }
});

test('401 from the upstream points at the repository’s upstreamAuth', () => {
  const e = statusError(401, 'npm', '/@corp/ui', null);
  assert.equal(e.message, "upstream npm answered 401 Unauthorized for /@corp/ui; if it needs credentials, check the repository's upstreamAuth setting");
  assert.equal(isRetryable(e), false);
});
