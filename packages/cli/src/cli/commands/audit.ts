import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type CheckpointCheck,
  type CheckpointSigner,
  type CheckpointVerifier,
  makeCheckpoint,
  readSignerKeyFile,
  readVerifierKeyFile,
  verifyAuditFile,
  verifyChainAgainstCheckpoint,
  writeCheckpointKeyPair,
} from '@governed-mcp/core/node';
import type { Command } from 'commander';
import { registerServe } from '../../audit-serve/command.js';
import { ExitCode } from '../exit-codes.js';

type VerifyReport = Awaited<ReturnType<typeof verifyAuditFile>>;

function usage(message: string): void {
  process.stderr.write(`governed-mcp: ${message}\n`);
  process.exitCode = ExitCode.Usage;
}

const describe = (err: unknown): string => {
  const code = (err as { code?: unknown }).code;
  return `${(err as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`;
};

/** The human lines of a chain report (and of its checkpoint check, when there is one). */
function humanReport(report: VerifyReport, checkpoint?: CheckpointCheck): string {
  const out: string[] = [];
  const chainOk = report.ok || (checkpoint !== undefined && report.firstBad?.reason === 'head_missing');
  if (chainOk) {
    out.push(`intact: ${report.records} records, head ${report.head}`);
    if (report.firstTs !== undefined) out.push(`  from ${report.firstTs} to ${report.lastTs}`);
    if (checkpoint === undefined && report.expectedHead?.seq !== undefined) {
      out.push(`  expected head is record ${report.expectedHead.seq} of ${report.records}`);
    }
  } else {
    const bad = report.firstBad!;
    out.push(`BROKEN at record ${bad.seq} (line ${bad.line}): ${bad.reason}: ${bad.detail}`);
    out.push(`  ${report.records} records intact before it, last good head ${report.head}`);
  }
  if (report.tornTail !== undefined) {
    out.push(
      `  torn final line ${report.tornTail.line} (${report.tornTail.bytes} bytes, a write cut short by a crash): not a record, ignored`,
    );
  }
  if (checkpoint?.ok) {
    out.push(
      `checkpoint: matches record ${checkpoint.size} (${checkpoint.origin}, ${checkpoint.time ?? 'no time'})`,
    );
  } else if (checkpoint !== undefined) {
    out.push(`checkpoint: FAILED: ${checkpoint.code}: ${checkpoint.reason}`);
  }
  return `${out.join('\n')}\n`;
}

async function loadKey<T extends CheckpointSigner | CheckpointVerifier>(
  read: (path: string) => Promise<T>,
  path: string,
): Promise<T | undefined> {
  try {
    return await read(path);
  } catch (err) {
    usage(`cannot use key ${path}: ${describe(err)}`);
    return undefined;
  }
}

/**
 * `audit verify FILE [--json] [--expect-head HASH] [--checkpoint F --key PUB]`, `audit keygen --name N
 * --out PREFIX`, `audit checkpoint FILE --key KEY [--out F] [--origin O]`: exit 0 ok, 1 broken or not
 * matching, 2 usage or I/O error.
 */
