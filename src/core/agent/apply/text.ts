// A file as lines plus what must survive an edit: its line ending and whether it ends in a newline.

export interface FileText {
  lines: string[];
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

export function splitText(text: string): FileText {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  const eol = crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
  const finalNewline = text.endsWith('\n');
  const body = finalNewline ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  const lines = text === '' ? [] : body.split(/\r?\n/);
  return { lines, eol, finalNewline: text === '' ? true : finalNewline };
}

export function joinText(ft: FileText): string {
  if (ft.lines.length === 0) return '';
  return ft.lines.join(ft.eol) + (ft.finalNewline ? ft.eol : '');
}

/** Lines of an edit's SEARCH/REPLACE text (which the model writes with \n). */
export function editLines(s: string): string[] {
  if (s === '') return [];
  return s.replace(/\r\n/g, '\n').split('\n');
}
