// Module resolve hook for trace-imports.cjs: appends each resolved module URL to EG_TRACE_IMPORTS.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.EG_TRACE_IMPORTS) appendFileSync(process.env.EG_TRACE_IMPORTS, `${resolved.url}\n`);
  return resolved;
}
