#!/usr/bin/env node
// The `pixprep` command's entry. It checks the environment before anything loads the kernels: PIXPREP_BACKEND is
// read when the kernels load, and an error thrown while a static import evaluates would reach the user as a stack
// trace from Node's module loader. So the commands are imported dynamically, after that check, and every error ends
// as one line on stderr (exit code 2 for a bad command line or environment, 1 for anything else).
import { UsageError } from './args.js';
import { errorLine } from './error-line.js';

// The backend names src/runtime/backend.ts accepts (test/cli/cli.test.ts runs both and a bad one).
const BACKENDS = ['wasm-relaxed-simd', 'wasm-simd', 'js'];

async function start(argv: readonly string[]): Promise<number> {
  const requested = process.env.PIXPREP_BACKEND;
  if (requested !== undefined && requested !== '' && !BACKENDS.includes(requested)) {
    throw new UsageError(`pixprep: PIXPREP_BACKEND must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}. ` +
      `Received: ${JSON.stringify(requested)}`);
  }
  const { run } = await import('./commands.js');
  return run(argv);
}

start(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    console.error(errorLine(error));
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
