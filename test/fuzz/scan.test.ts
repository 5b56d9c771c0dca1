/**
 * Seeded mutation fuzzing of the content scanner and the Python distribution inspector (targets
 * in `targets/scan.ts`), and of the chat-template analysis (`targets/chat-template.ts`): each
 * target runs in a worker with a deadline and a heap cap; a failure names the seed, iteration
 * and input. `FUZZ_SCALE=20` runs a longer local campaign.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

// Target → mutations per seed input (fixture counts differ: each target takes a second or two).
fuzzTests(new URL('./targets/scan.ts', import.meta.url).href, 0x5ca11ab1, { pickle: 6, zip: 20, archives: 12, pytorch: 10, joblib: 20, safetensors: 60, gguf: 12, keras: 20, onnx: 30, numpy: 30, hdf5: 8, tensorflow: 20, wheel: 300, sdist: 150 });
// A chat template's own text corrupted (the GGUF and JSON targets reach it only through a container left valid).
fuzzTests(new URL('./targets/chat-template.ts', import.meta.url).href, 0x5ca11ab1, { 'chat-template': 150 });
