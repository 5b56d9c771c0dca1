/**
 * DSSE's pre-authentication encoding: what an envelope's signature is over. Lengths are byte
 * counts in ASCII decimal; the signature covers neither the base64 text nor the bare payload, so
 * the payload type is bound to the payload.
 */

/** `DSSEv1 <len(type)> <type> <len(body)> <body>`. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'ascii'), type, Buffer.from(` ${payload.length} `, 'ascii'), payload]);
}
