export { pickleAnalyzer, textPickleAnalyzer } from './analyzer.ts';
export { scanPickles, type StreamOptions, type StreamResult } from './stream.ts';
export { judgeName, type Judgement, type NameVerdict } from './policy.ts';
export { PickleDecoder, DecodedOp } from './decoder.ts';
export { OPCODES, OP, opcodeName } from './opcodes.ts';
