/**
 * What a model file's name says it is: the formats a loader would read a Hub file as, by the
 * extension of its last path segment. The scanner never trusts a name (it identifies content by
 * its bytes); a gateway passes these as `expectedFormats`, so a file whose bytes are another
 * format than its name claims (a pickle named `.safetensors`) gets a `scan.format.unexpected`
 * finding. Pure: no I/O.
 *
 * The lists are the formats the analyzers end a file as (after `refineFormat`), checked against
 * real files in `model-files.test.ts`:
 * - PyTorch files are a zip (`pytorch-zip`, TorchScript too), the legacy magic-number pickle
 *   (`pytorch-legacy`), the legacy tar (`pytorch-tar`), or a plain pickle.
 * - joblib dumps are pickles (`joblib` once the analyzer sees joblib's array wrappers, else
 *   `pickle`); `joblib.dump(…, compress=…)` wraps the pickle in zlib (the default), gzip, bz2,
 *   lzma or xz, and the scan reports the wrapper as the file's format (its content is scanned
 *   as nested). `joblib.load` reads any of those whatever the file is named, and sklearn models
 *   on the Hub are dumped with joblib as `.pkl` as often as `.joblib`.
 * - HDF5 files written by Keras end as `keras`, other HDF5 files (weights only, h5py) as `hdf5`.
 * - A SavedModel's `saved_model.pb` or `keras_metadata.pb` with Keras metadata ends as `keras`.
 */
import type { FormatId } from './types.ts';
import { trimTrailing } from '../core/trim.ts';

export interface ModelFileExpectation {
  /** The extension of the last path segment, lower case with its dot (`.bin`); null without one. */
  readonly extension: string | null;
  /** What a loader reads a file of that name as; null: not a model file by its name. */
  readonly expectedFormats: readonly FormatId[] | null;
  /** Every expected format is a pickle (or a compressed pickle): loading it runs pickle. */
  readonly pickleBased: boolean;
}

/**
 * Formats whose loading unpickles: pickle itself and the containers loaders unpickle from
 * (PyTorch's zip, legacy and tar formats, joblib). NumPy files are not among them: `np.load`
 * refuses an object array (the only kind stored as a pickle) unless called with
 * `allow_pickle=True`; the scanner judges such an array's pickle and reports
 * `numpy.object-array`.
 */
export const PICKLE_FORMATS: ReadonlySet<FormatId> = new Set<FormatId>(['pickle', 'pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'joblib']);

export function isPickleFormat(format: FormatId): boolean {
  return PICKLE_FORMATS.has(format);
}

/** The single-stream compressions joblib writes (lz4 needs a package the scanner cannot read). */
const JOBLIB_COMPRESSIONS: readonly FormatId[] = ['zlib', 'gzip', 'bzip2', 'lzma', 'xz'];
const COMPRESSIONS: ReadonlySet<FormatId> = new Set(JOBLIB_COMPRESSIONS);

const PYTORCH: readonly FormatId[] = ['pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'pickle'];
const PICKLE: readonly FormatId[] = ['pickle', 'joblib', ...JOBLIB_COMPRESSIONS];
const JOBLIB: readonly FormatId[] = ['joblib', 'pickle', ...JOBLIB_COMPRESSIONS];
const HDF5: readonly FormatId[] = ['hdf5', 'keras'];

const BY_EXTENSION: ReadonlyMap<string, readonly FormatId[]> = new Map<string, readonly FormatId[]>([
  ['.safetensors', ['safetensors']],
  ['.bin', PYTORCH],
  ['.pt', PYTORCH],
  ['.pth', PYTORCH],
  ['.ckpt', PYTORCH],
  ['.pkl', PICKLE],
  ['.pickle', PICKLE],
  ['.joblib', JOBLIB],
  ['.npy', ['numpy']],
  ['.npz', ['numpy-npz']],
  ['.h5', HDF5],
  ['.hdf5', HDF5],
  ['.keras', ['keras']],
  ['.onnx', ['onnx']],
  ['.gguf', ['gguf']],
  ['.pb', ['tensorflow', 'keras']],
]);

/**
 * The extension of a path's last segment (`/` or `\` separated), lower case with its dot.
 * Trailing dots and spaces are dropped first, as Windows drops them from a file name
 * (`model.bin.` is saved as `model.bin`). A name that is only a dot-file (`.gitattributes`) or
 * has no dot has none.
 */
export function fileExtension(path: string): string | null {
  const segment = trimTrailing(path.split(/[/\\]/).at(-1) ?? '', '. ');
  const dot = segment.lastIndexOf('.');
  if (dot <= 0) return null;
  return segment.slice(dot).toLowerCase();
}

export function modelFileExpectation(path: string): ModelFileExpectation {
  const extension = fileExtension(path);
  const expectedFormats = extension === null ? null : (BY_EXTENSION.get(extension) ?? null);
  const pickleBased =
    expectedFormats !== null &&
    expectedFormats.some(isPickleFormat) &&
    expectedFormats.every((f) => isPickleFormat(f) || COMPRESSIONS.has(f));
  return { extension, expectedFormats, pickleBased };
}

/**
 * Whether a scanned file loads through pickle: its scanned format is a pickle format, or the
 * scan could not tell (an unrecognised format, or a compression whose content is what loads) and
 * its name says it is pickle-based.
 */
export function scannedPickleBased(expectation: ModelFileExpectation, scannedFormat: FormatId): boolean {
  if (isPickleFormat(scannedFormat)) return true;
  return (scannedFormat === 'unknown' || COMPRESSIONS.has(scannedFormat)) && expectation.pickleBased;
}
