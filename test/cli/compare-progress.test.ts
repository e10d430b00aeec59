// `pixprep compare`'s progress on a terminal: one line per training, redrawn in place on stderr (a fake terminal
// stream here), erased before every printed line; nothing on a stream that is not a terminal, and --json unchanged.
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';
import { firstImages } from '../../src/tutorial.js';
import { compareScalings, type CompareSettings } from '../../src/cli/compare.js';
import { ProgressLine } from '../../src/cli/progress-line.js';
import { runNode } from '../run-node.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/** A stream that records what is written to it; `isTTY` as given. */
function fakeStream(isTTY: boolean | undefined): { isTTY?: boolean; write(text: string): boolean; text: string } {
  return { isTTY, text: '', write(text: string) { this.text += text; return true; } };
}

const LINE = /\r(\w+): epoch (\d+)\/(\d+), batch (\d+)\/(\d+), loss (\d+\.\d{4})\x1b\[K/g;

describe('compare progress line', () => {
  it('is drawn only on a terminal', () => {
    expect(ProgressLine.on(fakeStream(true))).toBeInstanceOf(ProgressLine);
    expect(ProgressLine.on(fakeStream(false))).toBeNull();
    expect(ProgressLine.on(fakeStream(undefined))).toBeNull();
    expect(ProgressLine.on(undefined)).toBeNull();
  });

  it("shows the name, epoch, batch and the epoch's running loss (weighted by batch size), and always each epoch's last batch", () => {
    const stream = fakeStream(true);
    const line = new ProgressLine(stream);
    // Three batches of 4, 4 and 2 samples in epoch 0, then one batch in epoch 1: the mean restarts.
    line.batchEnd('center', 2, 0, 0, 3, { loss: 1, accuracy: 0, size: 4 });
    line.batchEnd('center', 2, 0, 1, 3, { loss: 2, accuracy: 0, size: 4 });
    line.batchEnd('center', 2, 0, 2, 3, { loss: 4, accuracy: 0, size: 2 });
    line.batchEnd('center', 2, 1, 0, 3, { loss: 0.5, accuracy: 0, size: 4 });
    const drawn = [...stream.text.matchAll(LINE)].map((m) => m.slice(1).join(' '));
    // An epoch's first and last batches are always drawn; the others at most every 100 ms.
    expect(drawn[0]).toBe('center 1 2 1 3 1.0000');
    expect(drawn).toContain(`center 1 2 3 3 ${((4 * 1 + 4 * 2 + 2 * 4) / 10).toFixed(4)}`);
    expect(drawn[drawn.length - 1]).toBe('center 2 2 1 3 0.5000');
    line.clear();
    expect(stream.text.endsWith('\r\x1b[K')).toBe(true);
    const before = stream.text.length;
    line.clear(); // nothing drawn since: nothing to erase
    expect(stream.text.length).toBe(before);
  });

  it('follows each training of compareScalings, erased before each printed line; the results are those without it', async () => {
    const { train, test } = loadMnist();
    const data = { train: firstImages(train, 128), test: firstImages(test, 64) };
    const settings: CompareSettings = { epochs: 2, batchSize: 64, zcaEpsilon: 0.1, firstSeed: 1, repeat: 1, json: false };
    const stream = fakeStream(true);
    const events: string[] = [];
    const printed: string[] = [];
    const withLine = await compareScalings(data, settings, (line) => {
      printed.push(line);
      events.push(`print ${stream.text.length}`);
    }, ProgressLine.on(stream));
    const silent = await compareScalings(data, settings, () => {}, null);
    expect(withLine.map((r) => r.testAccuracy)).toEqual(silent.map((r) => r.testAccuracy));
    expect(withLine.map((r) => r.testLoss)).toEqual(silent.map((r) => r.testLoss));

    const drawn = [...stream.text.matchAll(LINE)];
    expect([...new Set(drawn.map((m) => m[1]))]).toEqual(['normalize', 'center', 'standardize']);
    for (const name of ['normalize', 'center', 'standardize']) {
      for (const epoch of [1, 2]) {
        // Two batches per epoch (128 images of 64); the last one of each epoch is always drawn.
        const last = drawn.filter((m) => m[1] === name && m[2] === String(epoch) && m[4] === '2');
        expect(last, `${name} epoch ${epoch}`).toHaveLength(1);
        expect(last[0][3]).toBe('2');
        expect(last[0][5]).toBe('2');
        expect(Number(last[0][6])).toBeGreaterThan(0);
      }
    }
    // Every print came when the line was erased (the stream so far ends with the erase, or nothing was drawn yet).
    for (const e of events) {
      const upTo = stream.text.slice(0, Number(e.split(' ')[1]));
      expect(upTo === '' || upTo.endsWith('\r\x1b[K'), upTo.slice(-80)).toBe(true);
    }
    expect(printed.some((l) => l.startsWith('Test Accuracy: '))).toBe(true);
    expect(printed.join('\n')).not.toContain('\r');
    expect(stream.text.endsWith('\r\x1b[K'), 'erased at the end').toBe(true);
  });

  it('with --repeat, each line names the seed too', async () => {
    const { train, test } = loadMnist();
    const data = { train: firstImages(train, 64), test: firstImages(test, 32) };
    const stream = fakeStream(true);
    await compareScalings(data, { epochs: 1, batchSize: 64, zcaEpsilon: 0.1, firstSeed: 4, repeat: 2, json: false }, () => {},
      ProgressLine.on(stream));
    const names = [...stream.text.matchAll(/\r(\w+ seed \d+): epoch 1\/1, batch 1\/1, loss \d+\.\d{4}\x1b\[K/g)].map((m) => m[1]);
    expect(names).toEqual(['normalize seed 4', 'center seed 4', 'standardize seed 4', 'normalize seed 5', 'center seed 5', 'standardize seed 5']);
  });

  it('the command: --json prints the results alone on stdout; stderr, not a terminal here, gets no progress', async () => {
    const { code, stdout, stderr } = await runNode(CLI, ['compare', '--limit', '128', '--epochs', '1', '--json']);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const runs = JSON.parse(stdout) as { scaling: string }[];
    expect(runs.map((r) => r.scaling)).toEqual(['normalize', 'center', 'standardize']);
  });
});
