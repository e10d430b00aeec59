// An SVG chart of the size sweep from a results JSON: one panel per scaling kernel, output GB/s (float32 bytes
// written per second) against elements, log–log, one line per implementation, the copy limit drawn dashed.
// No dependency: the SVG is written by hand. Run alone: node dist-bench/bench/chart.js results.json chart.svg
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Recorded, Row } from './report.js';

const PANELS = ['normalize u8→f32', 'standardize u8→f32', 'scale f32→f32'];
const COLORS: Record<string, string> = {
  'floor: stream': '#000000',
  'copy: TypedArray.set': '#7f7f7f',
  'copy: wasm memory.copy': '#bcbd22',
  numpy: '#8c564b',
  'pixprep wasm-simd': '#d62728',
  'pixprep TS reference': '#ff9896',
  'plain JS loop': '#1f77b4',
  'ndarray-ops': '#2ca02c',
  'TF.js wasm': '#ff7f0e',
};
const W = 1340;
const H = 470;
const PANEL_W = 380;
const PANEL_H = 300;
const LEFT = 60;
const TOP = 50;
const GAP = 30;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Point { n: number; gbps: number }

const isFloor = (impl: string) => impl.startsWith('floor:') || impl.startsWith('copy:');

/** The chart of a recorded run's size sweep (its rows: medians over the processes). */
export function renderChart(recorded: Recorded): string {
  const sweep = recorded.rows.filter((r) => r.section === 'sizes' && Number.isFinite(r.median) && r.median > 0);
  const outputGBps = (r: Row) => (4 * r.elements) / (r.median / 1000) / 1e9;
  const series = (panel: string): Map<string, Point[]> => {
    const map = new Map<string, Point[]>();
    const rows = sweep.filter((r) => r.case.startsWith(panel));
    for (const r of rows) map.set(r.impl, [...(map.get(r.impl) ?? []), { n: r.elements, gbps: outputGBps(r) }]);
    for (const points of map.values()) points.sort((a, b) => a.n - b.n);
    return map;
  };
  const all = sweep.map((r) => ({ n: r.elements, gbps: outputGBps(r) }));
  const nMin = Math.min(...all.map((p) => p.n), 1e3);
  const nMax = Math.max(...all.map((p) => p.n), 1e4);
  const gMin = 10 ** Math.floor(Math.log10(Math.max(1e-3, Math.min(...all.map((p) => p.gbps), 1))));
  const gMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.gbps), 1)));
  const xs = (n: number) => ((Math.log10(n) - Math.log10(nMin)) / (Math.log10(nMax) - Math.log10(nMin) || 1)) * PANEL_W;
  const ys = (g: number) => PANEL_H - ((Math.log10(g) - Math.log10(gMin)) / (Math.log10(gMax) - Math.log10(gMin) || 1)) * PANEL_H;

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  const m = recorded.machine;
  parts.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">pixprep scaling kernels: output throughput against size (float32 GB written per second, log–log)</text>`);
  parts.push(`<text x="${W / 2}" y="38" text-anchor="middle" fill="#555">${esc(`${m.cpu}, Node ${m.node}, ${recorded.date.slice(0, 10)}, commit ${(recorded.source.commit ?? '?').slice(0, 8)}; dashed: the stream floor and the copies`)}</text>`);
  const names = new Set<string>();
  PANELS.forEach((panel, p) => {
    const ox = LEFT + p * (PANEL_W + GAP + 20);
    const oy = TOP + 10;
    parts.push(`<g transform="translate(${ox},${oy})">`);
    parts.push(`<rect width="${PANEL_W}" height="${PANEL_H}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${PANEL_W / 2}" y="-6" text-anchor="middle" font-weight="bold">${esc(panel)}</text>`);
    for (let e = Math.ceil(Math.log10(nMin)); e <= Math.floor(Math.log10(nMax)); e++) {
      const x = xs(10 ** e).toFixed(1);
      parts.push(`<line x1="${x}" y1="0" x2="${x}" y2="${PANEL_H}" stroke="#eee"/>`);
      parts.push(`<text x="${x}" y="${PANEL_H + 16}" text-anchor="middle">10<tspan dy="-5" font-size="9">${e}</tspan></text>`);
    }
    for (let e = Math.log10(gMin); e <= Math.log10(gMax); e++) {
      const y = ys(10 ** e).toFixed(1);
      parts.push(`<line x1="0" y1="${y}" x2="${PANEL_W}" y2="${y}" stroke="#eee"/>`);
      parts.push(`<text x="-6" y="${y}" text-anchor="end" dominant-baseline="middle">${10 ** e >= 1 ? 10 ** e : (10 ** e).toPrecision(1)}</text>`);
    }
    parts.push(`<text x="${PANEL_W / 2}" y="${PANEL_H + 34}" text-anchor="middle">elements</text>`);
    if (p === 0) parts.push(`<text transform="translate(-44,${PANEL_H / 2}) rotate(-90)" text-anchor="middle">GB/s written</text>`);
    for (const [impl, points] of series(panel)) {
      names.add(impl);
      const color = COLORS[impl] ?? '#9467bd';
      const dash = isFloor(impl) ? ' stroke-dasharray="6 4"' : '';
      const d = points.map((pt, i) => `${i === 0 ? 'M' : 'L'}${xs(pt.n).toFixed(1)},${ys(pt.gbps).toFixed(1)}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      for (const pt of points) parts.push(`<circle cx="${xs(pt.n).toFixed(1)}" cy="${ys(pt.gbps).toFixed(1)}" r="2.5" fill="${color}"/>`);
    }
    parts.push('</g>');
  });
  let lx = LEFT;
  const ly = TOP + PANEL_H + 70;
  for (const impl of names) {
    const color = COLORS[impl] ?? '#9467bd';
    const dash = isFloor(impl) ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${esc(impl)}</text>`);
    lx += 40 + impl.length * 7;
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

// node dist-bench/bench/chart.js results.json chart.svg
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node dist-bench/bench/chart.js results.json chart.svg');
    process.exit(2);
  }
  const recorded = JSON.parse(readFileSync(input, 'utf8')) as Recorded;
  writeFileSync(output, renderChart(recorded));
  console.log(`wrote ${output}`);
}
