// Property-based tests of the command's argument parser (src/cli/args.ts) with the flags of `pixprep train`:
// any argv gives flags of the declared kinds and ranges (checked against a plain re-reading of the same argv), or a
// UsageError naming the command and the option or argument; argv is never changed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError, type FlagSpec } from '../../src/cli/args.js';
import { attempt, copyOf, expectUnchanged, params } from './fuzz.js';

// The shape of `pixprep train`'s flags (src/cli/commands.ts): one of each kind.
const SPECS: Record<string, FlagSpec> = {
  data: { kind: 'string', default: 'mnist', placeholder: 'DIR', help: '' },
  epochs: { kind: 'int', min: 1, default: 5, help: '' },
  seed: { kind: 'int', min: 0, default: 1, help: '' },
  limit: { kind: 'int', min: 1, default: null, help: '' },
  'zca-epsilon': { kind: 'number', min: 0, exclusive: true, default: 0.1, help: '' },
  scaling: { kind: 'choice', choices: ['normalize', 'center', 'standardize'], default: 'standardize', help: '' },
  json: { kind: 'bool', help: '' },
};

const VALUES = ['3', '0', '-1', '1e3', '0x10', '', ' ', '1.5', '9007199254740993', 'NaN', 'Infinity', '--', 'normalize', 'center', '5e-324', 'é', '--json'];
const names = fc.constantFrom(...Object.keys(SPECS), 'epoch', 'zca_epsilon', 'help2', 'x');
const token = fc.oneof(
  names.map((n) => `--${n}`),
  fc.tuple(names, fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 6 }))).map(([n, v]) => `--${n}=${v}`),
  fc.constantFrom(...VALUES),
  fc.string({ maxLength: 8 }),
);

/** The value a flag's text should give, by the flag's declaration: the reference the parser is checked against. */
function expected(spec: FlagSpec, text: string): number | string | boolean {
  switch (spec.kind) {
    case 'int': return Number(text);
    case 'number': return Number(text);
    case 'bool': return true;
    default: return text;
  }
}

function check(argv: string[], specs: Record<string, FlagSpec>): void {
  const copy = copyOf(argv);
  const flags = attempt(() => parseFlags('train', argv, specs), ['pixprep train:'], ['--', "'"]);
  expectUnchanged(argv, copy);
  if (flags === undefined) {
    try {
      parseFlags('train', argv, specs);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
    }
    return;
  }
  expect(Object.keys(flags).sort()).toEqual(Object.keys(specs).sort());
  // Re-read argv plainly: the last occurrence of each flag wins.
  const last: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf('=');
    const name = eq < 0 ? argv[i].slice(2) : argv[i].slice(2, eq);
    expect(Object.prototype.hasOwnProperty.call(specs, name)).toBe(true);
    last[name] = specs[name].kind === 'bool' ? true : eq < 0 ? argv[++i] : argv[i].slice(eq + 1);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = flags[name];
    if (name in last) expect(value).toBe(expected(spec, last[name] as string));
    if (spec.kind === 'int' && value !== null) expect(Number.isSafeInteger(value) && (value as number) >= spec.min).toBe(true);
    if (spec.kind === 'number') expect(Number.isFinite(value) && (spec.exclusive ? (value as number) > spec.min : (value as number) >= spec.min)).toBe(true);
    if (spec.kind === 'choice') expect(spec.choices).toContain(value);
  }
}

describe('fuzz: the command\'s argument parser', () => {
  it('gives flags of the declared kinds, or a UsageError naming the command and the option', () => {
    fc.assert(fc.property(fc.array(token, { maxLength: 6 }), (argv) => check(argv, SPECS)), params(1000));
  });

  it('refuses option names that are members of Object.prototype', () => {
    const proto = fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf');
    fc.assert(fc.property(proto, fc.boolean(), (name, inline) => {
      const argv = inline ? [`--${name}=1`] : [`--${name}`, '1'];
      expect(() => parseFlags('train', argv, SPECS)).toThrow(`pixprep train: unknown option --${name}`);
    }), params(50));
  });
});
