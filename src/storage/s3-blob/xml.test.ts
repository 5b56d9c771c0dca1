import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childText, onlyChild, parseXml, XmlError, type XmlElement } from './xml.ts';

function refused(input: string, message: RegExp, limits?: Parameters<typeof parseXml>[1]): void {
  assert.throws(() => parseXml(input, limits), (err: unknown) => {
    assert.ok(err instanceof XmlError, `expected an XmlError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

test('xml: elements, attributes, text and the shape S3 answers in', () => {
  const root = parseXml(
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>' +
      '<Contents><Key>a/b c</Key><Size>12</Size></Contents><Contents><Key>x</Key><Size>0</Size></Contents><Empty/><Spaced  a = \'1\'  b="2" /></ListBucketResult>',
  );
  assert.equal(root.name, 'ListBucketResult');
  assert.equal(root.attributes.get('xmlns'), 'http://s3.amazonaws.com/doc/2006-03-01/');
  assert.equal(childText(root, 'Name'), 'b');
  assert.deepEqual(
    root.children.filter((c) => c.name === 'Contents').map((c) => [childText(c, 'Key'), childText(c, 'Size')]),
    [
      ['a/b c', '12'],
      ['x', '0'],
    ],
  );
  assert.equal(childText(root, 'Empty'), '');
  assert.deepEqual([...(onlyChild(root, 'Spaced') as XmlElement).attributes], [['a', '1'], ['b', '2']]);
  assert.equal(childText(root, 'Missing'), undefined);
  assert.throws(() => onlyChild(root, 'Contents'), /<ListBucketResult> has more than one <Contents>/);
});

test('xml: the five predefined entities and character references are decoded, in text and attributes; CDATA is text', () => {
  const root = parseXml(`<r a="&quot;&apos;&#60;&#x3E;"><t>&lt;&gt;&amp;&quot;&apos; &#233;&#xE9;&#x1F600; &amp;lt;</t><c><![CDATA[<not> &amp; a tag]]>!</c></r>`);
  assert.equal(root.attributes.get('a'), `"'<>`);
  assert.equal(childText(root, 't'), `<>&"' éé😀 &lt;`);
  assert.equal(childText(root, 'c'), '<not> &amp; a tag!');
  // White space before the declaration: S3 pads a long completion before it writes the document.
  assert.equal(parseXml('   \n <?xml version="1.0"?><r/>').name, 'r');
  assert.equal(parseXml('<!-- a comment --><r><!-- another --></r><!-- after -->').name, 'r');
});

test('xml: entities beyond the predefined ones, and any DTD, are refused (no expansion, no external entities)', () => {
  refused('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', /document type declarations are refused/);
  refused('<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', /document type declarations are refused/);
  refused('<r>&nbsp;</r>', /unknown entity &nbsp;/);
  refused('<r>&xxe;</r>', /unknown entity &xxe;/);
  refused('<r>a & b</r>', /'&' that starts no reference/);
  refused('<r>&#0;</r>', /&#0; is not a character XML allows/);
  refused('<r>&#xD800;</r>', /is not a character XML allows/);
  refused('<r>&#x110000;</r>', /is not a character XML allows/);
  refused('<r>&#xFFFE;</r>', /is not a character XML allows/);
  refused('<r a="&ent;"/>', /unknown entity &ent;/);
  refused('<r><?php evil ?></r>', /processing instructions are refused/);
  refused('<?pi?><r/>', /processing instructions are refused/);
  refused('<r>\u0001</r>', /character U\+0001 is not allowed/);
});

test('xml: depth, element count and length are capped', () => {
  const deep = (n: number): string => '<a>'.repeat(n) + '</a>'.repeat(n);
  assert.equal(parseXml(deep(32)).name, 'a');
  refused(deep(33), /elements nest deeper than 32/);
  refused(deep(5), /nest deeper than 4/, { maxDepth: 4, maxElements: 100, maxLength: 1000 });
  refused(`<r>${'<e/>'.repeat(100)}</r>`, /more than 100 elements/, { maxDepth: 4, maxElements: 100, maxLength: 10_000 });
  refused(`<r>${'x'.repeat(1000)}</r>`, /longer than 1000 characters/, { maxDepth: 4, maxElements: 100, maxLength: 1000 });
});

test('xml: a truncated or malformed document is an error, never a shorter tree', () => {
  const whole = '<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key></Contents></ListBucketResult>';
  for (let cut = 0; cut < whole.length; cut++) {
    assert.throws(() => parseXml(whole.slice(0, cut)), XmlError, `cut at ${cut}: ${whole.slice(0, cut)}`);
  }
  refused('', /no root element/);
  refused('just text', /text before the root element/);
  refused('<a></b>', /<\/b> closes <a>/);
  refused('<a><b></a></b>', /<\/a> closes <b>/);
  refused('<a/><b/>', /content after the root element/);
  refused('<a/>text', /content after the root element/);
  refused('<a x="1" x="2"/>', /has x twice/);
  refused('<a x=1/>', /the value of x is not quoted/);
  refused('<a x="<"/>', /'<' in the value of x/);
  refused('<a x="1"y="2"/>', /expected white space/);
  refused('<1a/>', /expected a name/);
  refused('<a><!-- x -- y --></a>', /'--' inside a comment/);
  refused('<a><![CDATA[never closed</a>', /ends inside a CDATA section/);
  refused('<a><!ELEMENT a ANY></a>', /refused inside the document/);
});
