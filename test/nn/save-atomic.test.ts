// Saves never lose the previous file: a save that fails half way (here a real file-size limit, `ulimit -f`, in a
// child process: Node ignores SIGXFSZ, so the write fails with EFBIG as on a full disk) leaves the old model byte for
// byte and no temporary file. And a directory that cannot be made is an error at once, never a spin (procfs).
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dense, Sequential } from '../../src/nn/index.js';
import { loadModel, saveModel, saveTfjs } from '../../src/nn/io-node.js';
import { checkWritable, makeDirectory, WriteError } from '../../src/write-file-node.js';

const DIST = new URL('../../dist/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pixprep-save-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** 64×64 weights: about 22 KB of JSON, far over the 4 KB limit the child runs under. */
function model(seed: number) {
  return new Sequential([new Dense({ units: 64, inputShape: [64] })], { seed });
}

interface Child { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Runs `script` (ESM) with `node` in bash under `ulimit -f blocks` (1 KiB blocks), killed after `timeout` ms. */
function runLimited(script: string, args: string[], blocks: number | 'unlimited', timeout = 60_000): Promise<Child> {
  const file = join(work, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  return new Promise((resolve) => {
    execFile('bash', ['-c', `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, file, ...args], { timeout },
      (error, stdout, stderr) => resolve({
        code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
        signal: error?.signal ?? null, stdout, stderr,
      }));
  });
}

const SAVE_SCRIPT = `
import { Dense, Sequential } from '${DIST}index.js';
import { saveModel, saveTfjs } from '${DIST}node.js';
const [how, target] = process.argv.slice(2);
const model = new Sequential([new Dense({ units: 64, inputShape: [64] })], { seed: 99 });
try {
  await (how === 'tfjs' ? saveTfjs(model, target) : saveModel(model, target));
  console.log('saved');
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
}
`;

describe('atomic saves', () => {
  it('saveModel: a write that fails half way (file-size limit) leaves the previous file whole, and no temporary file', async () => {
    const dir = join(work, 'own');
    mkdirSync(dir);
    const path = join(dir, 'model.json');
    await saveModel(model(1), path);
    const good = readFileSync(path);
    expect(good.length).toBeGreaterThan(8 * 1024);

    const child = await runLimited(SAVE_SCRIPT, ['own', path], 4);
    expect(child.code, child.stderr).toBe(1);
    expect(readFileSync(path).equals(good)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(child.stderr).toContain(`saveModel: cannot write ${path} (EFBIG: file too large`);
    expect(child.stderr).toContain('the previous file, if any, is untouched');
    expect((await loadModel(path)).getWeightsFlat()).toEqual(model(1).getWeightsFlat());

    // The same child without the limit does replace the file: the failure above was the limit's.
    const free = await runLimited(SAVE_SCRIPT, ['own', path], 'unlimited');
    expect(free.code, free.stderr).toBe(0);
    expect((await loadModel(path)).getWeightsFlat()).toEqual(model(99).getWeightsFlat());
    expect(readdirSync(dir)).toEqual(['model.json']);
  });

  it('saveTfjs: neither model.json nor weights.bin changes when a write fails, and no temporary file is left', async () => {
    const dir = join(work, 'tfjs');
    await saveTfjs(model(1), dir);
    const before = { json: readFileSync(join(dir, 'model.json')), bin: readFileSync(join(dir, 'weights.bin')) };
    expect(before.bin.length).toBe((64 * 64 + 64) * 4);

    const child = await runLimited(SAVE_SCRIPT, ['tfjs', dir], 4);
    expect(child.code, child.stderr).toBe(1);
    expect(readFileSync(join(dir, 'model.json')).equals(before.json)).toBe(true);
    expect(readFileSync(join(dir, 'weights.bin')).equals(before.bin)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(child.stderr).toContain(`saveTfjs: cannot write ${join(dir, 'weights.bin')} (EFBIG`);
  });

  it('a replaced file keeps its permissions; missing directories are made', async () => {
    const path = join(work, 'a', 'b', 'c', 'model.json');
    await saveModel(model(1), path);
    chmodSync(path, 0o600);
    await saveModel(model(2), path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await loadModel(path)).getWeightsFlat()).toEqual(model(2).getWeightsFlat());
    expect(readdirSync(join(work, 'a', 'b', 'c'))).toEqual(['model.json']);
  });

  it('a target that is a symbolic link is written through: the link stays a link, its target gets the new model', async () => {
    const dir = join(work, 'links');
    mkdirSync(join(dir, 'real'), { recursive: true });
    const real = join(dir, 'real', 'model.json');
    await saveModel(model(1), real);
    symlinkSync(join('real', 'model.json'), join(dir, 'link.json'));
    symlinkSync('link.json', join(dir, 'chain.json'));
    await saveModel(model(2), join(dir, 'chain.json'));
    expect(lstatSync(join(dir, 'chain.json')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe(join('real', 'model.json'));
    expect((await loadModel(real)).getWeightsFlat()).toEqual(model(2).getWeightsFlat());
    expect(readdirSync(join(dir, 'real'))).toEqual(['model.json']);
    // A dangling link: the file it names is created.
    symlinkSync(join('real', 'new.json'), join(dir, 'dangling.json'));
    await saveModel(model(3), join(dir, 'dangling.json'));
    expect((await loadModel(join(dir, 'real', 'new.json'))).getWeightsFlat()).toEqual(model(3).getWeightsFlat());
    // A loop is an error naming the path, and nothing is written.
    symlinkSync('loop-b.json', join(dir, 'loop-a.json'));
    symlinkSync('loop-a.json', join(dir, 'loop-b.json'));
    await expect(saveModel(model(4), join(dir, 'loop-a.json'))).rejects.toThrow(
      `cannot write ${join(dir, 'loop-a.json')}: too many levels of symbolic links`);
  });
});

describe('targets that cannot be written: an error at once, never a spin', () => {
  const SPIN_SCRIPT = `
import { Dense, Sequential } from '${DIST}index.js';
import { saveModel, saveTfjs } from '${DIST}node.js';
const [how, target] = process.argv.slice(2);
const model = new Sequential([new Dense({ units: 2, inputShape: [2] })], { seed: 1 });
try {
  await (how === 'tfjs' ? saveTfjs(model, target) : saveModel(model, target));
  console.log('saved');
} catch (e) {
  console.error(e.message);
  process.exitCode = 1;
}
`;
  // Under procfs, mkdir fails with ENOENT although the parent exists: Node's recursive mkdir retries forever.
  it.runIf(existsSync('/proc/self'))('saveModel and saveTfjs under /proc fail with a clear message (child killed after 20 s if it spins)', async () => {
    const own = await runLimited(SPIN_SCRIPT, ['own', '/proc/x/model.json'], 'unlimited', 20_000);
    expect(own.signal).toBeNull();
    expect(own.code).toBe(1);
    expect(own.stderr.trim()).toBe('saveModel: cannot make the directory /proc/x: its parent /proc exists but refuses new entries (a virtual file system such as /proc?)');
    const tfjs = await runLimited(SPIN_SCRIPT, ['tfjs', '/proc/x'], 'unlimited', 20_000);
    expect(tfjs.signal).toBeNull();
    expect(tfjs.stderr.trim()).toBe('saveTfjs: cannot make the directory /proc/x: its parent /proc exists but refuses new entries (a virtual file system such as /proc?)');
  });

  it.runIf(existsSync('/proc/self'))('the MNIST disk cache under /proc is skipped (best effort), and the export script says why it cannot write', async () => {
    const script = `import { loadMnistDetailed } from '${DIST}node.js';
const r = loadMnistDetailed({ cacheDir: '/proc/x/cache', reload: true });
console.log(JSON.stringify({ source: r.source, cacheFile: r.cacheFile, n: r.dataSet.train.y.length }));`;
    const r = await runLimited(script, [], 'unlimited', 30_000);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ source: 'json', cacheFile: null, n: 7996 });
    const exported = await new Promise<Child>((resolve) => {
      execFile(process.execPath, [new URL('../../scripts/export-mnist-idx.mjs', import.meta.url).pathname, '/proc/x/idx'], { timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, signal: error?.signal ?? null, stdout, stderr }));
    });
    expect(exported.signal).toBeNull();
    expect(exported.code).toBe(1);
    expect(exported.stderr).toBe('export-mnist-idx: cannot make the directory /proc/x: its parent /proc exists but refuses new entries (a virtual file system such as /proc?)\n');
  });

  it('a path through a file is refused by name; nothing is created', async () => {
    const file = join(work, 'plain-file');
    writeFileSync(file, 'x');
    await expect(saveModel(model(1), join(file, 'sub', 'model.json'))).rejects.toThrow(
      `saveModel: cannot make the directory ${join(file, 'sub')}: ${file} is a file, not a directory`);
    expect(() => makeDirectory('here', join(file, 'd'))).toThrow(WriteError);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a target that is a directory is refused at the rename: the directory and its contents stay, no temporary file', async () => {
    const dir = join(work, 'is-a-dir');
    mkdirSync(join(dir, 'model.json'), { recursive: true });
    writeFileSync(join(dir, 'model.json', 'inside'), 'kept');
    await expect(saveModel(model(1), join(dir, 'model.json'))).rejects.toThrow(
      new RegExp(`^saveModel: cannot replace ${join(dir, 'model.json')} \\(EISDIR`));
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(readFileSync(join(dir, 'model.json', 'inside'), 'utf8')).toBe('kept');
  });

  it('checkWritable: a real probe, without leaving anything behind', async () => {
    const dir = join(work, 'probe');
    mkdirSync(dir);
    await checkWritable('w', join(dir, 'model.json'));
    await checkWritable('w', join(dir, 'not', 'yet', 'model.json')); // would be made in dir
    expect(readdirSync(dir)).toEqual([]);
    await expect(checkWritable('w', dir)).rejects.toThrow(`w: ${dir} is a directory, not a file`);
    const file = join(dir, 'f');
    writeFileSync(file, '');
    await expect(checkWritable('w', join(file, 'model.json'))).rejects.toThrow(`w: cannot write ${join(file, 'model.json')}: ${file} is a file, not a directory`);
    if (existsSync('/proc/self')) {
      await expect(checkWritable('w', '/proc/x/model.json')).rejects.toThrow(
        'w: cannot write /proc/x/model.json: /proc exists but refuses new files (a virtual file system such as /proc?)');
    }
  });
});
