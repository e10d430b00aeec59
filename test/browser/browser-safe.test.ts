// The browser path stays browser-safe: nothing reachable from the public entry (src/index.ts) or from the demo
// page and its worker imports a Node built-in, directly or through another module. Node-only code lives behind
// src/node.ts. (The demo's production build would only warn about such an import; this fails.)
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = ['src/index.ts', 'demo/src/main.ts', 'demo/src/worker.ts'];
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module reachable from `entry` by static or literal dynamic imports, with the specifiers it imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [join(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const specifiers = [...source.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3]);
    graph.set(file, specifiers);
    for (const s of specifiers) {
      if (s.startsWith('.')) pending.push(join(dirname(file), s).replace(/\.js$/, '.ts'));
    }
  }
  return graph;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}

test.each(ENTRIES)('%s reaches no Node built-in', (entry) => {
  const graph = importGraph(entry);
  expect(graph.size, 'the walk found the modules').toBeGreaterThan(10);
  const offenders = [...graph].flatMap(([file, specifiers]) =>
    specifiers.filter(isNodeBuiltin).map((s) => `${relative(root, file)} imports ${s}`));
  expect(offenders).toEqual([]);
});

test('the walk does see Node imports where there are some', () => {
  const graph = importGraph('src/node.ts');
  const builtins = [...graph.values()].flat().filter(isNodeBuiltin);
  expect(builtins).toContain('node:fs');
});
