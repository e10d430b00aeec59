// readCsv: a CSV file or text as records (one object per row, keyed by the header), for flowFromDataframe.
// RFC 4180: fields separated by commas, rows by CRLF or LF; a field in double quotes may hold commas, line breaks
// and doubled quotes ("" is one "). Every value stays a string. A row with a different field count than the header
// is an error naming its line, never a silently shifted column.

export function parseCsv(text: string, name = 'CSV'): Record<string, string>[] {
  if (typeof text !== 'string') throw new TypeError(`readCsv: ${name} must be text. Received: ${typeof text}`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark is not part of the first column's name
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let i = 0;
  const endRow = () => {
    fields.push(field);
    field = '';
    // A line with nothing on it (a blank line, or the file's final newline) is not a row.
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ fields, line: rowLine });
    fields = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new Error(`readCsv: ${name}, line ${line}: a quoted field must end at a comma or the end of the row; found ${JSON.stringify(text[i])} after the closing quote`);
        }
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new Error(`readCsv: ${name}, line ${line}: a quote inside an unquoted field (quote the whole field and double the quote: "a""b")`);
      quoted = true;
      i++;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new Error(`readCsv: ${name}: a quoted field opened on line ${rowLine} is never closed`);
  if (field !== '' || fields.length > 0) endRow();
  if (rows.length === 0) throw new Error(`readCsv: ${name} is empty (no header row)`);
  const header = rows[0].fields;
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new Error(`readCsv: ${name}: the header names column ${JSON.stringify(h)} twice`);
    seen.add(h);
  }
  return rows.slice(1).map(({ fields: f, line: at }) => {
    if (f.length !== header.length) {
      throw new Error(`readCsv: ${name}, line ${at}: ${f.length} fields, but the header has ${header.length} (${header.join(', ')})`);
    }
    return Object.fromEntries(header.map((h, k) => [h, f[k]]));
  });
}