export function register(program: Command): void {
  const audit = program.command('audit').description('Inspect audit logs');
  audit
    .command('verify')
    .description('Verify the hash chain of an audit log (and that it holds a signed checkpoint)')
    .argument('<file>', 'audit log (JSON Lines)')
    .option('--json', 'print the report as JSON')
    .option(
      '--expect-head <hash>',
      'fail unless a record with this hash is in the chain (catches a cut tail)',
    )
    .option('--checkpoint <file>', 'a signed checkpoint the chain must hold (needs --key)')
    .option('--key <file>', 'the public key (.pub) the checkpoint must be signed with')
    .action(
      async (
        file: string,
        opts: { json?: boolean; expectHead?: string; checkpoint?: string; key?: string },
      ) => {
        if (opts.expectHead !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.expectHead)) {
          return usage('--expect-head takes a 64-digit hex hash');
        }
        if ((opts.checkpoint === undefined) !== (opts.key === undefined)) {
          return usage('--checkpoint and --key go together');
        }
        if (opts.checkpoint !== undefined && opts.expectHead !== undefined) {
          return usage('--expect-head and --checkpoint cannot be combined');
        }
        let report: VerifyReport;
        let checkpoint: CheckpointCheck | undefined;
        let ok: boolean;
        if (opts.checkpoint !== undefined && opts.key !== undefined) {
          const key = await loadKey(readVerifierKeyFile, opts.key);
          if (key === undefined) return;
          let text: string;
          try {
            text = await readFile(opts.checkpoint, 'utf8');
          } catch (err) {
            return usage(`cannot read ${opts.checkpoint}: ${(err as Error).message}`);
          }
          try {
            const r = await verifyChainAgainstCheckpoint(file, text, key);
            report = r.chain;
            checkpoint = r.checkpoint;
            ok = r.ok;
          } catch (err) {
            return usage(`cannot read ${file}: ${(err as Error).message}`);
          }
        } else {
          try {
            report = await verifyAuditFile(
              file,
              opts.expectHead === undefined ? {} : { expectHead: opts.expectHead },
            );
          } catch (err) {
            return usage(`cannot read ${file}: ${(err as Error).message}`);
          }
          ok = report.ok;
        }
        process.exitCode = ok ? ExitCode.Ok : ExitCode.Failed;
        if (opts.json) {
          const json = checkpoint === undefined ? report : { ...report, ok, checkpoint };
          process.stdout.write(`${JSON.stringify(json)}\n`);
          return;
        }
        process.stdout.write(humanReport(report, checkpoint));
      },
    );
  audit
    .command('keygen')
    .description('Generate an Ed25519 key pair for signed checkpoints: PREFIX.key (0600) and PREFIX.pub')
    .requiredOption('--name <name>', 'key name (no spaces or "+"), written in each signature line')
    .requiredOption('--out <prefix>', 'where to write PREFIX.key and PREFIX.pub (never overwritten)')
    .action(async (opts: { name: string; out: string }) => {
      try {
        const { privatePath, publicPath, publicKey } = await writeCheckpointKeyPair(opts.out, opts.name);
        process.stdout.write(`${publicKey}\n`);
        process.stderr.write(`governed-mcp: wrote ${privatePath} (private, 0600) and ${publicPath}\n`);
      } catch (err) {
        usage(describe(err));
      }
    });
  audit
    .command('checkpoint')
    .description('Sign a checkpoint of an intact audit log (its record count and head hash)')
    .argument('<file>', 'audit log (JSON Lines)')
    .requiredOption('--key <file>', 'the private key (.key, mode 0600)')
    .option('--out <file>', 'also write the checkpoint to this file (replaced atomically)')
    .option(
      '--origin <origin>',
      'the name of the log in the checkpoint (default governed-mcp/audit/<file name>)',
    )
    .action(async (file: string, opts: { key: string; out?: string; origin?: string }) => {
      const key = await loadKey(readSignerKeyFile, opts.key);
      if (key === undefined) return;
      let report: VerifyReport;
      try {
        report = await verifyAuditFile(file);
      } catch (err) {
        return usage(`cannot read ${file}: ${(err as Error).message}`);
      }
      if (!report.ok || report.records === 0) {
        process.stderr.write(humanReport(report));
        process.stderr.write('governed-mcp: no checkpoint signed: the chain is broken or empty\n');
        process.exitCode = ExitCode.Failed;
        return;
      }
      const origin = opts.origin ?? `governed-mcp/audit/${basename(file).replace(/\s/g, '_')}`;
      let text: string;
      try {
        text = makeCheckpoint({ seq: report.records, hash: report.head }, key, { origin });
      } catch (err) {
        return usage(describe(err));
      }
      if (opts.out !== undefined) {
        try {
          await writeFile(`${opts.out}.tmp`, text);
          await rename(`${opts.out}.tmp`, opts.out);
        } catch (err) {
          return usage(`cannot write ${opts.out}: ${(err as Error).message}`);
        }
      }
      process.stdout.write(text);
      process.exitCode = ExitCode.Ok;
    });
  registerServe(audit);
}
