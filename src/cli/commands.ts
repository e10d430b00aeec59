// The `pixprep` commands: the Keras pixel-scaling tutorial end to end (train, compare), and data statistics (stats).
// main.ts (the entry) imports this module only after checking the environment: importing it loads the kernels.
import { backend } from '../runtime/backend.js';
import { WriteError, checkWritable } from '../write-file-node.js';
import { parseFlags, usage, UsageError, type FlagSpec } from './args.js';
import { limitTraining, loadData } from './data.js';
import { SCALING_CHOICES, SCALINGS, type Scaling } from '../tutorial.js';
import { TUTORIAL_DEFAULTS } from '../tutorial-run.js';
import { compareScalings, compareTable, summarize, summaryTable } from './compare.js';
import { trainOnce } from './train.js';
import { ProgressLine } from './progress-line.js';
import { AUGMENT_FLAGS, augmentationFromFlags, LIGHT_AUGMENTATION } from './augment-flags.js';
import { IMAGE_FOLDER_FLAGS, folderOptions } from './image-folder.js';
import { STATS, statsCommand } from './stats.js';
import { MERGE, mergeCommand } from './merge.js';

const DATA: FlagSpec = { kind: 'string', default: 'mnist', placeholder: 'mnist|DIR', help: "'mnist' (the embedded digits), a directory of MNIST-format IDX files, or a folder of images with one sub-folder per class" };
const TRAINING: Record<string, FlagSpec> = {
  data: DATA,
  ...IMAGE_FOLDER_FLAGS,
  epochs: { kind: 'int', min: 1, default: TUTORIAL_DEFAULTS.epochs, help: 'training epochs' },
  'batch-size': { kind: 'int', min: 1, default: TUTORIAL_DEFAULTS.batchSize, help: 'images per batch' },
  seed: { kind: 'int', min: 0, default: TUTORIAL_DEFAULTS.seed, help: 'seeds the weights and the batch order' },
  limit: { kind: 'int', min: 1, default: null, help: 'train on the first N training images only (the test set stays whole)' },
  'zca-epsilon': { kind: 'number', min: 0, exclusive: true, default: 0.1, help: 'zcaEpsilon for --scaling zca (pixels in [0, 1])' },
  json: { kind: 'bool', help: 'print one JSON result instead of the tutorial output' },
};
const TRAIN: Record<string, FlagSpec> = {
  ...TRAINING,
  scaling: { kind: 'choice', choices: SCALING_CHOICES, default: TUTORIAL_DEFAULTS.scaling, help: 'how pixels are scaled' },
  save: { kind: 'string', default: null, placeholder: 'FILE', help: 'save the trained model with the generator statistics (JSON)' },
  ...AUGMENT_FLAGS,
};
const COMPARE: Record<string, FlagSpec> = {
  ...TRAINING,
  repeat: { kind: 'int', min: 1, default: 1, help: 'train each scaling with N seeds (seed, seed+1, ...); print mean, sd, min, max' },
  augment: { kind: 'bool', help: 'add a row: standardize with random transforms of the training images (the flags below, else rotation 10, shift 0.1, zoom 0.1)' },
  ...AUGMENT_FLAGS,
};
// Below a one-seed table: its gaps are often within one seed's spread (±0.6 points on the embedded digits).
const SEED_HINT = 'Test accuracy varies from seed to seed; pixprep compare --repeat N gives each scaling\'s mean and spread over N seeds.';

const HELP = `pixprep: Keras-style pixel scaling on WebAssembly SIMD, and the pixel-scaling tutorial's CNN

Usage: pixprep <command> [options]

Commands:
  train     scale the data one way, train the tutorial CNN, print the test accuracy
  compare   train once per scaling (normalize, center, standardize), or over several seeds, and print a table
  stats     min, max, mean and std per channel of a data set (streamed from IDX files), or the generator JSON of a shard
  merge     merge the generator JSON of shards (pixprep stats --json) into one: pixprep merge a.json b.json ...

pixprep <command> --help shows the options of a command. Kernels: ${backend}.`;

/** Runs one command line (without `node` and the script); resolves to the exit code, throws for errors. */
export async function run(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  const help = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'train': {
      if (help) return say(usage('train', 'Trains the tutorial CNN on scaled images and reports the test accuracy.', TRAIN));
      const f = parseFlags('train', rest, TRAIN);
      // Before loading and training: a model that cannot be saved is found now, not after the whole run.
      if (f.save !== null) await checkSaveTarget(f.save as string);
      const data = limitTraining(await loadData(f.data as string, folderOptions('train', f)), f.limit as number | null);
      const json = f.json as boolean;
      const result = await trainOnce(data, {
        scaling: f.scaling as Scaling, epochs: f.epochs as number, batchSize: f['batch-size'] as number, seed: f.seed as number,
        zcaEpsilon: f['zca-epsilon'] as number, save: f.save as string | null, verbose: json ? 0 : 1,
        augment: augmentationFromFlags(f),
      }, json ? null : (line) => console.log(line));
      if (json) console.log(JSON.stringify(result));
      return 0;
    }
    case 'compare': {
      if (help) return say(usage('compare', `Trains the tutorial CNN once per scaling (${Object.keys(SCALINGS).join(', ')}), or once per seed with --repeat, and prints a table.`, COMPARE));
      const f = parseFlags('compare', rest, COMPARE);
      const data = limitTraining(await loadData(f.data as string, folderOptions('compare', f)), f.limit as number | null);
      const json = f.json as boolean;
      const repeat = f.repeat as number;
      const results = await compareScalings(data, {
        epochs: f.epochs as number, batchSize: f['batch-size'] as number, firstSeed: f.seed as number,
        zcaEpsilon: f['zca-epsilon'] as number, repeat, json,
        augment: augmentationFromFlags(f) ?? (f.augment ? { ...LIGHT_AUGMENTATION, fillMode: f['fill-mode'] as 'nearest' } : null),
      }, (line) => console.log(line), ProgressLine.on(process.stderr));
      // --json: every run's result, in run order (each carries its scaling and seed).
      if (json) console.log(JSON.stringify(results));
      else if (repeat > 1) console.log('\n' + summaryTable(summarize(results)));
      else {
        console.log('\n' + compareTable(results));
        console.log(`\n${SEED_HINT}`);
      }
      return 0;
    }
    case 'stats':
      if (help) return say(usage('stats', 'Prints min, max, mean and std per channel of the training and test images, or of one IDX file (streamed, in constant memory).', STATS));
      return statsCommand(rest);
    case 'merge':
      if (help) return say(usage('merge', 'Merges the generator JSON of shards into one (pixprep merge a.json b.json ... [--out FILE]); on stdout unless --out.', MERGE));
      return mergeCommand(rest);
    default:
      throw new UsageError(`pixprep: unknown command '${command}' (commands: train, compare, stats, merge; see pixprep --help)`);
  }
}

function say(text: string): number {
  console.log(text);
  return 0;
}

async function checkSaveTarget(path: string): Promise<void> {
  try {
    await checkWritable('pixprep train: --save', path);
  } catch (e) {
    throw e instanceof WriteError ? new UsageError(e.message) : e;
  }
}
