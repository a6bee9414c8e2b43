/**
 * `node --import tsx scripts/build-lambda.ts <entry> <outdir>`: builds one function bundle with
 * {@link buildLambda} (the CDK app runs this for each function's asset, in a child process
 * because CDK's local bundling is synchronous and esbuild plugins need the asynchronous build).
 * Exits 2 with one line on stderr when the arguments are wrong, 1 when the build fails.
 */
import { buildLambda } from './lambda-bundling';

const [entry, outdir, ...rest] = process.argv.slice(2);
if (entry === undefined || outdir === undefined || rest.length > 0) {
  process.stderr.write('usage: build-lambda <entry.ts> <output directory>\n');
  process.exit(2);
}
buildLambda(entry, outdir).catch((error: unknown) => {
  process.stderr.write(`build-lambda: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
