/**
 * The layers of an OCI artifact that are model files: AI models travel through registries as
 * artifacts (oras pushes a file as a layer titled with its name; Ollama and Docker's model runner
 * have media types of their own). Each is scanned by the model scanner, like a Hugging Face file,
 * before its first byte is served. An image's layers are tar archives, not model files, and are
 * not among them (but a layer of a model media type is one, whatever the config: Ollama's
 * manifests have a Docker image config).
 */
import { modelFileExpectation } from '../../scan/index.ts';
import type { Descriptor, Manifest } from './manifest.ts';
import { isImageConfig } from './facts.ts';

/** Layer media types that name a model format; the file name stands for the format (the scanner expects what its extension says). */
const MODEL_MEDIA_TYPES: ReadonlyMap<string, string> = new Map([
  ['application/vnd.ollama.image.model', 'model.gguf'],
  ['application/vnd.ollama.image.projector', 'projector.gguf'],
  ['application/vnd.ollama.image.adapter', 'adapter.gguf'],
  ['application/vnd.docker.ai.gguf.v3', 'model.gguf'],
  ['application/vnd.docker.ai.safetensors', 'model.safetensors'],
]);

/** oras writes a pushed file's name here. */
const TITLE = 'org.opencontainers.image.title';
const MAX_NAME = 255;

/** The name a layer is scanned as, when it is a model file; null when it is not one. */
export function modelLayerPath(manifest: Manifest, layer: Descriptor): string | null {
  if (manifest.kind !== 'manifest') return null;
  // Ollama's manifests have a Docker image config, and model layers all the same.
  const byType = MODEL_MEDIA_TYPES.get(layer.mediaType);
  if (byType !== undefined) return byType;
  if (isImageConfig(manifest.config.mediaType)) return null;
  const title = layer.annotations[TITLE];
  if (title === undefined || title.length > MAX_NAME) return null;
  // A title is a file's name: its base name says its format.
  const base = title.slice(title.lastIndexOf('/') + 1);
  return base !== '' && modelFileExpectation(base).expectedFormats !== null ? base : null;
}
