// Merging generators fit on separate shards of one data set (ImageDataGenerator.merge): the statistics combine exactly
// (moments.ts, zca.ts: Chan et al.'s pairwise formulas), but only when every shard was fit with the same options —
// a shard fit after `rescale: 1/255` next to one fit on raw bytes would merge into statistics of neither. This file
// holds that check; the arithmetic is in moments.ts and zca.ts.
import type { ResolvedOptions } from './options.js';

type SerialOptions = Omit<ResolvedOptions, 'preprocessingFunction'>;

/** `value` as an option is written in a message (`rescale=0.00392…`, `zoomRange=[0.9,1.1]`). */
function shown(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/**
 * Throws an Error naming the first option on which `options[i]` differs from `options[0]` (both values, and which
 * arguments). Options are compared as their JSON, the form in which shards travel between processes.
 */
export function checkSameOptions(where: string, options: readonly SerialOptions[]): void {
  const first = options[0] as unknown as Record<string, unknown>;
  for (let i = 1; i < options.length; i++) {
    const other = options[i] as unknown as Record<string, unknown>;
    for (const name of new Set([...Object.keys(first), ...Object.keys(other)])) {
      if (shown(first[name]) !== shown(other[name])) {
        throw new Error(`${where}: every generator must have the same options; \`${name}\` differs: argument 0 has ` +
          `${name}=${shown(first[name])}, argument ${i} has ${name}=${shown(other[name])}`);
      }
    }
  }
}
