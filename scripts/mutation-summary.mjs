// Summarises a mutation run from its event files (stryker.config.mjs writes one per mutant as it is tested), so that
// a run cut short, or one still going, reports what it has found: per file and per folder, the mutants tested, killed
// (or timed out), survived and not covered, and the mutation score (detected / (detected + survived + no coverage)).
//   node scripts/mutation-summary.mjs [reports/mutation/<name>/events ...]
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dirs = process.argv.length > 2 ? process.argv.slice(2)
  : ['all', 'generator', 'nn'].map((n) => `reports/mutation/${n}/events`).filter((d) => existsSync(d));
if (dirs.length === 0) throw new Error('no event folder given or found under reports/mutation/*/events: run `npm run mutate` first');

const rows = new Map();
const planned = new Map(); // file → mutants to run (static ones, skipped, are not planned)
for (const dir of dirs) {
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('-onMutationTestingPlanReady.json')) {
      for (const p of JSON.parse(readFileSync(join(dir, file), 'utf8')).mutantPlans) {
        if (p.mutant.status !== 'Ignored') planned.set(p.mutant.fileName, (planned.get(p.mutant.fileName) ?? 0) + 1);
      }
    }
    if (!file.endsWith('-onMutantTested.json')) continue;
    const m = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (m.status === 'Ignored') continue;
    const row = rows.get(m.fileName) ?? { tested: 0, detected: 0, survived: 0, noCoverage: 0, other: 0 };
    row.tested++;
    if (m.status === 'Killed' || m.status === 'Timeout') row.detected++;
    else if (m.status === 'Survived') row.survived++;
    else if (m.status === 'NoCoverage') row.noCoverage++;
    else row.other++;
    rows.set(m.fileName, row);
  }
}
const score = (r) => {
  const valid = r.detected + r.survived + r.noCoverage;
  return valid === 0 ? '—' : `${((100 * r.detected) / valid).toFixed(1)} %`;
};
const total = (filter) => {
  const t = { tested: 0, detected: 0, survived: 0, noCoverage: 0, other: 0 };
  for (const [name, r] of rows) if (filter(name)) for (const k of Object.keys(t)) t[k] += r[k];
  return t;
};
const line = (name, r, of) => `${name.padEnd(40)} ${`${r.tested}/${of}`.padStart(10)} ${String(r.detected).padStart(8)} ` +
  `${String(r.survived).padStart(8)} ${String(r.noCoverage).padStart(8)} ${score(r).padStart(8)}`;
console.log(`${'file'.padEnd(40)} ${'tested'.padStart(10)} ${'detected'.padStart(8)} ${'survived'.padStart(8)} ` +
  `${'no cover'.padStart(8)} ${'score'.padStart(8)}`);
const short = (name) => name.replace(/^.*?(src\/)/, '$1');
const files = [...new Set([...planned.keys(), ...rows.keys()])].sort();
const empty = { tested: 0, detected: 0, survived: 0, noCoverage: 0, other: 0 };
for (const name of files) console.log(line(short(name), rows.get(name) ?? empty, planned.get(name) ?? '?'));
const complete = (name) => (rows.get(name)?.tested ?? 0) === planned.get(name);
for (const folder of ['src/generator/', 'src/nn/']) {
  const inFolder = files.filter((n) => n.includes(folder));
  const of = inFolder.reduce((s, n) => s + (planned.get(n) ?? 0), 0);
  console.log(line(`${folder} all tested so far`, total((n) => n.includes(folder)), of));
  const done = inFolder.filter(complete);
  console.log(line(`${folder} ${done.length} complete files`, total((n) => done.includes(n)), done.reduce((s, n) => s + planned.get(n), 0)));
}
