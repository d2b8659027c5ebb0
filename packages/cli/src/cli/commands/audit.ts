import { verifyAuditFile } from '@governed-mcp/core/node';
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';

/** `audit verify FILE [--json] [--expect-head HASH]`: exit 0 intact, 1 broken, 2 usage or I/O error. */
export function register(program: Command): void {
  const audit = program.command('audit').description('Inspect audit logs');
  audit
    .command('verify')
    .description('Verify the hash chain of an audit log')
    .argument('<file>', 'audit log (JSON Lines)')
    .option('--json', 'print the report as JSON')
    .option(
      '--expect-head <hash>',
      'fail unless a record with this hash is in the chain (catches a cut tail)',
    )
    .action(async (file: string, opts: { json?: boolean; expectHead?: string }) => {
      if (opts.expectHead !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.expectHead)) {
        process.stderr.write('governed-mcp: --expect-head takes a 64-digit hex hash\n');
        process.exitCode = ExitCode.Usage;
        return;
      }
      let report: Awaited<ReturnType<typeof verifyAuditFile>>;
      try {
        report = await verifyAuditFile(
          file,
          opts.expectHead === undefined ? {} : { expectHead: opts.expectHead },
        );
      } catch (err) {
        process.stderr.write(`governed-mcp: cannot read ${file}: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.Usage;
        return;
      }
      process.exitCode = report.ok ? ExitCode.Ok : ExitCode.Failed;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      const out: string[] = [];
      if (report.ok) {
        out.push(`intact: ${report.records} records, head ${report.head}`);
        if (report.firstTs !== undefined) out.push(`  from ${report.firstTs} to ${report.lastTs}`);
        if (report.expectedHead?.seq !== undefined) {
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
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
