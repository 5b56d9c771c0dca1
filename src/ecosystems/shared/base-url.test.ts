import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { isAirlockError } from '../../core/index.ts';
import { repositoryUrl } from './base-url.ts';

function request(host: string | undefined, protocol = 'http'): FastifyRequest {
  return { host, protocol } as unknown as FastifyRequest;
}

const refused = (err: unknown): boolean => isAirlockError(err, 'BAD_REQUEST');

test('the URL follows each request: a Host refused stays refused between good ones, and the repository, prefix, scheme and publicUrl of each call count', () => {
  assert.equal(repositoryUrl(null, 'npm', '/npm', request('a.example:8080')), 'http://a.example:8080/npm/');
  assert.throws(() => repositoryUrl(null, 'npm', '/npm', request('a.example:8080/evil')), refused);
  assert.equal(repositoryUrl(null, 'npm', '/npm', request('a.example:8080')), 'http://a.example:8080/npm/');
  assert.throws(() => repositoryUrl(null, 'npm', '/npm', request('a.example:8080/evil')), refused);
  assert.equal(repositoryUrl(null, 'npm', '/npm', request('a.example:8080', 'HTTPS')), 'https://a.example:8080/npm/');
  assert.throws(() => repositoryUrl(null, 'npm', '/npm', request('a.example:8080', 'gopher')), refused);
  assert.equal(repositoryUrl(null, 'internal', '/internal', request('a.example:8080')), 'http://a.example:8080/internal/');
  assert.equal(repositoryUrl(null, 'npm', '/npm', request('b.example')), 'http://b.example/npm/');
  assert.equal(repositoryUrl('https://registry.example/', 'npm', '/npm', request('b.example')), 'https://registry.example/npm/');
  assert.equal(repositoryUrl(null, 'npm', '/npm', request('b.example')), 'http://b.example/npm/');
  assert.throws(() => repositoryUrl(null, 'npm', '/npm', request(undefined)), refused);
  assert.throws(() => repositoryUrl(null, 'npm', '/npm', request('')), refused);
});
