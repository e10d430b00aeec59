// A mutation score for src/generator and src/nn in an hour instead of two days: a seeded uniform random sample of
// the places a full run would mutate, and the score estimated from it with a 95 % confidence interval.
//
// Why: the full run plans ~7,700 mutants whose covering tests add up to ~50 hours of test time (the training tests
// cover most of src/nn); on two cores that does not fit in a working session. A uniform sample estimates the same
// score, without the bias of a run cut short (which tests files in order and stops part-way).
//
// The unit drawn is a mutated place (a syntax node: file and span), with all its mutants (1.4 on average): StrykerJS
// selects what it mutates by source range, and a range holds every mutant of its node. Nodes inside a drawn range
// that are not drawn themselves are left out by an ignorer (scripts/mutation-sample-ignorer.mjs); a node between two
// drawn ones (inside one drawn range, around another) is mutated too but not counted. The score is the ratio
// estimator over the drawn places (detected ÷ valid mutants), its interval from a bootstrap over places.
//
//   node scripts/mutation-sample.mjs draw <plan-events-dir> [--per-folder N] [--seed S] [--out FILE]
//       reads the run plan (the *-onMutationTestingPlanReady.json event of any run of `npm run mutate`, which it
//       writes before testing the first mutant), draws N places per folder (static mutants excluded, as in the full
//       run) and writes them to FILE (default reports/mutation/sample.json).
//   PIXPREP_MUTATE_SAMPLE=FILE npx stryker run
//       mutates only the drawn places (stryker.config.mjs reads FILE); events go to reports/mutation/sample/events.
//   node scripts/mutation-sample.mjs score [FILE] [events-dir]
//       the score per folder over the drawn places tested so far, with its 95 % interval.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const FOLDERS = ['generator', 'nn'];
const [command, ...rest] = process.argv.slice(2);

function option(name, fallback) {
  const i = rest.indexOf(name);
  if (i < 0) return fallback;
  const value = rest[i + 1];
  rest.splice(i, 2);
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}

/** The path below src/, whatever folder the run was made in (a sandbox, a worktree). */
function sourcePath(fileName) {
  const i = fileName.lastIndexOf('/src/');
  if (i < 0) throw new Error(`mutant outside src/: ${fileName}`);
  return fileName.slice(i + 1);
}

/** mulberry32: a small seeded generator, so the same seed draws the same sample. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draw() {
  const perFolder = Number(option('--per-folder', '500'));
  const seed = Number(option('--seed', '1'));
  const out = option('--out', 'reports/mutation/sample.json');
  const [dir] = rest;
  if (dir === undefined) throw new Error('usage: mutation-sample.mjs draw <plan-events-dir> [--per-folder N] [--seed S] [--out FILE]');
  const planFile = readdirSync(dir).find((f) => f.endsWith('-onMutationTestingPlanReady.json'));
  if (planFile === undefined) throw new Error(`${dir} has no *-onMutationTestingPlanReady.json: start \`npm run mutate\` and let it reach its plan`);
  const plans = JSON.parse(readFileSync(join(dir, planFile), 'utf8')).mutantPlans;
  const next = random(seed);
  const sample = { seed, perFolder, planFile: relative('.', join(dir, planFile)), population: {}, places: [] };
  for (const folder of FOLDERS) {
    // The plan's locations are 0-based (lines and columns); a mutate range takes a 1-based line and a 0-based column.
    const places = new Map();
    for (const { mutant: m } of plans) {
      const file = sourcePath(m.fileName);
      if (m.status === 'Ignored' || !file.startsWith(`src/${folder}/`)) continue;
      const { start, end } = m.location;
      const range = `${file}:${start.line + 1}:${start.column}-${end.line + 1}:${end.column}`;
      places.set(range, (places.get(range) ?? 0) + 1);
    }
    const population = [...places.keys()].sort();
    // A partial Fisher–Yates shuffle: the first n of a uniformly random permutation.
    const n = Math.min(perFolder, population.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(next() * (population.length - i));
      [population[i], population[j]] = [population[j], population[i]];
    }
    sample.population[folder] = { places: population.length, mutants: [...places.values()].reduce((a, b) => a + b, 0) };
    for (const range of population.slice(0, n)) sample.places.push({ range, mutants: places.get(range) });
  }
  mkdirSync(dirname(out), { recursive: true });
  // Whole or not at all: a run reading a half-written sample would mutate the wrong places.
  writeFileSync(`${out}.tmp-${process.pid}`, `${JSON.stringify(sample, null, 1)}\n`);
  renameSync(`${out}.tmp-${process.pid}`, out);
  const drawn = (f) => sample.places.filter((p) => p.range.startsWith(`src/${f}/`));
  console.log(`${sample.places.length} places drawn → ${out}`);
  for (const f of FOLDERS) {
    console.log(`  src/${f}: ${drawn(f).length} of ${sample.population[f].places} places, ${drawn(f).reduce((s, p) => s + p.mutants, 0)} of ${sample.population[f].mutants} mutants`);
  }
}

/** A tested mutant's place, in the form `draw` writes (tested mutants report 1-based lines and columns). */
function placeOf(m) {
  const { start, end } = m.location;
  return `${sourcePath(m.fileName)}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`;
}

