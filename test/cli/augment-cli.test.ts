// The augmentation flags of `pixprep train` and `pixprep compare`, as a user runs them (the built CLI, a subprocess).
import { describe, expect, it } from 'vitest';
import { runNode } from '../run-node.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const run = (...args: string[]) => runNode(CLI, args);

describe('pixprep augmentation flags', () => {
  it('train --rotation --shift --zoom --shear --flip --fill-mode records the augmentation and changes the training', async () => {
    const args = ['train', '--limit', '256', '--epochs', '1', '--json'];
    const plain = await run(...args);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).augment).toBeNull();
    const { code, stdout, stderr } = await run(...args, '--rotation', '10', '--shift', '0.1', '--zoom', '0.1', '--shear', '5', '--flip', 'horizontal', '--fill-mode', 'constant');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.augment).toEqual({
      rotationRange: 10, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1, shearRange: 5, horizontalFlip: true, verticalFlip: false, fillMode: 'constant',
    });
    // Same seed, same data: the transforms changed what the network saw.
    expect(result.testLoss).not.toBe(JSON.parse(plain.stdout).testLoss);
  });

  it('compare --augment adds a standardize+augment row', async () => {
    const { code, stdout, stderr } = await run('compare', '--limit', '128', '--epochs', '1', '--augment');
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('== standardize+augment ==');
    expect(stdout).toContain('Augmentation: {"rotationRange":10,"widthShiftRange":0.1,"heightShiftRange":0.1,"zoomRange":0.1,"fillMode":"nearest"}');
    expect(stdout).toMatch(/^standardize\+augment +\d+\.\d{3}/m);
  });

  it('rejects bad values with the flag named (exit code 2) and lists the flags in --help', async () => {
    const bad = await run('train', '--fill-mode', 'mirror');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pixprep train: --fill-mode must be one of nearest, constant, reflect, wrap. Received: mirror');
    const negative = await run('compare', '--rotation', '-5');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('pixprep compare: --rotation must be a number >= 0. Received: -5');
    const help = await run('compare', '--help');
    for (const flag of ['--augment', '--rotation N', '--shift N', '--zoom N', '--shear N', '--flip none|horizontal|vertical|both', '--fill-mode nearest|constant|reflect|wrap']) {
      expect(help.stdout).toContain(flag);
    }
  });
});
