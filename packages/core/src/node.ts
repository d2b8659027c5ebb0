// Node-only public API of @governed-mcp/core: the audit log on disk and its streaming verifier.

export type { AuditLog, AuditLogOptions } from './audit/file-log.js';
export { openAuditLog } from './audit/file-log.js';
export { verifyAuditFile } from './audit/verify-file.js';
