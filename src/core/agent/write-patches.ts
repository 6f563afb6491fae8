// Patch generation, the agent's second phase: per candidate, the model writes edit blocks for the
// located code; they are applied in memory by the robust applier (retries with feedback on failure)
// and the diff is confirmed with git in a throwaway checkout. The user's tree is only read.
import { readFile } from 'node:fs/promises';
import type { WorkspaceIndex } from '../index/workspace-index';
import type { ChatMessage } from '../llm/types';
import { NotAGitRepoError } from '../runner/checkout';
import { applyModelOutput, type FileSource } from './apply/apply';
import { confirmInCheckout, unifiedDiff } from './apply/diff';
import { resolveInside } from './apply/safe-paths';
import { splitText } from './apply/text';
import type { AgentRun } from './agent-run';
import type { BugLocation } from './events';
import { PATCH_SYSTEM, patchUserMessage } from './prompts';
import type { Candidate } from './run-agent';

export async function writePatches(run: AgentRun, repoReal: string, index: WorkspaceIndex, locations: BugLocation[]): Promise<{ candidates: Candidate[]; baseCommit?: string; error?: string }> {
  const { opts } = run;
  const maxRetries = opts.maxPatchRetries ?? 3;
  const nCandidates = Math.max(1, opts.candidates ?? 1);
  const candidates: Candidate[] = [];
  let baseCommit: string | undefined;
    const source = workingTreeSource(repoReal, () => index.files().map((f) => f.path));
    const code = new Map<string, string>();
    for (const l of locations) {
      const text = (await source.read(l.file)) ?? '';
      const lines = splitText(text).lines;
      const end = Math.min(l.endLine, l.startLine + 399);
      code.set(`${l.file}:${l.startLine}`, lines.slice(l.startLine - 1, end).join('\n') + (end < l.endLine ? '\n… (truncated)' : ''));
    }
    const seen = new Set<string>();
    let dearest = 0;
    for (let c = 0; c < nCandidates; c++) {
      // more candidates only while the budget covers another one as dear as the dearest so far
      if (c > 0 && run.ledger.remaining() < dearest * 1.2) {
        run.emit({ type: 'note', message: `Stopped at ${c} of ${nCandidates} candidate(s): the budget left ($${run.ledger.remaining().toFixed(4)}) would not cover another (the dearest cost $${dearest.toFixed(4)}).` });
        break;
      }
      const spentBefore = run.ledger.totals.costUsd;
      const temperature = c === 0 ? (opts.temperature ?? 0) : Math.min(1, 0.5 + 0.1 * c);
      const pm: ChatMessage[] = [{ role: 'user', content: patchUserMessage(opts.issue, locations, code) }];
      run.traj.patch.push({ candidate: c, temperature, system: PATCH_SYSTEM, messages: pm });
      for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
        const res = await run.call({ system: PATCH_SYSTEM, messages: pm, temperature, cachePrefixMessages: 1 }, { phase: 'patch', candidate: c, attempt });
        pm.push(res.message);
        const out = await applyModelOutput(res.text, source, { fuzzyThreshold: opts.fuzzyThreshold });
        // a reply cut at the size limit is told so, whatever else went wrong with it
        let feedback = res.oversize && !out.ok ? `${res.oversize}\n${out.feedback}` : out.feedback;
        let ok = out.ok;
        let diff = '';
        let files: string[] = [];
        if (ok) {
          try {
            const confirmed = await confirmInCheckout(repoReal, out.changes, opts.signal);
            diff = confirmed.diff;
            files = confirmed.files;
            baseCommit = confirmed.baseCommit;
          } catch (e) {
            run.checkAbort();
            if (e instanceof NotAGitRepoError) {
              diff = unifiedDiff(out.changes);
              files = out.changes.map((x) => x.rel);
              run.emit({ type: 'error', message: `${e.message} The diff was not confirmed with git.`, recoverable: true });
            } else {
              ok = false;
              feedback = `The edits applied in memory but the resulting diff did not apply with git: ${(e as Error).message}`;
            }
          }
        }
        run.traj.applyAttempts.push({ candidate: c, attempt, ok, results: out.results, errors: out.errors, feedback });
        const strategies = [...new Set(out.results.filter((r) => r.ok && r.strategy).map((r) => r.strategy))].join(',');
        run.emit({ type: 'edit-attempt', attempt, ok, message: ok ? out.results.map((r) => r.message).join('\n') : feedback, strategy: strategies || undefined });
        if (ok) {
          if (!seen.has(diff)) {
            seen.add(diff);
            const cand: Candidate = { id: `c${candidates.length + 1}`, diff, files, temperature, attempts: attempt };
            candidates.push(cand);
            run.traj.candidates.push(cand);
            run.emit({ type: 'candidate', id: cand.id, diff });
          }
          break;
        }
        if (attempt <= maxRetries) pm.push({ role: 'user', content: `Your edits could not be applied:\n${feedback}\n\nSend corrected edit blocks (all of them).` });
      }
      dearest = Math.max(dearest, run.ledger.totals.costUsd - spentBefore);
    }
  return { candidates, baseCommit, error: candidates.length ? undefined : `No applicable patch after ${maxRetries + 1} attempt(s) per candidate.` };
}

/** Reads the user's files (read-only), refusing anything that resolves outside the repository. */
export function workingTreeSource(repoReal: string, list: () => string[]): FileSource {
  return {
    async read(rel: string) {
      const r = await resolveInside(repoReal, rel);
      if (!r.ok) return undefined;
      try {
        return await readFile(r.abs, 'utf8');
      } catch {
        return undefined;
      }
    },
    list,
  };
}
