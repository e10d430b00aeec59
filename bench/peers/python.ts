// The one mechanism for peers outside Node (numpy, PyTorch): a long-lived Python process (python_peer.py beside
// this file) that speaks JSON lines. Each Python row is an Impl whose samples are taken over there, in turns with
// the Node rows, and whose first output comes back as a float64 file to be checked like any other. Without the
// interpreter, numpy or torch, the row says "skipped: <reason>" and the rest of the run goes on.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Skip, type Impl, type Role } from '../runner.js';

/** The interpreter: Debian's, which has numpy and torch as packages; PIXPREP_BENCH_PYTHON overrides it. */
export const PYTHON = process.env.PIXPREP_BENCH_PYTHON ?? '/usr/bin/python3';

export interface PythonInfo {
  executable: string;
  python: string | null;
  numpy: string | null;
  torch: string | null;
  torchThreads: number | null;
  /** Why the process could not start, when it could not. */
  error?: string;
}

interface Answer {
  id: number;
  ok: boolean;
  skip?: boolean;
  error?: string;
  [field: string]: unknown;
}

function script(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // From the sources (vitest) the script sits beside this file; from dist-bench/bench/peers, in the source tree.
  for (const candidate of [join(here, 'python_peer.py'), join(here, '..', '..', '..', 'bench', 'peers', 'python_peer.py')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('bench/peers/python_peer.py not found');
}

class PythonPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private nextId = 1;
  private exited: string | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'pixprep-bench-'));
  private readonly files = new WeakMap<ArrayBufferView, string>();
  private fileCount = 0;

  constructor() {
    this.child = spawn(PYTHON, ['-u', script()], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: this.child.stdout });
    lines.on('line', (line) => {
      const answer = JSON.parse(line) as Answer;
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
    let stderr = '';
    this.child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
    const fail = (why: string) => {
      this.exited = why;
      for (const resolve of this.waiting.values()) resolve({ id: -1, ok: false, error: why });
      this.waiting.clear();
    };
    this.child.on('error', (error) => fail(`${PYTHON}: ${error.message}`));
    this.child.on('exit', (code) => fail(`${PYTHON} exited (code ${code}) ${stderr.trim().split('\n').pop() ?? ''}`));
  }

  request(op: string, fields: Record<string, unknown> = {}): Promise<Answer> {
    if (this.exited !== null) return Promise.resolve({ id: -1, ok: false, error: this.exited });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ id, op, ...fields }) + '\n');
    });
  }

  /** Writes an input once per array and run; the process reads it with np.fromfile. */
  file(data: ArrayBufferView): string {
    let path = this.files.get(data);
    if (path === undefined) {
      path = join(this.dir, `input-${this.fileCount++}.bin`);
      writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.files.set(data, path);
    }
    return path;
  }

  close(): void {
    this.child.stdin.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let peer: PythonPeer | null = null;
let probed: Promise<PythonInfo> | null = null;

function started(): PythonPeer {
  peer ??= new PythonPeer();
  return peer;
}

/** What the interpreter has (asked once per run). */
export function pythonInfo(): Promise<PythonInfo> {
  probed ??= (async () => {
    const absent = (error: string): PythonInfo => ({ executable: PYTHON, python: null, numpy: null, torch: null, torchThreads: null, error });
    if (!existsSync(PYTHON)) return absent(`no ${PYTHON}`);
    let a: Answer;
    try {
      a = await started().request('probe');
    } catch (error) {
      return absent(error instanceof Error ? error.message : String(error));
    }
    if (!a.ok) return absent(a.error ?? 'the probe failed');
    return {
      executable: String(a.executable), python: a.python as string, numpy: a.numpy as string | null,
      torch: a.torch as string | null, torchThreads: a.torchThreads as number | null,
    };
  })();
  return probed;
}

/** Ends the process (at the end of a run; a later row starts a new one). */
export function closePython(): void {
  peer?.close();
  peer = null;
  probed = null;
}

let keys = 0;

/**
 * A row computed by python_peer.py's `task`. `args` may hold typed arrays: each is written to a file once and
 * replaced by its path. `needs` names the module whose absence skips the row.
 */
export function pythonImpl(o: {
  name: string; role?: Role; note: string; task: string; needs: 'numpy' | 'torch';
  args: () => Record<string, unknown>;
}): Impl {
  const key = `k${keys++}`;
  let p: PythonPeer | null = null;
  const check = (a: Answer): Answer => {
    if (a.ok) return a;
    if (a.skip) throw new Skip(String(a.error));
    throw new Error(String(a.error));
  };
  return {
    name: o.name, role: o.role ?? 'peer', note: o.note,
    setup: async () => {
      const info = await pythonInfo();
      if (info.python === null) throw new Skip(info.error ?? `no ${PYTHON}`);
      if (o.needs === 'numpy' && info.numpy === null) throw new Skip(`no numpy in ${PYTHON}`);
      if (o.needs === 'torch' && info.torch === null) throw new Skip(`no torch in ${PYTHON}`);
      p = started();
      const args: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o.args())) args[k] = ArrayBuffer.isView(v) ? p.file(v) : v;
      check(await p.request('setup', { key, task: o.task, args }));
    },
    run: async () => { check(await p!.request('run', { key })); },
    measure: async (budgetMs, minSampleMs) => {
      const a = check(await p!.request('sample', { key, budget_ms: budgetMs, min_sample_ms: minSampleMs }));
      return { samples: a.samples as number[], repeat: a.repeat as number };
    },
    output: async () => {
      const path = join(p!.dir, `${key}-output.bin`);
      check(await p!.request('output', { key, path }));
      const bytes = readFileSync(path);
      rmSync(path, { force: true });
      return new Float64Array(Uint8Array.from(bytes).buffer); // a copy: a Buffer's offset may not be 8-aligned
    },
    teardown: async () => { if (p) check(await p.request('teardown', { key })); },
  };
}
