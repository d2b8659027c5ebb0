import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { GovernedError } from '../errors.js';
import {
  CheckpointCode,
  type CheckpointSigner,
  type CheckpointVerifier,
  generateCheckpointKey,
  parseSignerKey,
  parseVerifierKey,
  verifyCheckpoint,
} from './checkpoint.js';
import type { VerifyReport } from './verify.js';
import { type VerifyFileOptions, verifyAuditFile } from './verify-file.js';

async function readKeyText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new GovernedError(CheckpointCode.KeyMissing, `key file ${path} does not exist`, { cause: err });
    throw new GovernedError('io_error', `cannot read key file ${path}: ${String(err)}`, { cause: err });
  }
}

/**
 * Reads a private key file. Refuses (`checkpoint_key_unprotected`) a file that group or others may
 * read or write: a key others can read signs nothing anyone should trust. `checkpoint_key_missing`
 * when it does not exist.
 */
export async function readSignerKeyFile(path: string): Promise<CheckpointSigner> {
  const text = await readKeyText(path);
  const { mode } = await stat(path);
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new GovernedError(
      CheckpointCode.KeyUnprotected,
      `private key file ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}: ` +
        `group or others can access it (chmod 600 ${path})`,
    );
  }
  return parseSignerKey(text);
}

/** Reads a verifier (public) key file. `checkpoint_key_missing` when it does not exist. */
export async function readVerifierKeyFile(path: string): Promise<CheckpointVerifier> {
  return parseVerifierKey(await readKeyText(path));
}

/**
 * Generates a key pair named `name` and writes `PREFIX.key` (mode 0600) and `PREFIX.pub` (0644).
 * Refuses (`io_error`) to overwrite either file.
 */
export async function writeCheckpointKeyPair(
  prefix: string,
  name: string,
): Promise<{ privatePath: string; publicPath: string; publicKey: string }> {
  const { privateKey, publicKey } = generateCheckpointKey(name);
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  const write = async (path: string, text: string, mode: number): Promise<void> => {
    let fh: Awaited<ReturnType<typeof open>>;
    try {
      fh = await open(path, flags, mode);
    } catch (err) {
      const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
      throw new GovernedError(
        'io_error',
        exists ? `${path} exists: refusing to overwrite a key` : `cannot write ${path}: ${String(err)}`,
        { cause: err },
      );
    }
    try {
      // The umask may have widened nothing, but a pre-set umask may have narrowed: set it exactly.
      await fh.chmod(mode);
      await fh.writeFile(`${text}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  };
  // Both files are checked first, so that a refusal leaves nothing half written.
  for (const p of [privatePath, publicPath]) {
    if (
      await stat(p).then(
        () => true,
        () => false,
      )
    )
      throw new GovernedError('io_error', `${p} exists: refusing to overwrite a key`);
  }
  await write(privatePath, privateKey, 0o600);
  await write(publicPath, publicKey, 0o644);
  return { privatePath, publicPath, publicKey };
}

/** What a chain check against a checkpoint found about the checkpoint. */
export interface CheckpointCheck {
  readonly ok: boolean;
  /** The checkpoint's size and hash (absent when the checkpoint itself could not be read). */
  readonly size?: number;
  readonly hash?: string;
  readonly origin?: string;
  readonly time?: string;
  /** Why it failed: a CheckpointCode and a sentence. */
  readonly code?: CheckpointCode;
  readonly reason?: string;
}

/** The report of verifyChainAgainstCheckpoint: the chain's own report and the checkpoint's. */
export interface CheckpointChainReport {
  /** True when the chain is intact and holds the checkpoint's record. */
  readonly ok: boolean;
  readonly chain: VerifyReport;
  readonly checkpoint: CheckpointCheck;
}

/**
 * Verifies the audit file at `path` and checks it against a signed checkpoint: the signature is valid
 * for `publicKey`, the chain is intact, and its record number `size` has exactly the checkpoint's hash.
 * Records after it are allowed (the log grew); a chain rewritten in full or cut below the checkpoint is
 * not. Throws only for I/O errors and a malformed verifier key.
 */
export async function verifyChainAgainstCheckpoint(
  path: string,
  checkpoint: string,
  publicKey: CheckpointVerifier | string,
  options: Pick<VerifyFileOptions, 'workers'> = {},
): Promise<CheckpointChainReport> {
  const signed = verifyCheckpoint(checkpoint, publicKey);
  if (!signed.ok) {
    const chain = await verifyAuditFile(path, options);
    return { ok: false, chain, checkpoint: { ok: false, code: signed.code, reason: signed.message } };
  }
  const cp = signed.checkpoint;
  const chain = await verifyAuditFile(path, { ...options, expectHead: cp.hash });
  const base = {
    size: cp.size,
    hash: cp.hash,
    origin: cp.origin,
    ...(cp.time === undefined ? {} : { time: cp.time }),
  };
  const fail = (code: CheckpointCode, reason: string): CheckpointChainReport => ({
    ok: false,
    chain,
    checkpoint: { ok: false, ...base, code, reason },
  });
  const found = chain.expectedHead?.seq;
  if (found === cp.size && chain.ok) return { ok: true, chain, checkpoint: { ok: true, ...base } };
  if (found !== undefined && found !== cp.size)
    return fail(CheckpointCode.ChainMismatch, `the checkpoint's hash is record ${found}, not ${cp.size}`);
  const broken = chain.firstBad !== undefined && chain.firstBad.reason !== 'head_missing';
  if (broken && chain.records < cp.size)
    return fail(
      CheckpointCode.ChainBroken,
      `the chain breaks at record ${chain.firstBad?.seq}, before record ${cp.size}`,
    );
  if (broken) return fail(CheckpointCode.ChainBroken, `the chain breaks at record ${chain.firstBad?.seq}`);
  if (chain.records < cp.size)
    return fail(
      CheckpointCode.ChainMismatch,
      `the chain has ${chain.records} records, the checkpoint ${cp.size}: the tail was cut (or the file replaced)`,
    );
  return fail(
    CheckpointCode.ChainMismatch,
    `record ${cp.size} does not have the checkpoint's hash: the chain was rewritten`,
  );
}
