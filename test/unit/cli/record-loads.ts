/**
 * Preloaded with `node --import` by startup.test.ts: writes every module a process resolves (not
 * Node's built-ins) to standard error, one `LOADED <url>` line each.
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (!resolved.url.startsWith('node:')) process.stderr.write(`LOADED ${resolved.url}\n`);
    return resolved;
  },
});
