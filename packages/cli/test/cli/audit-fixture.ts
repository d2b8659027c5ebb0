import { openAuditLog } from '@governed-mcp/core/node';

/** Writes an audit log of `records` decision records at `path`; resolves with its head hash. */
export async function writeSampleLog(path: string, records = 20): Promise<string> {
  const log = await openAuditLog(path, { durability: 'write' });
  for (let i = 0; i < records; i++) await log.append('decision', { i });
  await log.close();
  return log.head.hash;
}
