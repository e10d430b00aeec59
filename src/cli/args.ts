// A small, strict command-line parser: every flag is declared with its type and range, `--flag value` and
// `--flag=value` both work, and an unknown flag or a bad value is an error that names it (exit code 2).

export class UsageError extends Error {}

export type FlagSpec =
  | { kind: 'int'; min: number; default: number | null; help: string }
  | { kind: 'choice'; choices: readonly string[]; default: string; help: string }
  | { kind: 'string'; default: string | null; help: string; placeholder: string }
  /** `exclusive`: the value must be greater than `min` (a `> 0` that Number.MIN_VALUE would print as `>= 5e-324`). */
  | { kind: 'number'; min: number; exclusive?: boolean; default: number; help: string }
  | { kind: 'bool'; help: string };

export type Flags = Record<string, number | string | boolean | null>;

export function parseFlags(command: string, argv: readonly string[], specs: Record<string, FlagSpec>): Flags {
  const flags: Flags = {};
  for (const [name, spec] of Object.entries(specs)) flags[name] = spec.kind === 'bool' ? false : spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`pixprep ${command}: unexpected argument '${arg}' (see pixprep ${command} --help)`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    // Own properties only: `--constructor` or `--__proto__` must be unknown options, not Object.prototype's members.
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) throw new UsageError(`pixprep ${command}: unknown option --${name} (see pixprep ${command} --help)`);
    if (spec.kind === 'bool') {
      if (eq >= 0) throw new UsageError(`pixprep ${command}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`pixprep ${command}: --${name} needs a value`);
    flags[name] = parseValue(command, name, spec, value);
  }
  return flags;
}

function parseValue(command: string, name: string, spec: Exclude<FlagSpec, { kind: 'bool' }>, value: string): number | string {
  switch (spec.kind) {
    case 'int': {
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < spec.min) {
        throw new UsageError(`pixprep ${command}: --${name} must be an integer >= ${spec.min}. Received: ${value}`);
      }
      return n;
    }
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n < spec.min || (spec.exclusive === true && n === spec.min)) {
        throw new UsageError(`pixprep ${command}: --${name} must be a number ${spec.exclusive ? '>' : '>='} ${spec.min}. Received: ${value}`);
      }
      return n;
    }
    case 'choice':
      if (!spec.choices.includes(value)) {
        throw new UsageError(`pixprep ${command}: --${name} must be one of ${spec.choices.join(', ')}. Received: ${value}`);
      }
      return value;
    default:
      if (value === '') throw new UsageError(`pixprep ${command}: --${name} needs a non-empty value`);
      return value;
  }
}

export function usage(command: string, summary: string, specs: Record<string, FlagSpec>): string {
  const lines = [`Usage: pixprep ${command} [options]`, '', summary, '', 'Options:'];
  for (const [name, spec] of Object.entries(specs)) {
    const value = spec.kind === 'bool' ? '' : spec.kind === 'choice' ? ` ${spec.choices.join('|')}` : spec.kind === 'string' ? ` ${spec.placeholder}` : ' N';
    const def = spec.kind === 'bool' || spec.default === null ? '' : ` (default ${spec.default})`;
    lines.push(`  --${(name + value).padEnd(46)} ${spec.help}${def}`);
  }
  lines.push(`  --${'help'.padEnd(46)} show this help`);
  return lines.join('\n');
}
