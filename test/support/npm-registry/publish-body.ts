/**
 * The body of `npm publish` for `@acme/lib@1.2.3` as libnpmpublish builds it: the version's
 * manifest with the tarball's digests, the `latest` tag, and the tarball as a base64 attachment.
 * Tests edit the document before it is sent.
 */
import { createHash } from 'node:crypto';

export function publishDoc(tarball: Buffer): Record<string, any> {
  return {
    _id: '@acme/lib',
    name: '@acme/lib',
    description: 'a library',
    'dist-tags': { latest: '1.2.3' },
    versions: {
      '1.2.3': {
        name: '@acme/lib',
        version: '1.2.3',
        _id: '@acme/lib@1.2.3',
        _npmUser: { name: 'someone-else' },
        dist: {
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
          shasum: createHash('sha1').update(tarball).digest('hex'),
          tarball: 'http://registry.example/@acme/lib/-/@acme/lib-1.2.3.tgz',
        },
      },
    },
    access: null,
    _attachments: { '@acme/lib-1.2.3.tgz': { content_type: 'application/octet-stream', data: tarball.toString('base64'), length: tarball.length } },
  };
}
