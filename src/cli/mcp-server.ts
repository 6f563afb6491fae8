// Rover's tools as an MCP server (the SDK's McpServer): every tool with its JSON Schema, answers as
// budgeted text with structured content beside it, progress notifications for long calls when the
// client asks for them (a progressToken), cancellation from the client handed to the tool. The
// server keeps track of the calls in flight so that a disconnect can stop them and wait until their
// test processes are ended and their checkouts removed.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { RoverToolbox } from '../core/tools/toolbox';

export interface RunningServer {
  server: McpServer;
  /** Cancels every call in flight and resolves when each has cleaned up (or `graceMs` passed). */
  stopCalls(graceMs?: number): Promise<void>;
}

export async function startMcpServer(toolbox: RoverToolbox, transport: Transport, version: string): Promise<RunningServer> {
  const server = new McpServer(
    { name: 'rover', title: 'Rover', version },
    {
      instructions:
        "Rover's tools over one repository: structural code search on a tree-sitter index (search_class … find_references), " +
        'spectrum-based fault localization from failing tests (localize), and running tests in a private git checkout ' +
        "(run_tests, validate_patch, reproduce_check) so the user's files are never written.",
    },
  );
  const inFlight = new Map<AbortController, Promise<unknown>>();
  for (const spec of toolbox.tools) {
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: spec.schema,
        // the test tools run the project's code, but in a private checkout: the user's files stay as they are
        annotations: { title: spec.title, readOnlyHint: !spec.runsTests, destructiveHint: false, openWorldHint: false, idempotentHint: !spec.runsTests },
      },
      async (args: unknown, extra) => {
        const own = new AbortController();
        const onAbort = () => own.abort();
        extra.signal.addEventListener('abort', onAbort);
        const token = extra._meta?.progressToken;
        let step = 0;
        const onProgress =
          token === undefined
            ? undefined
            : (message: string) => {
                void extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++step, message } }).catch(() => undefined);
              };
        const call = toolbox.call(spec.name, args, { signal: own.signal, onProgress });
        inFlight.set(own, call);
        try {
          const a = await call;
          return { content: [{ type: 'text' as const, text: a.text }], structuredContent: a.structured, isError: a.isError };
        } finally {
          inFlight.delete(own);
          extra.signal.removeEventListener('abort', onAbort);
        }
      },
    );
  }
  await server.connect(transport);
  return {
    server,
    async stopCalls(graceMs = 20_000) {
      const calls = [...inFlight.entries()];
      for (const [ac] of calls) ac.abort();
      await Promise.race([Promise.allSettled(calls.map(([, p]) => p)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    },
  };
}
