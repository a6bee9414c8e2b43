// Preloaded with `node --require` into a CLI child process: records every module the process
// loads, ESM (through a resolve hook, off-thread) and CommonJS (require.cache at exit), into the
// file named by EG_TRACE_IMPORTS, one URL or path a line.
const { appendFileSync } = require('node:fs');
const { register } = require('node:module');
const { pathToFileURL } = require('node:url');

const out = process.env.EG_TRACE_IMPORTS;
if (out) {
  register(pathToFileURL(`${__dirname}/trace-imports-hooks.mjs`));
  process.on('exit', () => {
    appendFileSync(
      out,
      Object.keys(require.cache)
        .map((path) => `${path}\n`)
        .join(''),
    );
  });
}
