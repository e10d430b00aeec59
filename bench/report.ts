// From runs to a record, and from a record to text: the JSON written to bench/results/, the tables printed and
// written into BENCHMARKS.md, and the README's speed table. With --processes k the suite ran in k processes; each
// row's figures are then the median over them, and each ratio is given with its interquartile range.
import type { Kind, Result, Verification } from './runner.js';
import type { Machine, Source } from './record.js';
import type { SuiteReport } from './suite.js';

export const SCHEMA = 'pixprep-bench/2';

/** A value over the processes: its median, quartiles and every value. */
export interface Spread {
  median: number;
  q1: number;
  q3: number;
  values: number[];
}

/**
 * One implementation of one case, over every process of the run: a runner Result whose per-process figures are
 * replaced by their median over the processes (ms per call), the interquartile range (of the samples with one
 * process, of the processes' medians with several), and each ratio as a Spread. `status` is 'ok' when timed in every
 * process, otherwise the first process's status and reason; `verification` is the one with the largest error ÷ bound.
 */
export interface Row extends Omit<Result, 'min' | 'max' | 'repeat' | 'vsBestPeer' | 'vsFloor' | 'vsCopy'> {
  vsBestPeer: Spread;
  vsFloor: Spread;
  vsCopy: Spread;
}

export interface Headline {
  id: string;
  what: string;
  kind: Kind;
  /** Over the processes; for a speed-up, peer time ÷ pixprep time (above 1: pixprep is faster). */
  ratio: Spread;
}

