/**
 * net.cidr_* (Go net semantics), uri.parse, and the refused network builtins.
 * Expected answers come from OPA (v0.70 as a development oracle); rows marked "newer OPA"
 * follow the behaviour the conformance suite pins for current OPA.
 */
import { builtinErr, table } from './test-kit.ts';

table('net', [
  ['net.cidr_contains("10.0.0.0/8", "10.1.2.3")', 'true'],
  ['net.cidr_contains("10.0.0.0/8", "::ffff:10.1.2.3")', 'true'],
  ['net.cidr_contains("::/0", "10.1.2.3")', 'false'],
  ['net.cidr_contains("2001:db8::/32", "2001:db8::1")', 'true'],
  ['net.cidr_contains("10.0.0.0/8", "010.1.2.3")', builtinErr('net.cidr_contains: not a valid textual representation of an IP address or CIDR: 010.1.2.3')],
  ['net.cidr_contains("10.0.0.0/8", "10.0.0.0/7")', 'false'],
  ['net.cidr_contains("10.0.0.0/8", "10.255.0.0/16")', 'true'],
  ['net.cidr_contains("x", "10.0.0.1")', builtinErr('net.cidr_contains: invalid CIDR address: x')],
  ['net.cidr_intersects("10.0.0.0/8", "10.1.0.0/16")', 'true'],
  ['net.cidr_intersects("10.0.0.0/16", "10.1.0.0/16")', 'false'],
  ['net.cidr_expand("10.0.0.0/30")', '["10.0.0.0","10.0.0.1","10.0.0.2","10.0.0.3"]'],
  ['net.cidr_expand("2001:db8::/127")', '["2001:db8::","2001:db8::1"]'],
  ['net.cidr_expand("10.0.0.1/32")', '["10.0.0.1"]'],
  ['net.cidr_merge(["10.0.0.0/24", "10.0.1.0/24", "10.0.3.0/24"])', '["10.0.0.0/23","10.0.3.0/24"]'],
  ['net.cidr_merge(["10.1.2.3"])', '["10.1.2.3/8"]'],
  ['net.cidr_merge(["2001:db8::/33", "2001:db8:8000::/33"])', '["2001:db8::/32"]'],
  ['net.cidr_merge(["10.0.0.0/8", "10.1.0.0/16"])', '["10.0.0.0/8"]'],
  ['net.cidr_is_valid("10.0.0.0/33")', 'false'],
  ['net.cidr_is_valid("::1/128")', 'true'],
  ['net.cidr_is_valid("10.0.0.0/08")', 'true'],
  ['net.cidr_contains_matches(["10.0.0.0/8", "192.168.0.0/16"], {"a": "10.1.1.1", "b": "192.168.1.1", "c": "8.8.8.8"})', '[[0,"a"],[1,"b"]]'],
  ['net.cidr_contains_matches("10.0.0.0/8", ["10.0.0.1", "x"])', builtinErr('net.cidr_contains_matches: not a valid textual representation of an IP address or CIDR: x')],
  // newer OPA, or Airlock-specific (see comments)
  ['net.cidr_merge(["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"])', builtinErr('net.cidr_merge: IPv6 invalid: needs prefix length')],
  ['net.cidr_expand("192.168.1.1/33")', builtinErr('net.cidr_expand: invalid CIDR address: 192.168.1.1/33')],
  ['uri.parse("https://user@example.com:8443/a%2Fb?q=1#f")', '{"fragment":"f","hostname":"example.com","path":"/a/b","port":"8443","raw_path":"/a%2Fb","raw_query":"q=1","scheme":"https"}'],
  ['uri.parse("http://exa%6dple.com/")', builtinErr('uri.parse: parse "http://exa%6dple.com/": invalid URL escape "%6d"')],
  ['uri.is_valid("http://[::1]:80/")', 'true'],
  ['uri.is_valid("")', 'false'],
  // Airlock refuses network I/O.
  ['net.lookup_ip_addr("example.com")', builtinErr('not available in Airlock')],
  ['http.send({"method": "get", "url": "http://127.0.0.1/"})', builtinErr('not available in Airlock')],
]);
