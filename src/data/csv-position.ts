import { closeSync, openSync, readSync } from 'node:fs';

/** Bytes of a record read to find a field in it: a longer record points at its first line. */
const WINDOW_BYTES = 1 << 20;

/**
 * The 1-based line and column of field `field` of the record that starts at byte `start`, as an
 * editor shows them (lines counted by `\n`, so a quoted newline starts a new line; the column in
 * characters), with the text of that line. Only called for a message, so it reads the file again rather than keeping the
 * position of every field while streaming. A field past the record's end points at its end.
 */
export function fieldPosition(file: string, start: number, field: number, delimiter: string): { line: number; col: number; text: string } {
  const fd = openSync(file, 'r');
  try {
    const window = Buffer.alloc(WINDOW_BYTES);
    const text = window
      .subarray(0, readSync(fd, window, 0, WINDOW_BYTES, start))
      .toString('utf8')
      .replace(/^\ufeff/, '');
    let at = 0;
    // Blank lines skipped before the record belong to the bytes between records.
    while (text[at] === '\r' || text[at] === '\n') at++;
    let index = 0;
    let quoted = false;
    let fieldStart = true;
    while (index < field && at < text.length) {
      const c = text[at]!;
      if (quoted) {
        if (c === '"' && text[at + 1] === '"') at++;
        else if (c === '"') quoted = false;
      } else if (c === '"' && fieldStart) {
        quoted = true;
      } else if (text.startsWith(delimiter, at)) {
        index++;
        at += delimiter.length;
        fieldStart = true;
        continue;
      } else if (c === '\r' || c === '\n') {
        break;
      }
      fieldStart = false;
      at++;
    }
    const before = text.slice(0, at);
    const line = 1 + countNewlines(fd, start) + before.split('\n').length - 1;
    const lineStart = before.lastIndexOf('\n') + 1;
    const lineEnd = text.slice(lineStart).search(/\r?\n|$/);
    return { line, col: at - lineStart + 1, text: text.slice(lineStart, lineStart + lineEnd) };
  } finally {
    closeSync(fd);
  }
}

/** `\n` bytes in the file before byte `end`. */
function countNewlines(fd: number, end: number): number {
  const chunk = Buffer.alloc(Math.min(WINDOW_BYTES, Math.max(1, end)));
  let count = 0;
  for (let at = 0; at < end; ) {
    const read = readSync(fd, chunk, 0, Math.min(chunk.length, end - at), at);
    if (read === 0) break;
    for (let i = 0; i < read; i++) if (chunk[i] === 0x0a) count++;
    at += read;
  }
  return count;
}
