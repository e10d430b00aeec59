// Runs a Node script as a user would, in a child process, and collects its exit code and output.
import { execFile } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The child was killed because it ran past `timeout`. */
  timedOut: boolean;
}

/** `env` adds to this process' environment; a variable given as undefined is left out of the child's. */
export function runNode(script: string, args: readonly string[] = [], { env = {}, timeout = 120_000 }: {
  env?: Record<string, string | undefined>;
  timeout?: number;
} = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      // Node leaves out the variables whose value is undefined.
      const timedOut = error !== null && error.killed === true;
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, timedOut });
    });
  });
}
