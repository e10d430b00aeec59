// The bench's measuring core: a wrong output fails its whole case before anything is timed, an absent tool skips
// its row only, ratios are taken inside a case, and the record's spreads and two-significant-figure ratios.
import { describe, expect, it } from 'vitest';
import { fmtSpread, record, sig2, spread } from '../../bench/report.js';
import { computeRatios, runCase, Skip, type Case, type Impl } from '../../bench/runner.js';
import type { SuiteReport } from '../../bench/suite.js';
import { affineTolerance } from '../../bench/verify.js';

const N = 1000;
const x = Float64Array.from({ length: N }, (_, i) => i % 256);

function scaling(name: string, scale: number, role: Impl['role'] = 'peer'): Impl {
  const out = new Float32Array(N).fill(NaN);
  return { name, role, run: () => { for (let i = 0; i < N; i++) out[i] = x[i] * scale; }, output: () => out };
}

function makeCase(impls: Impl[]): Case {
  return {
    name: 'c', section: 's', kind: 'kernel', unit: 'GB/s', work: 5 * N, elements: N, impls, budgetMs: 5, minSampleMs: 0.1,
    verify: { reference: () => Float64Array.from(x, (v) => v / 255), tolerance: affineTolerance(0) },
  };
}

describe('runCase', () => {
  it('times every implementation whose output matches the float64 reference', async () => {
    const results = await runCase(makeCase([scaling('a', 1 / 255, 'pixprep'), scaling('b', 1 / 255)]), () => {}, 2);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
    for (const r of results) {
      expect(r.samples).toBeGreaterThan(0);
      expect(r.median).toBeGreaterThan(0);
      expect(r.verification!.worst).toBeLessThanOrEqual(1);
    }
  });

  it('fails the whole case, untimed, when a pixprep row is wrong by more than the bound', async () => {
    // 1/255 rounded to float32 and back is within 4u; 1.00001/255 is not.
    const results = await runCase(makeCase([scaling('right', 1 / 255), scaling('wrong', 1.00001 / 255, 'pixprep')]), () => {}, 2);
    const [right, wrong] = results;
    expect(wrong.status).toBe('failed');
    expect(wrong.reason).toMatch(/^wrong output: output\[\d+\] = .* float64 reference .* > bound/);
    expect(right.status).toBe('not timed');
    expect(right.reason).toBe('not timed: wrong failed verification');
    expect(results.map((r) => r.samples)).toEqual([0, 0]);
    expect(results.every((r) => Number.isNaN(r.median))).toBe(true);
  });

  it('fails a wrong peer, untimed, and times the rows that are right', async () => {
    const results = await runCase(makeCase([scaling('px', 1 / 255, 'pixprep'), scaling('wrong peer', 1.00001 / 255)]), () => {}, 2);
    expect(results[1].status).toBe('failed');
    expect(results[1].reason).toMatch(/^wrong output: /);
    expect(results[1].samples).toBe(0);
    expect(results[0].status).toBe('ok');
    expect(results[0].samples).toBeGreaterThan(0);
  });

  it('fails an implementation that writes nothing (its output stays NaN)', async () => {
    const lazy: Impl = { name: 'lazy', role: 'peer', run: () => {}, output: () => new Float32Array(N).fill(NaN) };
    const [r] = await runCase(makeCase([lazy]), () => {}, 1);
    expect(r.status).toBe('failed');
    expect(r.verification!.worst).toBe(Infinity);
  });

  it('checks each row against its own reference when the rows do different work on purpose', async () => {
    // Two rows computing different things (x/255 and x/127): each with its own float64 answer, no case reference.
    const own = (impl: Impl, scale: number): Impl => ({ ...impl, reference: () => Float64Array.from(x, (v) => v * scale) });
    const c = (impls: Impl[]): Case => ({ ...makeCase(impls), verify: { tolerance: affineTolerance(0) } });
    const right = await runCase(c([own(scaling('a', 1 / 255, 'pixprep'), 1 / 255), own(scaling('b', 1 / 127, 'pixprep'), 1 / 127)]), () => {}, 1);
    expect(right.map((r) => r.status)).toEqual(['ok', 'ok']);
    // The same rows checked against each other's answer: both wrong, and the case fails untimed.
    const swapped = await runCase(c([own(scaling('a', 1 / 255, 'pixprep'), 1 / 127), own(scaling('b', 1 / 127, 'pixprep'), 1 / 255)]), () => {}, 1);
    expect(swapped.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(swapped.every((r) => r.samples === 0)).toBe(true);
    // A row with no reference of its own in a case without one is a bench bug, said as such.
    const [orphan] = await runCase(c([scaling('a', 1 / 255, 'pixprep')]), () => {}, 1);
    expect(orphan.status).toBe('failed');
    expect(orphan.reason).toBe('cannot run: bench bug: case c has no reference, nor has a its own');
  });

  it('skips a row whose tool is absent and times the others', async () => {
    const absent: Impl = { name: 'numpy', role: 'peer', setup: () => { throw new Skip('no numpy'); }, run: () => {} };
    const broken: Impl = { name: 'tf', role: 'peer', setup: () => { throw new Error('no kernel'); }, run: () => {} };
    const results = await runCase(makeCase([scaling('a', 1 / 255, 'pixprep'), absent, broken]), () => {}, 1);
    expect(results.map((r) => [r.status, r.reason])).toEqual([
      ['ok', undefined], ['skipped', 'skipped: no numpy'], ['failed', 'cannot run: no kernel'],
    ]);
  });

  it('divides by the fastest peer, the named floor and the faster copy of the same case', async () => {
    // Fixed samples through `measure` (the interface remote peers use): no timing in a test.
    const impl = (name: string, role: Impl['role'], ms: number): Impl => ({
      name, role, run: () => {}, measure: async () => ({ samples: [ms, ms * 1.1, ms * 0.9], repeat: 1 }),
    });
    const c: Case = {
      name: 'c', section: 's', kind: 'kernel', unit: 'GB/s', work: 1, elements: 1, budgetMs: 20, minSampleMs: 0, floor: 'floor: x',
      impls: [impl('px', 'pixprep', 2), impl('slow', 'peer', 8), impl('fast', 'peer', 4), impl('floor: x', 'floor', 1),
        impl('copy: a', 'floor', 3), impl('copy: b', 'floor', 1.5)],
    };
    const results = await runCase(c, () => {}, 2);
    computeRatios(results, [c]);
    const px = results[0];
    expect(px.samples).toBe(6);
    expect(px.median).toBe(2);
    expect(px.q1).toBeCloseTo(1.85, 12);
    expect(px.q3).toBeCloseTo(2.15, 12);
    expect(px.bestPeer).toBe('fast');
    expect(px.vsBestPeer).toBe(0.5);
    expect(px.floor).toBe('floor: x');
    expect(px.vsFloor).toBe(2);
    expect(px.vsCopy).toBeCloseTo(2 / 1.5, 12); // ÷ the faster copy
    expect(results[1].vsBestPeer).toBe(2);
  });
});

describe('report', () => {
  it('quotes ratios to two significant figures', () => {
    expect([0.7557, 13.84, 82.4, 1234, 1].map(sig2)).toEqual(['0.76', '14', '82', '1,200', '1']);
    expect(sig2(NaN)).toBe('—');
  });

  it('gives the median and interquartile range of a ratio over processes', () => {
    const s = spread([1, 2, 3, 4, 100, NaN]);
    expect(s).toEqual({ median: 3, q1: 2, q3: 4, values: [1, 2, 3, 4, 100] });
    expect(fmtSpread(s)).toBe('3× (2–4)');
    expect(fmtSpread(spread([0.5]))).toBe('0.5×');
  });

  it('merges k processes into one row per implementation, with each ratio over them', () => {
    const run = (median: number, peer: number): SuiteReport => ({
      date: 'd', source: { commit: 'abc', dirty: false, changed: [] },
      options: { quick: true, filter: null, images: 1, sizes: [] },
      machine: { loadBefore: [1], loadAfter: [2] } as SuiteReport['machine'], seconds: 1,
      results: [
        { case: 'c', section: 'fit', kind: 'kernel', impl: 'pixprep wasm-simd', role: 'pixprep', unit: 'GB/s', elements: 1, work: 1, status: 'ok',
          min: median, q1: median, median, q3: median, max: median, samples: 3, repeat: 1, throughput: 1 / median,
          vsBestPeer: median / peer, vsFloor: NaN, vsCopy: NaN, bestPeer: 'p' },
        { case: 'c', section: 'fit', kind: 'kernel', impl: 'p', role: 'peer', unit: 'GB/s', elements: 1, work: 1, status: 'ok',
          min: peer, q1: peer, median: peer, q3: peer, max: peer, samples: 3, repeat: 1, throughput: 1 / peer,
          vsBestPeer: 1, vsFloor: NaN, vsCopy: NaN, bestPeer: 'p' },
      ],
    });
    const rec = record([run(1, 10), run(2, 10), run(4, 10)], 'npm run bench -- --processes 3', 9);
    expect(rec.processes).toBe(3);
    expect(rec.rows[0].median).toBe(2);
    expect(rec.rows[0].samples).toBe(9);
    expect(rec.rows[0].vsBestPeer).toMatchObject({ median: 0.2, values: [0.1, 0.2, 0.4] });
    const h = rec.headlines.find((x) => x.id === 'c | pixprep wasm-simd | × p')!;
    expect(h.kind).toBe('kernel');
    expect(h.ratio.values).toEqual([2.5, 5, 10]);
    expect(rec.machine.loadAfter).toEqual([2]);
  });
});
