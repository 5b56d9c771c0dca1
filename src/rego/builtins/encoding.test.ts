/**
 * base64, base64url, hex and URL query builtins (Go strictness and messages).
 * Expected answers come from OPA (v0.70 as a development oracle); rows marked "newer OPA"
 * follow the behaviour the conformance suite pins for current OPA.
 */
import { builtinErr, table, typeError } from './test-kit.ts';

table('encoding', [
  ['base64.encode("héllo")', '"aMOpbGxv"'],
  ['base64.encode("")', '""'],
  ['base64.decode("aMOpbGxv")', '"héllo"'],
  ['base64.decode("aGVsbG8")', builtinErr('base64.decode: illegal base64 data at input byte 4')],
  ['base64.decode("aGVsbG8=\\n")', '"hello"'],
  ['base64.decode("aGV sbG8=")', builtinErr('base64.decode: illegal base64 data at input byte 3')],
  ['base64.decode("YQ")', builtinErr('base64.decode: illegal base64 data at input byte 0')],
  ['base64.is_valid("aGVsbG8=")', 'true'],
  ['base64.is_valid("aGVsbG8")', 'false'],
  ['base64url.encode("hi?>")', '"aGk_Pg=="'],
  ['base64url.encode_no_pad("hi?")', '"aGk_"'],
  ['base64url.decode("aGk_Pg")', '"hi?\\u003e"'],
  ['base64url.decode("aGk_Pg==")', '"hi?\\u003e"'],
  ['base64url.decode("a")', builtinErr('base64url.decode: illegal base64url string: a')],
  ['hex.encode("hi")', '"6869"'],
  ['hex.encode("é")', '"c3a9"'],
  ['hex.decode("6869")', '"hi"'],
  ['hex.decode("686")', builtinErr('hex.decode: encoding/hex: odd length hex string')],
  ['hex.decode("zz")', builtinErr('hex.decode: encoding/hex: invalid byte: U+007A \'z\'')],
  ['urlquery.encode("a b/c?d=e&f")', '"a+b%2Fc%3Fd%3De%26f"'],
  ['urlquery.encode("é~-_.")', '"%C3%A9~-_."'],
  ['urlquery.decode("a+b%2Fc")', '"a b/c"'],
  ['urlquery.decode("%")', builtinErr('urlquery.decode: invalid URL escape "%"')],
  ['urlquery.encode_object({"x": ["1", "2"], "a": "b c"})', '"a=b+c\\u0026x=1\\u0026x=2"'],
  ['urlquery.encode_object({"a": {"z", "y"}})', '"a=y\\u0026a=z"'],
  ['urlquery.encode_object({"a": json.unmarshal("1")})', typeError('urlquery.encode_object: operand 1 values must be string, array[string], or set[string]')],
  ['urlquery.decode_object("a=1&b=%20&a=2")', '{"a":["1","2"],"b":[" "]}'],
  ['urlquery.decode_object("a=%zz")', builtinErr('urlquery.decode_object: invalid URL escape "%zz"')],
  ['urlquery.decode_object("a;b")', builtinErr('urlquery.decode_object: invalid semicolon separator in query')],
  ['urlquery.decode_object("=x&y")', '{"":["x"],"y":[""]}'],
]);
