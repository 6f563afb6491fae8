// Context retrieval, the agent's first phase: the model searches the index through the search API
// (several calls a turn) until it reports the bug locations, which are resolved against the index.
// Bad JSON, wrong arguments and paths outside the repository come back to it as tool errors.
import { z } from 'zod';
import type { WorkspaceIndex } from '../index/workspace-index';
import type { ChatMessage, ToolCall, ToolResult, ToolSpec } from '../llm/types';
import { CodeSearch } from '../search/code-search';
import { renderOutcome } from '../search/render';
import { SEARCH_API_SPECS } from '../search/specs';
import type { AgentRun } from './agent-run';
import type { BugLocation } from './events';
import { resolveLocation, type ReportedLocation } from './locations';
import { localizationBlock, reproductionBlock, REPORT_TOOL_DESCRIPTION, repoSummary, RETRIEVE_SYSTEM, retrieveUserMessage } from './prompts';

const REPORT_TOOL = 'report_bug_locations';
const reportSchema = z.object({
  locations: z
    .array(
      z.object({
        file: z.string().optional().describe('Path relative to the repository root.'),
        class: z.string().optional().describe('Class name, when the code is in a class.'),
        method: z.string().optional().describe('Method or function name.'),
        intended_behavior: z.string().describe('What this code should do once the issue is fixed.'),
      }),
    )
    .min(1),
});

/** The bug locations the model reports (else the top suspects of localization), resolved in the index. */
export async function retrieveLocations(run: AgentRun, index: WorkspaceIndex): Promise<BugLocation[]> {
  const { opts } = run;
  const maxRounds = opts.maxRounds ?? 8;
  const maxCalls = opts.maxCallsPerRound ?? 6;
  let locations: BugLocation[] = [];
  const search = new CodeSearch(index);
  const summary = repoSummary(index.files());
  run.traj.repoSummary = summary;
    const tools: ToolSpec[] = [
      ...SEARCH_API_SPECS.map((s) => ({ name: s.name, description: s.description, schema: s.schema })),
      { name: REPORT_TOOL, description: REPORT_TOOL_DESCRIPTION, schema: reportSchema },
    ];
    run.traj.retrieve.tools = tools.map((x) => x.name);
    const messages: ChatMessage[] = [{ role: 'user', content: retrieveUserMessage(opts.issue, summary, localizationBlock(opts.suspects ?? []) + reproductionBlock(opts.reproduction)) }];
    run.traj.retrieve.messages = messages;

    const handleReport = (tc: ToolCall): { result: string; isError: boolean } => {
      const parsed = reportSchema.safeParse(tc.args);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
        return { result: `Invalid arguments for ${REPORT_TOOL}: ${problems}. Expected {"locations": [{"file", "class"?, "method"?, "intended_behavior"}]}.`, isError: true };
      }
      const ok: BugLocation[] = [];
      const bad: string[] = [];
      for (const l of parsed.data.locations as ReportedLocation[]) {
        const r = resolveLocation(index, l);
        if (r.ok) ok.push(r.location);
        else bad.push(r.error);
      }
      if (!ok.length) return { result: `None of the locations could be found: ${bad.join(' ')} Search again and report real files and names.`, isError: true };
      locations = ok;
      const lines = ok.map((l) => `${l.file}:${l.startLine}-${l.endLine} ${[l.className, l.method].filter(Boolean).join('.')} (${l.resolvedBy})`);
      return { result: `Recorded ${ok.length} location(s):\n${lines.join('\n')}${bad.length ? `\nIgnored: ${bad.join(' ')}` : ''}`, isError: false };
    };

    const runTools = (calls: ToolCall[], round: number): ToolResult[] => {
      const results: ToolResult[] = [];
      calls.forEach((tc, i) => {
        const started = Date.now();
        let result: string;
        let isError = false;
        if (i >= maxCalls) {
          result = `Not run: at most ${maxCalls} tool calls are executed per turn. Call it again in your next turn if you still need it.`;
          isError = true;
        } else if (tc.parseError) {
          result = `Your arguments for ${tc.name} were not valid JSON (${tc.parseError}). Send the call again with a JSON object of arguments.`;
          isError = true;
        } else if (tc.name === REPORT_TOOL) {
          ({ result, isError } = handleReport(tc));
        } else {
          const args = tc.args && typeof tc.args === 'object' && !Array.isArray(tc.args) ? (tc.args as Record<string, unknown>) : {};
          const outcome = search.call(tc.name, args);
          result = renderOutcome(outcome, { maxTokens: 3000 });
          isError = !!outcome.error;
          run.emit({
            type: 'search',
            round,
            api: tc.name,
            args,
            ok: outcome.ok,
            summary: outcome.message,
            hits: outcome.hits.slice(0, 20).map((h) => ({ file: h.file, line: h.startLine, symbol: h.symbol })),
          });
        }
        if (isError) run.emit({ type: 'error', message: `${tc.name}: ${result.split('\n')[0]}`, recoverable: true });
        results.push({ callId: tc.id, content: result, isError });
        run.traj.toolCalls.push({ round, id: tc.id, name: tc.name, args: tc.args, rawArgs: tc.rawArgs, parseError: tc.parseError, result, isError, ms: Date.now() - started });
      });
      return results;
    };

    for (let round = 1; round <= maxRounds && !locations.length; round++) {
      const res = await run.call({ system: RETRIEVE_SYSTEM, messages, tools, cachePrefixMessages: 1, temperature: opts.temperature }, { phase: 'retrieve', round });
      messages.push(res.message);
      if (!res.toolCalls.length) {
        if (round < maxRounds) messages.push({ role: 'user', content: `${res.oversize ? `${res.oversize} ` : ''}Use the search tools to look at the code, or call ${REPORT_TOOL} when you know where the fix belongs.` });
        continue;
      }
      const results = runTools(res.toolCalls, round);
      if (!locations.length && round === maxRounds && results.length) {
        results[results.length - 1].content += `\n\n(No search turns are left: call ${REPORT_TOOL} now with your best locations.)`;
      }
      messages.push({ role: 'tool', results });
    }
    if (!locations.length) {
      // One last turn where reporting is the only tool on offer.
      const last = messages[messages.length - 1];
      if (last.role === 'assistant') messages.push({ role: 'user', content: `No search turns are left: call ${REPORT_TOOL} now with your best locations.` });
      const report = tools.filter((x) => x.name === REPORT_TOOL);
      const res = await run.call({ system: RETRIEVE_SYSTEM, messages, tools: report, cachePrefixMessages: 1, temperature: opts.temperature }, { phase: 'retrieve', round: maxRounds + 1 });
      messages.push(res.message);
      if (res.toolCalls.length) messages.push({ role: 'tool', results: runTools(res.toolCalls, maxRounds + 1) });
    }
    if (!locations.length && opts.suspects?.length) {
      for (const h of opts.suspects.slice(0, 3)) {
        const r = resolveLocation(index, { file: h.file, class: h.className, method: h.method, intended_behavior: '' });
        if (r.ok) locations.push({ ...r.location, resolvedBy: `localization:${r.location.resolvedBy}` });
      }
    }
  return locations;
}
