// The command line of npm run bench, checked up front: an unknown flag or a bad value stops before any timing.
import type { SuiteOptions } from './suite.js';

export interface CliOptions extends SuiteOptions {
  /** Where to record the run (bench/results/*.json). */
  json?: string;
  /** After recording, regenerate BENCHMARKS.md, the README's speed table and the chart from the JSON. */
  docs?: boolean;
  /** Run the suite in this many processes, one after another, and report the median and IQR of each ratio. */
  processes?: number;
  /** Internal: a child of --processes writes its report here. */
  child?: string;
}

const USAGE = 'usage: npm run bench -- [--quick] [--filter NAME] [--images N] [--max-exponent E] [--processes K] [--json FILE [--docs]]';

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value. ${USAGE}`);
      return v;
    };
    const integer = (min: number, max: number): number => {
      const text = value();
      const v = Number(text);
      if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag} must be an integer in ${min}..${max}. Received: ${text}`);
      return v;
    };
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--filter': o.filter = value(); break;
      case '--json': o.json = value(); break;
      case '--docs': o.docs = true; break;
      case '--processes': o.processes = integer(1, 50); break;
      case '--child': o.child = value(); break;
      case '--images': o.images = integer(1, 60_000); break;
      case '--max-exponent': o.maxExponent = integer(3, 8); break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown argument ${JSON.stringify(flag)}. ${USAGE}`);
    }
  }
  if (o.docs && o.json === undefined) throw new Error(`--docs regenerates the docs from the recorded run: give --json FILE too. ${USAGE}`);
  return o;
}
