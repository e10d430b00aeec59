// The kernel table (src/kernels/types.ts) against what implements it: assembly/X.ts and src/kernels/X.ts mirror each
// other file for file and export the same kernels; every declared kernel exists in both with the declared number of
// arguments; every backend's kernels object holds exactly the table's names. And the adapter converts each argument
// kind: an array outside wasm memory is refused, a nullable array passes null as it should.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../src/kernels/types.js';
import { jsKernels } from '../../src/kernels/index.js';
import { backends, onHeap, outputOnHeap } from '../helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const names = Object.keys(KERNELS).sort();
const exported = (path: string) =>
  [...readFileSync(path, 'utf8').matchAll(/^export function (\w+)\s*\(/gm)].map((m) => m[1])
    .filter((n) => n in KERNELS);
// The files that are not kernel families: the module's export list, the relaxed-SIMD helper, the table, the js backend.
const kernelFiles = (dir: string, skip: string[]) =>
  readdirSync(resolve(ROOT, dir)).filter((f) => f.endsWith('.ts') && !skip.includes(f)).sort();

describe('the kernel table', () => {
  it('assembly/ and src/kernels/ hold the same files, each exporting the same kernels', () => {
    const asm = kernelFiles('assembly', ['index.ts', 'madd.ts', 'thread-scratch.ts']);
    const ts = kernelFiles('src/kernels', ['index.ts', 'types.ts']);
    expect(ts).toEqual(asm);
    for (const file of asm) {
      const twin = exported(resolve(ROOT, 'src/kernels', file)).sort();
      expect(twin, file).toEqual(exported(resolve(ROOT, 'assembly', file)).sort());
    }
  });

  it('every declared kernel is exported by some assembly file and its twin, and nothing else is', () => {
    const asm = kernelFiles('assembly', ['index.ts', 'madd.ts', 'thread-scratch.ts']).flatMap((f) => exported(resolve(ROOT, 'assembly', f)));
    expect(asm.sort()).toEqual(names);
    const index = readFileSync(resolve(ROOT, 'assembly/index.ts'), 'utf8');
    for (const name of names) expect(index, `assembly/index.ts exports ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('each twin takes the declared number of arguments, and each backend has exactly the table names', () => {
    for (const name of names) {
      const entry = KERNELS[name as keyof typeof KERNELS];
      expect((jsKernels as Record<string, (...a: never[]) => unknown>)[name].length, name).toBe(entry.args.length);
    }
    for (const backend of backends) expect(Object.keys(backend.kernels).sort(), backend.name).toEqual(names);
  });

  it('declares every argument as "name: kind" with a known kind and a unique name', () => {
    for (const name of names) {
      const args = KERNELS[name as keyof typeof KERNELS].args as readonly string[];
      const argNames = args.map((arg) => {
        expect(arg, name).toMatch(/^\w+: (?:(?:u8|i32|f32|f64)\??(?: out)?|int|float|bool)$/);
        return arg.split(':')[0];
      });
      expect(new Set(argNames).size, name).toBe(argNames.length);
    }
  });
});

for (const backend of backends.filter((b) => b.name !== 'js')) {
  describe(`the wasm adapter (${backend.name})`, () => {
    it('refuses an array that is not a view of wasm memory, before the kernel runs', () => {
      const out = outputOnHeap(backend, 'f32', 4);
      expect(() => backend.kernels.reluForward(out.view(), new Float32Array(4), 4))
        .toThrow(/outside wasm memory|not a view of wasm memory/);
      expect(Array.from(out.view())).toEqual([NaN, NaN, NaN, NaN]);
      out.free();
    });

    it('passes a null array as the null pointer (softmaxCrossEntropy without a gradient)', () => {
      const logits = onHeap(backend, new Float32Array([0, Math.log(3)]));
      const targets = onHeap(backend, new Float32Array([0, 1]));
      const probs = outputOnHeap(backend, 'f32', 2);
      const loss = backend.kernels.softmaxCrossEntropy(probs.view(), null, logits.view(), targets.view(), 1, 2);
      expect(loss).toBeCloseTo(-Math.log(0.75), 6);
      expect(Array.from(probs.view())).toEqual([Math.fround(0.25), Math.fround(0.75)]);
      for (const block of [logits, targets, probs]) block.free();
    });
  });
}