function score() {
  const file = rest[0] ?? 'reports/mutation/sample.json';
  const dir = rest[1] ?? 'reports/mutation/sample/events';
  const sample = JSON.parse(readFileSync(file, 'utf8'));
  // place → counts of its mutants' outcomes
  const tallies = new Map(sample.places.map((p) => [p.range, { planned: p.mutants, detected: 0, survived: 0, noCoverage: 0, other: 0 }]));
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('-onMutantTested.json')) continue;
      const m = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const t = tallies.get(placeOf(m));
      if (t === undefined || m.status === 'Ignored') continue; // a node between two drawn ones: tested, not counted
      if (m.status === 'Killed' || m.status === 'Timeout') t.detected++;
      else if (m.status === 'Survived') t.survived++;
      else if (m.status === 'NoCoverage') t.noCoverage++;
      else t.other++;
    }
  }
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  console.log(`seed ${sample.seed}, ${sample.perFolder} places per folder, drawn from ${sample.planFile}`);
  console.log(['folder', 'places drawn', 'mutants in them', 'tested', 'detected', 'survived', 'no coverage', 'score', '95 % interval'].join(' | '));
  for (const folder of FOLDERS) {
    const places = [...tallies].filter(([range]) => range.startsWith(`src/${folder}/`)).map(([, t]) => t);
    const sum = (ts, k) => ts.reduce((s, t) => s + t[k], 0);
    const valid = (ts) => sum(ts, 'detected') + sum(ts, 'survived') + sum(ts, 'noCoverage');
    const ratio = (ts) => sum(ts, 'detected') / valid(ts);
    // Percentile bootstrap over places (seeded): the places were drawn, so they are what is resampled.
    const next = random(sample.seed + 1);
    const tested = places.filter((t) => valid([t]) > 0);
    const boots = [];
    for (let b = 0; b < 2000 && tested.length > 0; b++) {
      const pick = Array.from({ length: tested.length }, () => tested[Math.floor(next() * tested.length)]);
      boots.push(ratio(pick));
    }
    boots.sort((a, b) => a - b);
    const v = valid(places);
    console.log([`src/${folder}`, places.length, sum(places, 'planned'), v + sum(places, 'other'), sum(places, 'detected'), sum(places, 'survived'),
      sum(places, 'noCoverage'), v ? pct(ratio(places)) : '—', v ? `${pct(boots[49])}–${pct(boots[1949])}` : '—'].join(' | '));
  }
}

if (command === 'draw') draw();
else if (command === 'score') score();
else throw new Error('usage: mutation-sample.mjs draw <plan-events-dir> ... | score [FILE] [events-dir]');
