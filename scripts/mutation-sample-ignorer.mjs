// The StrykerJS ignorer of a sampled mutation run (scripts/mutation-sample.mjs): inside the drawn source ranges,
// leaves out every node that is neither a drawn place nor around one, so that a drawn range does not bring in the
// mutants of the nodes nested in it. An ignorer sees no file name: a node is kept if its span equals or contains a
// drawn span of any file (a coincidence across files only adds a mutant that is tested and not counted).
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { readFileSync } from 'node:fs';

const RANGE = /:(\d+):(\d+)-(\d+):(\d+)$/;
const file = process.env.PIXPREP_MUTATE_SAMPLE;
// Spans as [startLine, startColumn, endLine, endColumn], 0-based lines (Babel's are 1-based), 0-based columns.
const spans = file === undefined ? [] : JSON.parse(readFileSync(file, 'utf8')).places.map(({ range }) => {
  const [, l0, c0, l1, c1] = RANGE.exec(range).map(Number);
  return [l0 - 1, c0, l1 - 1, c1];
});
const before = (l0, c0, l1, c1) => l0 < l1 || (l0 === l1 && c0 <= c1);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'pixprep-sample', {
    shouldIgnore(path) {
      const loc = path.node.loc;
      if (!loc) return undefined;
      const [l0, c0, l1, c1] = [loc.start.line - 1, loc.start.column, loc.end.line - 1, loc.end.column];
      const keep = spans.some(([s0, t0, s1, t1]) => before(l0, c0, s0, t0) && before(s1, t1, l1, c1));
      return keep ? undefined : 'not in the drawn sample (scripts/mutation-sample.mjs)';
    },
  }),
];
