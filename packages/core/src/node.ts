// Node-only public API of @governed-mcp/core: the audit log on disk and its streaming verifier.

export type {
  Checkpoint,
  CheckpointResult,
  CheckpointSigner,
  CheckpointVerifier,
  MakeCheckpointOptions,
} from './audit/checkpoint.js';
export {
  CheckpointCode,
  checkpointKeyId,
  formatVerifierKey,
  generateCheckpointKey,
  makeCheckpoint,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  verifyCheckpoint,
} from './audit/checkpoint.js';
export type { CheckpointChainReport, CheckpointCheck } from './audit/checkpoint-file.js';
export {
  readSignerKeyFile,
  readVerifierKeyFile,
  verifyChainAgainstCheckpoint,
  writeCheckpointKeyPair,
} from './audit/checkpoint-file.js';
export type {
  CheckpointWitness,
  CheckpointWriter,
  CheckpointWriterOptions,
} from './audit/checkpoint-writer.js';
export { startCheckpoints } from './audit/checkpoint-writer.js';
export type { AuditLog, AuditLogOptions } from './audit/file-log.js';
export { openAuditLog } from './audit/file-log.js';
export { verifyAuditFile } from './audit/verify-file.js';
export type { PathLayerOptions } from './layers/path-layer.js';
export { createPathLayer, PATH_LAYER, PathLayerCode } from './layers/path-layer.js';
export { GateStateTarget } from './layers/path-layer-targets.js';
export { fileId, MAX_LINK_HOPS, PathResolveError, resolveOnDisk } from './paths/resolve-on-disk.js';
