// What a recorded run says about where it ran: the commit (and whether the tree had uncommitted changes), Node and
// V8, the CPU model and core count, memory, the load average before and after, the peers' versions. Every figure
// the docs quote comes from a JSON file holding this.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { backend } from '../src/runtime/backend.js';
import { pythonInfo, type PythonInfo } from './peers/python.js';
import { loadTfjs, type TfjsInfo } from './peers/tfjs.js';

export interface Source {
  commit: string | null;
  /** True when tracked files differed from the commit when the run started (`git status --porcelain`). */
  dirty: boolean | null;
  /** The differing files (at most 20), so a reader can judge what the dirt was. */
  changed: string[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  node: string;
  v8: string;
  platform: string;
  pixprepBackend: string;
  /**
   * pixprep's default thread count in this process (the cores, or PIXPREP_THREADS), read before any row set one. A
   * row that does not name its count ran on one thread (the runner sets each row's count: bench/runner.ts).
   */
  pixprepThreads?: number;
  tfjs: TfjsInfo | { error: string };
  python: PythonInfo;
  /** os.loadavg() (1, 5, 15 minutes) when the suite started and when it ended. */
  loadBefore: number[];
  loadAfter: number[];
}

function git(args: string[]): string | null {
  try {
    // trimEnd only: porcelain lines start with a status column that may be a space (" M README.md").
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return null;
  }
}

export function source(): Source {
  const commit = git(['rev-parse', 'HEAD']);
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  const changed = status === null ? [] : status.split('\n').filter((l) => l.trim() !== '').map((l) => l.slice(3));
  return { commit, dirty: status === null ? null : changed.length > 0, changed: changed.slice(0, 20) };
}

export function load(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

export async function machine(loadBefore: number[], pixprepThreads: number): Promise<Machine> {
  let tfjs: Machine['tfjs'];
  try {
    tfjs = (await loadTfjs()).info;
  } catch (error) {
    tfjs = { error: error instanceof Error ? error.message : String(error) };
  }
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    pixprepBackend: backend,
    pixprepThreads,
    tfjs,
    python: await pythonInfo(),
    loadBefore,
    loadAfter: load(),
  };
}
