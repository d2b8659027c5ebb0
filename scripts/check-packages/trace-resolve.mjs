// Preloaded with `node --import`: records every module URL the process resolves, one per line, in the
// file named by GMCP_TRACE_FILE, so the check can tell whether an import reached node-llama-cpp.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}
`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url, {
  data: { file: process.env.GMCP_TRACE_FILE },
});
