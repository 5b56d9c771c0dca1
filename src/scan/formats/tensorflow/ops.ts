/**
 * TensorFlow operations that reach outside the tensor computation: Python callbacks, file
 * writes and reads, filesystem listing, memory-mapped files, event/summary writers, debug dumps.
 * Severity: running Python or writing files is malicious (arbitrary code / arbitrary file
 * write on load or on a signature call); reading or listing files is suspicious (a model has no
 * business doing it, but it is not code execution by itself). Checkpoint save/restore ops are
 * in every SavedModel: they are judged by the path they are given.
 */
import type { Severity } from '../../../core/index.ts';

export type OpRule =
  | { readonly kind: 'fixed'; readonly cls: 'malicious' | 'suspicious'; readonly severity: Severity; readonly why: string }
  /** Checkpoint I/O: fine with the model's own prefix, not with a constant path elsewhere. */
  | { readonly kind: 'checkpoint'; readonly writes: boolean }
  /** Judged by an attribute: PrintV2 `output_stream`, Debug* `debug_urls`/`dump_root`, proto `descriptor_source`. */
  | { readonly kind: 'attr'; readonly attr: 'output_stream' | 'debug' | 'descriptor_source' };

const PYTHON = 'runs a Python function registered in the loading process';
const WRITE = 'writes a file at a path chosen by the graph';
const READ = 'reads a file at a path chosen by the graph';

const TABLE: ReadonlyArray<readonly [readonly string[], OpRule]> = [
  [['PyFunc', 'PyFuncStateless', 'EagerPyFunc'], { kind: 'fixed', cls: 'malicious', severity: 'critical', why: PYTHON }],
  [['WriteFile', 'DatasetToTFRecord', 'ExperimentalDatasetToTFRecord', 'SaveDataset', 'SaveDatasetV2'], { kind: 'fixed', cls: 'malicious', severity: 'critical', why: WRITE }],
  [['SnapshotDataset', 'SnapshotDatasetV2', 'SnapshotDatasetReader', 'CreateSummaryFileWriter', 'CreateSummaryDbWriter'], { kind: 'fixed', cls: 'suspicious', severity: 'high', why: 'writes files into a directory named by the graph' }],
  [['ReadFile', 'ImmutableConst', 'LoadAndRemapMatrix'], { kind: 'fixed', cls: 'suspicious', severity: 'high', why: READ }],
  [['MatchingFiles', 'MatchingFilesDataset', 'ExperimentalMatchingFilesDataset'], { kind: 'fixed', cls: 'suspicious', severity: 'medium', why: 'lists files on the loading machine' }],
  [['TFRecordDataset', 'TFRecordDatasetV2', 'FixedLengthRecordDataset', 'FixedLengthRecordDatasetV2', 'TextLineDataset', 'CSVDataset', 'CSVDatasetV2', 'ExperimentalCSVDataset', 'LMDBDataset', 'ExperimentalLMDBDataset', 'SqlDataset', 'ExperimentalSqlDataset', 'TFRecordReader', 'TFRecordReaderV2', 'TextLineReader', 'TextLineReaderV2', 'WholeFileReader', 'WholeFileReaderV2', 'FixedLengthRecordReader', 'FixedLengthRecordReaderV2', 'IdentityReader', 'LMDBReader'], { kind: 'fixed', cls: 'suspicious', severity: 'medium', why: READ }],
  [['GcsConfigureCredentials', 'GcsConfigureBlockCache', 'BigQueryReader'], { kind: 'fixed', cls: 'suspicious', severity: 'medium', why: 'talks to cloud storage' }],
  [['Save', 'SaveV2', 'SaveSlices', 'MergeV2Checkpoints'], { kind: 'checkpoint', writes: true }],
  [['Restore', 'RestoreV2', 'RestoreSlice'], { kind: 'checkpoint', writes: false }],
  [['PrintV2'], { kind: 'attr', attr: 'output_stream' }],
  [['DebugIdentity', 'DebugIdentityV2', 'DebugIdentityV3', 'DebugNanCount', 'DebugNumericSummary', 'DebugNumericSummaryV2'], { kind: 'attr', attr: 'debug' }],
  [['DecodeProtoV2', 'EncodeProto'], { kind: 'attr', attr: 'descriptor_source' }],
];

const RULES: ReadonlyMap<string, OpRule> = new Map(TABLE.flatMap(([ops, rule]) => ops.map((op) => [op, rule] as const)));

export function opRule(op: string): OpRule | undefined {
  return RULES.get(op);
}

/** Ops registered by extension libraries use a `Namespace>Op` name (TF Addons, TF Text …). */
export function isNamespacedCustomOp(op: string): boolean {
  return op.includes('>');
}
