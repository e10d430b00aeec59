// `pixprep merge a.json b.json ...`: the generator JSON of several shards (pixprep stats --json, or toJSON of
// generators fit elsewhere) merged into one (ImageDataGenerator.merge): on stdout, or written atomically with --out.
import { readFile } from 'node:fs/promises';
import { ImageDataGenerator } from '../generator/image-data-generator.js';
import { WriteError, checkWritable, writeFileAtomic } from '../write-file-node.js';
import { UsageError, parseFlags, type FlagSpec } from './args.js';

export const MERGE: Record<string, FlagSpec> = {
  out: { kind: 'string', default: null, placeholder: 'FILE', help: 'write the merged JSON to FILE (atomically: whole or not at all) instead of stdout' },
  mergeable: { kind: 'bool', help: 'keep what further merging needs (for ZCA: the covariance sums instead of W)' },
};

/** Splits `a.json --out x b.json` into the files and the flags (a flag's value is the argument after it). */
function splitArguments(argv: readonly string[]): { files: string[]; flags: string[] } {
  const files: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) files.push(arg);
    else {
      flags.push(arg);
      const name = arg.slice(2);
      if (!arg.includes('=') && Object.hasOwn(MERGE, name) && MERGE[name].kind !== 'bool' && i + 1 < argv.length) flags.push(argv[++i]);
    }
  }
  return { files, flags };
}

export async function mergeCommand(argv: readonly string[]): Promise<number> {
  const { files, flags } = splitArguments(argv);
  const f = parseFlags('merge', flags, MERGE);
  if (files.length === 0) throw new UsageError('pixprep merge: give the JSON files to merge (pixprep merge a.json b.json ... [--out FILE])');
  const out = f.out as string | null;
  if (out !== null) {
    try {
      await checkWritable('pixprep merge: --out', out);
    } catch (e) {
      throw e instanceof WriteError ? new UsageError(e.message) : e;
    }
  }
  const parts = await Promise.all(files.map(async (file) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new Error(`pixprep merge: cannot read ${file} (${(e as Error).message})`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new Error(`pixprep merge: ${file} is not JSON (${(e as Error).message})`);
    }
  }));
  let merged: ImageDataGenerator;
  try {
    merged = ImageDataGenerator.merge(...(parts as Parameters<typeof ImageDataGenerator.merge>));
  } catch (e) {
    // merge names arguments by index: say which file that was.
    const message = (e as Error).message.replace(/argument (\d+)/g, (_, i: string) => `${files[Number(i)]}`);
    throw new Error(`pixprep merge: ${message}`, { cause: e });
  }
  const text = JSON.stringify(merged.toJSON({ mergeable: f.mergeable as boolean })) + '\n';
  merged.dispose();
  if (out === null) process.stdout.write(text);
  else await writeFileAtomic('pixprep merge', out, text);
  return 0;
}