export interface Recorded {
  schema: string;
  /** The command line that made it (npm run bench -- ...). */
  command: string;
  date: string;
  source: Source;
  machine: Machine;
  processes: number;
  /** Wall time of all processes, seconds. */
  seconds: number;
  options: SuiteReport['options'];
  rows: Row[];
  headlines: Headline[];
  runs: SuiteReport[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const x = (sorted.length - 1) * q;
  const lo = Math.floor(x);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

export function spread(values: number[]): Spread {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  return { median: quantile(finite, 0.5), q1: quantile(finite, 0.25), q3: quantile(finite, 0.75), values: finite };
}

// ------------------------------------------------------------------------------------------------- headlines

const MAIN_PIXPREP = /^pixprep (wasm-simd|fit\(x\)$|standardize\(x, out\))/;
/** ", 2 threads" at the end of a row's name (bench/threads.ts): the thread count it ran at. */
const THREADS = /, (\d+) threads?$/;
const threadsOf = (impl: string): number | null => { const m = THREADS.exec(impl); return m ? Number(m[1]) : null; };

/** The ratios a reader quotes, from one process's results: each inside one case, so like for like. */
export function headlinesOf(results: Result[]): { id: string; what: string; kind: Kind; value: number }[] {
  const out: { id: string; what: string; kind: Kind; value: number }[] = [];
  const byCase = new Map<string, Result[]>();
  for (const r of results) byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
  for (const [name, rows] of byCase) {
    const ok = rows.filter((r) => r.status === 'ok');
    const section = rows[0].section;
    if (section === 'sizes' || section === 'layers' || section === 'zca') continue;
    for (const px of ok.filter((r) => r.role === 'pixprep' && MAIN_PIXPREP.test(r.impl))) {
      if (Number.isFinite(px.vsFloor)) {
        out.push({ id: `${name} | ${px.impl} | ÷ ${px.floor}`, what: `${px.impl} time ÷ ${px.floor}`, kind: px.kind, value: px.vsFloor });
      }
      if (Number.isFinite(px.vsCopy)) {
        out.push({ id: `${name} | ${px.impl} | ÷ copy`, what: `${px.impl} time ÷ the faster copy of its output bytes`, kind: px.kind, value: px.vsCopy });
      }
      // A row at a thread count is compared with the peers at the same count (and those that have none).
      const threads = threadsOf(px.impl);
      for (const peer of ok.filter((r) => r.role === 'peer' && (threads === null || [null, threads].includes(threadsOf(r.impl))))) {
        out.push({ id: `${name} | ${px.impl} | × ${peer.impl}`, what: `${px.impl} speed ÷ ${peer.impl} speed`, kind: px.kind, value: peer.median / px.median });
      }
      // The speed-up of all threads over one, in the same run (issue 16).
      const one = threads !== null && threads > 1 ? ok.find((r) => r.impl === px.impl.replace(THREADS, ', 1 thread')) : undefined;
      if (one) {
        out.push({ id: `${name} | ${px.impl} | × ${one.impl}`, what: `${px.impl} speed ÷ ${one.impl} speed`, kind: px.kind, value: one.median / px.median });
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- records

export function record(runs: SuiteReport[], command: string, seconds: number): Recorded {
  const first = runs[0];
  const key = (r: Result) => `${r.case}\u0000${r.impl}`;
  const rows: Row[] = first.results.map((r0) => {
    const all = runs.map((run) => run.results.find((r) => key(r) === key(r0))).filter((r): r is Result => r !== undefined);
    const timed = all.filter((r) => r.status === 'ok');
    const bad = all.find((r) => r.status !== 'ok');
    const worst = all.map((r) => r.verification).filter((v): v is Verification => v !== undefined)
      .sort((a, b) => b.worst - a.worst)[0];
    const medians = spread(timed.map((r) => r.median));
    const median = medians.median;
    return {
      case: r0.case, section: r0.section, kind: r0.kind, impl: r0.impl, role: r0.role, unit: r0.unit,
      elements: r0.elements, work: r0.work, read: r0.read, written: r0.written,
      status: bad ? bad.status : 'ok', reason: bad?.reason, verification: worst,
      // One process: the quartiles of its samples; several: the quartiles of the processes' medians.
      median, q1: runs.length > 1 ? medians.q1 : r0.q1, q3: runs.length > 1 ? medians.q3 : r0.q3,
      samples: timed.reduce((s, r) => s + r.samples, 0),
      throughput: spread(timed.map((r) => r.throughput)).median,
      vsBestPeer: spread(timed.map((r) => r.vsBestPeer)), bestPeer: r0.bestPeer,
      vsFloor: spread(timed.map((r) => r.vsFloor)), floor: r0.floor,
      vsCopy: spread(timed.map((r) => r.vsCopy)),
      note: r0.note,
      ...(r0.threads === undefined ? {} : { threads: r0.threads }),
    };
  });
  const values = new Map<string, { what: string; kind: Kind; values: number[] }>();
  for (const run of runs) {
    for (const h of headlinesOf(run.results)) {
      const entry = values.get(h.id) ?? { what: h.what, kind: h.kind, values: [] };
      entry.values.push(h.value);
      values.set(h.id, entry);
    }
  }
  const headlines = [...values].map(([id, h]) => ({ id, what: h.what, kind: h.kind, ratio: spread(h.values) }));
  const machine = { ...first.machine, loadAfter: runs[runs.length - 1].machine.loadAfter };
  return {
    schema: SCHEMA, command, date: first.date, source: first.source, machine, processes: runs.length, seconds,
    options: first.options, rows, headlines, runs,
  };
}

// ------------------------------------------------------------------------------------------------ formatting

/** Two significant figures, without exponents: 0.76, 14, 82, 1,200. */
export function sig2(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return Number(x.toPrecision(2)).toLocaleString('en-US', { maximumSignificantDigits: 2 });
}

export function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${sig2(x)}×` : '—';
}

/** A ratio over the processes: "0.76×", or "0.76× (0.74–0.79)" with the interquartile range when k > 1. */
export function fmtSpread(s: Spread): string {
  if (!Number.isFinite(s.median)) return '—';
  if (s.values.length < 2) return fmtRatio(s.median);
  return `${fmtRatio(s.median)} (${sig2(s.q1)}–${sig2(s.q3)})`;
}

function fmtTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toPrecision(3)} s`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (x >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function fmtBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes === 0) return '0';
  if (bytes >= 1e6) return `${(bytes / 1e6).toPrecision(3)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toPrecision(3)} kB`;
  return `${bytes} B`;
}

function verified(r: Row): string {
  if (r.status !== 'ok') return r.reason ?? r.status;
  if (r.role === 'floor') return '';
  if (r.verification === undefined) return 'not checked';
  return `✓ ${sig2(r.verification.worst)} of bound`;
}

function markdownTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...row[i]].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One Markdown table: a row per implementation of each case. */
export function table(rows: Row[]): string {
  const header = ['case', 'implementation', 'median (IQR)', 'throughput', '÷ best peer', '÷ floor', '÷ copy', 'samples', 'verified'];
  return markdownTable(header, rows.map((r) => [
    r.case, r.impl,
    r.status === 'ok' ? `${fmtTime(r.median)} (${fmtTime(r.q1)}–${fmtTime(r.q3)})` : '—',
    Number.isFinite(r.throughput) ? `${fmtNumber(r.throughput)} ${r.unit}` : '—',
    r.role === 'floor' ? '' : fmtSpread(r.vsBestPeer),
    r.role === 'floor' && r.impl !== r.floor ? '' : fmtSpread(r.vsFloor),
    fmtSpread(r.vsCopy),
    String(r.samples),
    verified(r),
  ]));
}

/** Per case: its kind, traffic, floor, tolerance. */
export function casesTable(rows: Row[]): string {
  const cases = [...new Map(rows.map((r) => [r.case, r])).values()];
  return markdownTable(['case', 'kind', 'bytes read', 'bytes written', '÷ floor divides by', 'tolerance'], cases.map((r) => {
    const tolerance = rows.find((x) => x.case === r.case && x.verification)?.verification?.tolerance ?? '';
    return [r.case, r.kind, fmtBytes(r.read), fmtBytes(r.written), r.floor ?? '', tolerance];
  }));
}

export function machineText(rec: Recorded): string {
  const m = rec.machine;
  const tf = 'error' in m.tfjs ? `failed to load: ${m.tfjs.error}`
    : `${m.tfjs.version} (backend ${m.tfjs.backend}, SIMD ${m.tfjs.simd ? 'yes' : 'no'}, threads ${m.tfjs.threads})`;
  const py = m.python.python === null ? `none (${m.python.error ?? 'absent'})`
    : `${m.python.executable} ${m.python.python}, numpy ${m.python.numpy ?? 'absent'}, torch ${m.python.torch ?? 'absent'}`;
  const commit = rec.source.commit === null ? 'unknown commit' : `commit ${rec.source.commit.slice(0, 12)}${rec.source.dirty ? ' with uncommitted changes' : ''}`;
  return `${commit}; ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GiB; Node ${m.node} (V8 ${m.v8}); pixprep ${m.pixprepBackend}${m.pixprepThreads === undefined ? '' : `, ${m.pixprepThreads} threads by default (rows that name no count: 1)`}; ` +
    `TF.js ${tf}; Python ${py}; load average ${m.loadBefore.join(' ')} before, ${m.loadAfter.join(' ')} after.`;
}

const SECTION_TITLES: Record<string, string> = {
  scaling: 'Scaling at MNIST scale',
  fit: 'Statistics: fit',
  flow: 'Generator: one shuffled epoch of flow',
  network: 'Network: the tutorial CNN at batch 64',
  layers: 'Where a training step goes: each layer at batch 64',
  gemm: 'Matrix multiply at the tutorial shapes (batch 64)',
  zca: 'ZCA whitening',
  sizes: 'Scaling with size',
};

/** The layers section's extra column: each row's share of the sum of all layer passes. */
function layerShares(rows: Row[]): string {
  const layers = rows.filter((r) => r.section === 'layers' && r.status === 'ok');
  const total = layers.reduce((s, r) => s + r.median, 0);
  return markdownTable(['layer pass', 'time', 'share', 'effective'], layers.map((r) => [
    r.case, fmtTime(r.median), `${sig2((100 * r.median) / total)} %`, `${fmtNumber(r.throughput)} ${r.unit}`,
  ]));
}

/** The generated part of BENCHMARKS.md: provenance, then a table per section, then each implementation's note. */
export function markdownReport(rec: Recorded, file: string): string {
  const parts = [
    `From \`${file}\`: made by \`${rec.command}\` on ${rec.date.slice(0, 16).replace('T', ' ')} UTC, ` +
    `${rec.processes} process${rec.processes === 1 ? '' : 'es'}, ${rec.seconds.toFixed(0)} s in all.`,
    '',
    machineText(rec),
  ];
  const busiest = Math.max(...rec.machine.loadBefore.slice(0, 1), ...rec.machine.loadAfter.slice(0, 1));
  if (busiest > rec.machine.cores) {
    parts.push('', `**Provisional:** the load average (${busiest}) was above the core count (${rec.machine.cores}): other work ` +
      'shared the machine during this run, so its times are inflated and its ratios less certain. Re-run on a quiet machine.');
  }
  if (rec.source.dirty) parts.push('', `The tree had uncommitted changes: ${rec.source.changed.join(', ')}.`);
  const sections = [...new Set(rec.rows.map((r) => r.section))];
  for (const section of sections) {
    const rows = rec.rows.filter((r) => r.section === section);
    parts.push('', `### ${SECTION_TITLES[section] ?? section}`, '', table(rows));
    if (section === 'layers') parts.push('', layerShares(rec.rows));
  }
  parts.push('', '### Cases: kind, traffic, floor and tolerance', '', casesTable(rec.rows.filter((r) => r.section !== 'sizes')));
  const seen = new Set<string>();
  const notes = rec.rows.filter((r) => r.note !== undefined && r.section !== 'sizes' && r.section !== 'layers')
    .filter((r) => !seen.has(`${r.impl}|${r.note}`) && seen.add(`${r.impl}|${r.note}`))
    .map((r) => `- ${r.section} · ${r.impl}: ${r.note}`);
  if (notes.length > 0) parts.push('', '### What each implementation does', '', ...notes);
  return parts.join('\n');
}

// ------------------------------------------------------------------------------------------ the README table

function find(rec: Recorded, casePattern: RegExp, impl: string): Row | undefined {
  return rec.rows.find((r) => casePattern.test(r.case) && r.impl === impl && r.status === 'ok');
}

function headline(rec: Recorded, casePattern: RegExp, impl: string, what: string): Headline | undefined {
  return rec.headlines.find((h) => casePattern.test(h.id.split(' | ')[0]) && h.id.split(' | ')[1] === impl && h.id.split(' | ')[2] === what);
}

/** "14× plain JS loop, 2.1× TF.js wasm": the speed-ups over each peer of a case. */
function speedUps(rec: Recorded, casePattern: RegExp, impl: string): string {
  const hs = rec.headlines.filter((h) => casePattern.test(h.id.split(' | ')[0]) && h.id.split(' | ')[1] === impl && h.id.split(' | ')[2].startsWith('× '));
  return hs.map((h) => `${fmtSpread(h.ratio)} ${h.id.split(' | ')[2].slice(2)}`).join(', ');
}

/** The README's speed table, from one record: each row says whether its ratios are kernel or call rows. */
export function readmeTable(rec: Recorded, file: string): string {
  const lines: string[][] = [];
  const px = 'pixprep wasm-simd';
  const floorText = (pattern: RegExp, impl: string) => {
    const row = find(rec, pattern, impl);
    const h = row && headline(rec, pattern, impl, `÷ ${row.floor}`);
    return h ? `${fmtSpread(h.ratio)} the time of its ${row!.floor!.replace('floor: ', '')} floor` : '';
  };
  for (const [label, name] of [['normalize u8 → f32', /^normalize u8→f32 \d/], ['standardize u8 → f32', /^standardize u8→f32 \d/]] as const) {
    const kernel = new RegExp(`${name.source}.* · kernel$`);
    const call = new RegExp(`${name.source}.* · call$`);
    lines.push([`${label}, kernel`, floorText(kernel, px), speedUps(rec, kernel, px)]);
    lines.push([`${label}, call \`standardize(x, out)\``, floorText(call, 'pixprep standardize(x, out)'), speedUps(rec, call, 'pixprep standardize(x, out)')]);
  }
  const fitKernel = /^fit .* · kernel$/;
  const fitCall = /^fit .* · call$/;
  lines.push(['`fit` statistics, kernel', floorText(fitKernel, px), speedUps(rec, fitKernel, px)]);
  lines.push(['`fit(x)`, call', floorText(fitCall, 'pixprep fit(x)'), speedUps(rec, fitCall, 'pixprep fit(x)')]);
  const flow = /^flow epoch/;
  const flowRow = find(rec, flow, px);
  lines.push(['one shuffled epoch of `flow`, batch 64, call', `${flowRow ? `${fmtNumber(flowRow.throughput)} images/s, ` : ''}${floorText(flow, px)}`, speedUps(rec, flow, px)]);
  for (const [label, pattern] of [['tutorial CNN training step, batch 64', /^CNN training/], ['tutorial CNN inference, batch 64', /^CNN inference(?! vs)/], ['tutorial CNN inference, batch 64, one thread, against ONNX Runtime (call rows)', /^CNN inference vs ONNX Runtime, batch 64$/]] as const) {
    // Rows at 1 thread and at all threads where the case has them (bench/threads.ts), else the one row.
    const impls = rec.rows.filter((r) => pattern.test(r.case) && r.role === 'pixprep' && r.impl.startsWith(`${px}, `) && THREADS.test(r.impl))
      .map((r) => r.impl);
    for (const impl of impls.length > 0 ? impls : [px]) {
      const threads = threadsOf(impl);
      const row = find(rec, pattern, impl);
      const others = rec.rows.filter((r) => pattern.test(r.case) && r.role === 'peer' && r.status !== 'ok' &&
        (threads === null || [null, threads].includes(threadsOf(r.impl))))
        .map((r) => `${r.impl}: ${r.status === 'skipped' ? r.reason : 'cannot run it'}`);
      const where = threads === null ? (label.includes('one thread') ? '' : ', one thread') : `, ${threads} thread${threads === 1 ? '' : 's'}`;
      lines.push([`${label}${where}`, row ? `${fmtNumber(row.throughput)} images/s` : '—', [speedUps(rec, pattern, impl), ...others].filter((s) => s !== '').join('; ')]);
    }
  }
  const gemms = rec.rows.filter((r) => r.section === 'gemm' && r.impl === px && r.status === 'ok');
  if (gemms.length > 0) {
    const tf = gemms.map((g) => rec.rows.find((r) => r.case === g.case && r.impl === 'TF.js wasm' && r.status === 'ok'));
    const range = (xs: number[]) => `${sig2(Math.min(...xs))}–${sig2(Math.max(...xs))}`;
    lines.push(['matrix multiply at the network\'s shapes, kernel', `${range(gemms.map((g) => g.throughput))} GFLOP/s`,
      tf.every((t) => t) ? `TF.js wasm ${range(tf.map((t) => t!.throughput))} GFLOP/s` : '']);
  }
  const zcaFit = rec.rows.find((r) => /^zca fit /.test(r.case) && r.status === 'ok');
  const zcaCov = rec.rows.find((r) => /^zca covariance /.test(r.case) && r.status === 'ok');
  if (zcaFit) {
    lines.push([`ZCA fit (covariance, float64 eigendecomposition, W), ${zcaFit.case.replace(/^zca fit /, '')}, call`,
      `${fmtTime(zcaFit.median)}${zcaCov ? ` (covariance at ${sig2(zcaCov.throughput)} GFLOP/s)` : ''}`, 'Keras needs the data as one float32 array and a D² SVD']);
  }
  const table = markdownTable(['what (row kind)', 'pixprep', 'pixprep\'s speed ÷ each peer\'s'], lines);
  const k = rec.processes;
  const provenance = `From [BENCHMARKS.md](BENCHMARKS.md), generated from \`${file}\` (${rec.date.slice(0, 10)}, commit ` +
    `${rec.source.commit?.slice(0, 8) ?? 'unknown'}${rec.source.dirty ? ' with uncommitted changes' : ''}; ${rec.machine.cpu}, ` +
    `${rec.machine.cores} cores, Node ${rec.machine.node}; ${k} process${k === 1 ? '' : 'es'}` +
    `${k > 1 ? ', median and interquartile range over them' : ''}), at MNIST scale (${rec.options.images.toLocaleString('en-US')} × 28 × 28 × 1). ` +
    'Kernel rows give every implementation its input in its own native form and a preallocated output; call rows time ' +
    'what a user writes, on JavaScript arrays; every output was checked against float64 first. Ratios to two significant figures.';
  return `${provenance}\n\n${table}`;
}

/** Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` (appends the markers when missing). */
export function replaceMarked(document: string, generated: string, name = 'bench'): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${generated}\n${end}`;
  const i = document.indexOf(begin);
  const j = document.indexOf(end);
  if (i < 0 || j < i) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, i) + block + document.slice(j + end.length);
}
