// The printed table, and the aims of issue 7 checked against this run's ratios.
import type { Result } from './runner.js';
import type { SuiteReport } from './suite.js';

export const SPREAD_WARNING = 0.1;

function fmtTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (x >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toPrecision(3)}×` : '—';
}

export function throughputText(r: Result): string {
  return Number.isFinite(r.throughput) ? `${fmtNumber(r.throughput)} ${r.unit}` : '—';
}

/** Markdown table: readable in a terminal and pasted as is into BENCHMARKS.md. */
export function table(results: Result[]): string {
  const header = ['case', 'implementation', 'median', 'throughput', '÷ fastest peer', '÷ limit', 'min / median / max', ''];
  const rows = results.map((r) => {
    const spread = Number.isFinite(r.spread)
      ? `${fmtTime(r.min)} / ${fmtTime(r.median)} / ${fmtTime(r.max)}`
      : `failed: ${r.error ?? ''}`;
    const warn = r.spread > SPREAD_WARNING ? `⚠ spread ${(100 * r.spread).toFixed(0)}%` : '';
    return [r.case, r.impl, fmtTime(r.median), throughputText(r), fmtRatio(r.vsBestPeer), fmtRatio(r.vsLimit), spread, warn];
  });
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => [...row[i]].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface Aim {
  what: string;
  figure: string;
  aim: string;
  met: boolean | null;
}

function find(results: Result[], section: string, casePrefix: string, impl: string): Result | undefined {
  return results.find((r) => r.section === section && r.case.startsWith(casePrefix) && r.impl === impl && Number.isFinite(r.median));
}

/** The aims of issue 7 (and the speed asks of issues 3–5), each as a ratio from this run. */
export function aims(results: Result[]): Aim[] {
  const out: Aim[] = [];
  const px = 'pixprep wasm-simd';
  for (const label of ['normalize u8→f32', 'standardize u8→f32', 'scale f32→f32']) {
    const k = find(results, 'scaling', label, px);
    const loop = find(results, 'scaling', label, 'plain JS loop');
    if (k) {
      out.push({ what: `${label}: time ÷ limit (copy of the output bytes)`, figure: fmtRatio(k.vsLimit), aim: '≤ 2×', met: k.vsLimit <= 2 });
    }
    if (k && loop) {
      const x = loop.median / k.median;
      out.push({ what: `${label}: speed-up over the plain JS loop`, figure: fmtRatio(x), aim: '≥ 4×', met: x >= 4 });
    }
  }
  const fit = find(results, 'fit', 'fit', px);
  if (fit) {
    for (const peer of ['TF.js wasm', 'plain JS two-pass', 'ndarray-ops']) {
      const p = find(results, 'fit', 'fit', peer);
      if (p) {
        const x = p.median / fit.median;
        out.push({ what: `fit: speed-up over ${peer}`, figure: fmtRatio(x), aim: 'wide margin (≥ 2×)', met: x >= 2 });
      }
    }
    out.push({ what: "fit: time ÷ one copy of its input (issue 4)", figure: fmtRatio(fit.vsLimit), aim: '≤ 2×', met: fit.vsLimit <= 2 });
  }
  const flow = find(results, 'flow', 'flow', px);
  if (flow) {
    out.push({ what: `flow epoch: ${fmtNumber(flow.throughput)} images/s; time ÷ one write of its output (issue 4)`, figure: fmtRatio(flow.vsLimit), aim: '≤ 2×', met: flow.vsLimit <= 2 });
    const loop = find(results, 'flow', 'flow', 'plain JS loop');
    if (loop) {
      const x = loop.median / flow.median;
      out.push({ what: 'flow epoch: speed-up over the plain JS loop', figure: fmtRatio(x), aim: '≥ 4×', met: x >= 4 });
    }
  }
  for (const kind of ['training', 'inference']) {
    const label = `CNN ${kind}`;
    const k = find(results, 'network', label, px);
    const tf = results.find((r) => r.section === 'network' && r.case.startsWith(label) && r.impl === 'TF.js wasm');
    if (!k) continue;
    if (tf && Number.isFinite(tf.median)) {
      const x = tf.median / k.median;
      out.push({ what: `${label}: ${fmtNumber(k.throughput)} images/s vs TF.js wasm ${fmtNumber(tf.throughput)}`, figure: fmtRatio(x), aim: '≥ 4× (issue 5)', met: x >= 4 });
    } else {
      out.push({
        what: `${label}: ${fmtNumber(k.throughput)} images/s; TF.js wasm cannot run it${tf?.error ? ` (${tf.error.slice(0, 80)})` : ''}`,
        figure: '—', aim: '≥ 4× (issue 5)', met: null,
      });
    }
    if (kind === 'training') {
      out.push({ what: `${label}: ${fmtNumber(k.throughput)} images/s vs PyTorch CPU 1 thread ≈ 3,700 (issue 5, not measured here)`, figure: fmtRatio(k.throughput / 3700), aim: '≥ 1×', met: k.throughput >= 3700 });
    }
  }
  for (const g of results.filter((r) => r.section === 'gemm' && r.impl === px && Number.isFinite(r.median))) {
    const tf = results.find((r) => r.case === g.case && r.impl === 'TF.js wasm' && Number.isFinite(r.median));
    out.push({
      what: `${g.case}: ${fmtNumber(g.throughput)} GFLOP/s${tf ? ` (TF.js wasm ${fmtNumber(tf.throughput)})` : ''}`,
      figure: tf ? fmtRatio(tf.median / g.median) : '—', aim: 'report', met: null,
    });
  }
  return out;
}

export function aimsText(list: Aim[]): string {
  if (list.length === 0) return '';
  const lines = list.map((a) => `- ${a.met === null ? '·' : a.met ? '✓' : '✗'} ${a.what}: **${a.figure}** (aim ${a.aim})`);
  return ['Aims (ratios from this run; ✓ met, ✗ missed, · reported):', ...lines].join('\n');
}

export function machineText(report: SuiteReport): string {
  const m = report.machine;
  const tf = 'error' in m.tfjs ? `failed to load: ${m.tfjs.error}`
    : `${m.tfjs.version} backend ${m.tfjs.backend}, SIMD ${m.tfjs.simd ? 'yes' : 'no'}, multithreading ${m.tfjs.multithread ? 'yes' : 'no'}, threads ${m.tfjs.threads}`;
  return `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GiB, Node ${m.node} (V8 ${m.v8}), ${m.platform}; ` +
    `pixprep backend ${m.pixprepBackend}; TF.js ${tf}.`;
}

export function legendText(): string {
  return [
    'Throughput: GB/s = (bytes read + bytes written) / median time; images/s; GFLOP/s = 2·m·n·k / median time.',
    '÷ fastest peer: this median ÷ the fastest non-pixprep implementation of the case (below 1: faster than every peer).',
    "÷ limit: this median ÷ the median of the case's own limit row, a TypedArray.prototype.set of the case's output bytes (fit: of its input bytes), measured in turns with the other rows.",
    "Limit rows (TypedArray.set, wasm memory copyWithin): their throughput is the case's work done in the copy's time.",
    `⚠: (max − min) / median above ${SPREAD_WARNING * 100}% (this machine is shared; compare ratios, not times).`,
  ].join('\n');
}

const SECTION_TITLES: Record<string, string> = {
  scaling: 'Scaling kernels at MNIST scale',
  fit: 'Statistics: a full fit',
  flow: 'Generator: one shuffled epoch of flow',
  network: 'Network: the tutorial CNN at batch 64',
  gemm: 'Matrix multiply at the tutorial shapes (batch 64)',
  sizes: 'Scaling with size',
};

/** The generated part of BENCHMARKS.md: command, machine, one table per section, legend, aims. */
export function markdownReport(report: SuiteReport, command: string, seconds: number): string {
  const parts = [
    `Made by \`${command}\` on ${report.date.slice(0, 16).replace('T', ' ')} UTC (whole run ${seconds.toFixed(0)} s).`,
    '',
    machineText(report),
    '',
    legendText().split('\n').map((line) => `- ${line}`).join('\n'),
  ];
  const sections = [...new Set(report.results.map((r) => r.section))];
  for (const section of sections) {
    parts.push('', `### ${SECTION_TITLES[section] ?? section}`, '', table(report.results.filter((r) => r.section === section)));
  }
  const notes = report.results.filter((r) => r.note !== undefined && r.section !== 'sizes');
  const seen = new Set<string>();
  const noteLines = notes.filter((r) => !seen.has(`${r.impl}|${r.note}`) && seen.add(`${r.impl}|${r.note}`))
    .map((r) => `- ${r.section} · ${r.impl}: ${r.note}`);
  if (noteLines.length > 0) parts.push('', '### What each implementation does', '', ...noteLines);
  parts.push('', '### Aims', '', aimsText(aims(report.results)).split('\n').slice(1).join('\n'));
  return parts.join('\n');
}

/** Replaces the text between the bench markers of a Markdown document (appends the markers when missing). */
export function replaceMarked(document: string, generated: string): string {
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const block = `${begin}\n${generated}\n${end}`;
  const i = document.indexOf(begin);
  const j = document.indexOf(end);
  if (i < 0 || j < i) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, i) + block + document.slice(j + end.length);
}
