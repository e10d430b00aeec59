// Runs a Node script as a user would, in a child process, and collects its exit code and output.
import { execFile } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runNode(script: string, args: readonly string[] = [], { env = {}, timeout = 120_000 }: {
  env?: Record<string, string>;
  timeout?: number;
} = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
