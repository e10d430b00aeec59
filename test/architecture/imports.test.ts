// src/ has no import cycle, type-only imports included: every module can be read (and loaded) after the modules it
// imports. A small scanner, not a bundler: it reads the static import/export specifiers of every .ts file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of `import … from`, `import type … from`, `export … from`, `import '…'` and `import('…')`. */
export function localImports(file: string, text: string): string[] {
  const specifiers = new Set<string>();
  const patterns = [/\b(?:import|export)\s[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) if (match[1].startsWith('.')) specifiers.add(match[1]);
  }
  return [...specifiers].map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('src/ imports', () => {
  const graph = new Map(files(SRC).map((file) => [file, localImports(file, readFileSync(file, 'utf8'))]));

  it('resolve to files that exist', () => {
    const missing = [...graph].flatMap(([file, deps]) => deps.filter((d) => !graph.has(d)).map((d) => `${relative(SRC, file)} → ${relative(SRC, d)}`));
    expect(missing).toEqual([]);
  });

  it('form no cycle, type-only imports included', () => {
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(SRC, f)) ?? null).toBeNull();
  });

  it('the scanner sees type-only and re-export edges, and finds a cycle through them', () => {
    const a = '/x/a.ts';
    expect(localImports(a, "import type { B } from './b.js';\nexport { C } from '../c.js';\nimport('./d.js');"))
      .toEqual(['/x/b.ts', '/c.ts', '/x/d.ts']);
    expect(localImports(a, "import type {\n  B,\n  C,\n} from './b.js';")).toEqual(['/x/b.ts']);
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', []]]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeNull();
  });
});
