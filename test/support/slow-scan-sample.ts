/**
 * A model file whose scan is one long synchronous stretch: a 199-byte bzip2 stream of a benign
 * 200 MiB pickle (protocol 4, one BINBYTES8 of zeros), under the scanner's 256 MiB member limit.
 * The bzip2 decoder inflates a member in one synchronous run (src/scan/formats/archives/), so
 * scanning it holds whatever thread it runs in for the whole decode; the pickle itself is safe.
 * Made with Python: bz2.compress(b'\x80\x04\x8e' + struct.pack('<Q', n) + bytes(n) + b'.', 9),
 * n = 200 MiB.
 */
export const BZIP2_PICKLE_200_MIB: Uint8Array = Buffer.from(
  'QlpoOTFBWSZTWWbDE5QFfjhAQMQEQAEACCAAUGACaqaNM2RUBLCKgJbwRUBLbubwioCXzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWfn7T20AyA1QQMAAAAEABAAIIABQZpoFKDkoBFuwkCkdlKAReLuSKcKEhg2JcIg==',
  'base64',
);
