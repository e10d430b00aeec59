// readCsv for a file path (Node) or text: the records flowFromDataframe takes.
import { parseCsv } from './csv.js';

export async function readCsv(pathOrText: string, options: { text?: boolean } = {}): Promise<Record<string, string>[]> {
  if (typeof pathOrText !== 'string') throw new TypeError(`readCsv: expected a file path or CSV text. Received: ${typeof pathOrText}`);
  if (options.text === true) return parseCsv(pathOrText, 'the CSV text');
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(pathOrText, 'utf8');
  } catch (cause) {
    throw new Error(`readCsv: cannot read ${JSON.stringify(pathOrText)} (${(cause as { code?: string }).code ?? (cause as Error).message})`, { cause });
  }
  return parseCsv(text, pathOrText);
}
