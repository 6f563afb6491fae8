// What "Fix This Issue" asks the user before a run: the issue text (arguments, the selection, a file,
// or an input box), an optional failing test, and whether the last test run's failures are the oracle.
// Each prompt answers undefined when the user closes it.
import * as vscode from 'vscode';
import { checkIssueText, resolveIssue, urlOnly, urlRefusal } from './logic/issue-source';
import type { WorkspaceAccess } from './workspace-access';

/** `ref`: a GitHub issue to fetch (URL, owner/repo#N, #N) instead of text. */
export type IssueAnswer = { text: string; source: string } | { ref: string } | { error: string };

export async function askIssue(workspace: WorkspaceAccess, given: { issueText?: string; issueFile?: string }): Promise<IssueAnswer | undefined> {
  const reader = { read: async (p: string) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(workspace.absPath(p)))) };
  const ed = vscode.window.activeTextEditor;
  const selection = ed && !ed.selection.isEmpty ? ed.document.getText(ed.selection) : undefined;
  const r = await resolveIssue({ issueText: given.issueText, issueFile: given.issueFile, selection }, reader);
  if (r) return r.ok ? (r.ref ? { ref: r.ref } : { text: r.text, source: r.source }) : { error: r.message };
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(edit) Type or paste the issue', id: 'input' },
      { label: '$(file) From a Markdown or text file…', id: 'file' },
    ],
    { title: 'Rover: Fix This Issue', placeHolder: 'Where is the issue text?' },
  );
  if (!pick) return undefined;
  if (pick.id === 'file') {
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Issue text': ['md', 'markdown', 'txt', 'rst'] }, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
    if (!uris?.length) return undefined;
    const f = await resolveIssue({ issueFile: uris[0].fsPath }, reader);
    return f && f.ok ? { text: f.text, source: 'file' } : { error: f && !f.ok ? f.message : 'No file chosen.' };
  }
  const text = await vscode.window.showInputBox({
    title: 'Rover: Fix This Issue',
    prompt: 'Describe the problem (paste the issue text), or give a GitHub issue: its URL or #N',
    placeHolder: 'e.g. Bulk discount not applied when ordering exactly 10 units',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const url = urlOnly(v);
      return url ? urlRefusal(url) : undefined;
    },
  });
  if (text === undefined) return undefined;
  const c = checkIssueText(text, 'input');
  return c.ok ? (c.ref ? { ref: c.ref } : { text: c.text, source: 'input' }) : { error: c.message };
}

/** '' when the user skips it. */
export function askFailingTest(): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Rover: Fix This Issue (optional)',
    prompt: 'A failing test that shows the bug, if you have one (press Enter to skip)',
    placeHolder: 'tests/test_pricing.py::test_bulk_discount_at_threshold',
    ignoreFocusOut: true,
  });
}

/** The failures of the last test run the user picks as this fix's oracle ([]: none). */
export async function pickLastRunFailures(failures: string[]): Promise<string[] | undefined> {
  const none = { label: '$(beaker) None: write a reproduction test from the issue', id: '' };
  const picks = await vscode.window.showQuickPick([...failures.map((f) => ({ label: f, id: f, picked: true })), none], {
    title: 'Rover: your last test run has failures — fix against them?',
    placeHolder: 'Pick the failing tests that show this issue, or none',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return picks?.map((p) => p.id).filter(Boolean);
}
