// The part of a unified diff the user accepted: its file headers and the chosen hunks, as a patch
// `git apply` takes. A hunk left out does not move the ones after it: each hunk is placed by its old
// line numbers and its context, which an earlier hunk's absence does not change. Hunk bodies are
// consumed by the counts in their @@ line, so a removed line that reads "--- x" is not a header.

const HUNK = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/** `keep(file, hunkIndex)`: file is the path relative to the root (the new name, or the old one for a deletion). */
export function selectHunks(diff: string, keep: (file: string, hunk: number) => boolean): string {
  const lines = diff.split('\n');
  const out: string[] = [];
  let header: string[] = [];
  let headerOut = false;
  let file = '';
  let oldName = '';
  let hunk = -1;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const m = HUNK.exec(line);
    if (!m) {
      // a header line: "diff --git" or "---" starts a new file after hunks
      if (hunk >= 0 && (line.startsWith('diff --git ') || line.startsWith('--- '))) {
        header = [];
        headerOut = false;
        hunk = -1;
        file = '';
      }
      if (line.startsWith('--- ')) oldName = strip(line.slice(4));
      if (line.startsWith('+++ ')) {
        const n = strip(line.slice(4));
        file = n === '/dev/null' ? oldName : n;
      }
      if (line !== '' || i < lines.length - 1) header.push(line);
      i++;
      continue;
    }
    hunk++;
    let oldLeft = m[1] === undefined ? 1 : Number(m[1]);
    let newLeft = m[2] === undefined ? 1 : Number(m[2]);
    const body = [line];
    i++;
    while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i].startsWith('\\'))) {
      const l = lines[i];
      if (l.startsWith('\\')) body.push(l);
      else if (l.startsWith('-')) (oldLeft--, body.push(l));
      else if (l.startsWith('+')) (newLeft--, body.push(l));
      else if (l.startsWith(' ') || l === '') (oldLeft--, newLeft--, body.push(l.startsWith(' ') ? l : ' '));
      else break;
      i++;
    }
    if (keep(file, hunk)) {
      if (!headerOut) out.push(...header);
      headerOut = true;
      out.push(...body);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function strip(name: string): string {
  const n = name.replace(/\t.*$/, '').trim();
  return n === '/dev/null' ? n : n.replace(/^[ab]\//, '');
}
