// The command-line parsing the profiling scripts share: `--name value` options and `--name` flags are taken out of
// the arguments as they are read, and what remains (`rest`) is positional (the dist folders to load).
export function scriptArgs(argv = process.argv.slice(2)) {
  const rest = [...argv];
  /** The text after `--name` (removed from rest), or the fallback. */
  const text = (name, fallback) => {
    const i = rest.indexOf(name);
    if (i < 0) return fallback;
    if (i + 1 >= rest.length) throw new Error(`${name} needs a value`);
    return rest.splice(i, 2)[1];
  };
  /** The number after `--name`, or the fallback. */
  const number = (name, fallback) => {
    const value = text(name, undefined);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new Error(`${name} must be a number, received ${JSON.stringify(value)}`);
    return n;
  };
  /** Whether `--name` was given (removed from rest). */
  const flag = (name) => {
    const i = rest.indexOf(name);
    if (i >= 0) rest.splice(i, 1);
    return i >= 0;
  };
  return { text, number, flag, rest };
}
