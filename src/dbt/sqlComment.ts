// Messages in a SQL document (the compiled SQL view) are line comments. A name from the manifest,
// a message or a translation may hold a line break; each line is commented on its own, so none
// can end the comment and put the rest into the document as SQL.

// Line breaks, with the Unicode ones that some editors and SQL tools also end a line at.
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/;

/** `text` as `-- ` line comments, each line ending in `\n`. */
export function sqlComment(text: string): string {
  return text
    .split(LINE_BREAK)
    .map((line) => `-- ${line}\n`)
    .join('');
}
