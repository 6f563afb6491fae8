// Rover's tools for the chat agents in the editor (Copilot's agent mode, any chat participant):
// the same tools as `rover mcp`, contributed under `languageModelTools` in package.json and
// implemented here with vscode.lm.registerTool over the editor's own index. A tool that runs tests
// asks first (VS Code shows the confirmation); none runs in an untrusted workspace. Where the editor
// has the MCP server definition API, `rover mcp` is offered there too (feature-detected: VS Code
// 1.100 has it behind a proposal an installed extension cannot use, so there it is simply absent).
import * as vscode from 'vscode';
import { join } from 'node:path';
import * as core from './core-bridge';
import { abortOnCancel } from './cancellation';
import { toolConfirmation } from './logic/tool-confirmation';
import type { IndexController } from './index-controller';
import type { RoverLog } from './rover-log';
import { UNTRUSTED_MESSAGE, type WorkspaceAccess } from './workspace-access';

/** VS Code's tool name of a Rover tool (package.json `languageModelTools[].name`). */
export const lmToolName = (tool: string) => `rover_${tool}`;

export class LmToolsController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private toolbox?: { root: string; key: string; box: core.RoverToolbox };
  /** Calls in flight: stopped when the extension goes away, so their tests end and checkouts go. */
  private readonly running = new Set<AbortController>();
  /** Tool names registered with vscode.lm, and whether the MCP server definition was offered. */
  readonly registered: string[] = [];
  mcpDefinition: 'offered' | 'unavailable' = 'unavailable';

  constructor(
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
    private readonly index: IndexController,
    extensionPath: string,
  ) {
    if (typeof vscode.lm?.registerTool !== 'function') {
      log.info('This editor has no language-model tools API: Rover\'s tools are offered through `rover mcp` only.');
      return;
    }
    for (const spec of core.ROVER_TOOLS) {
      const name = lmToolName(spec.name);
      this.disposables.push(vscode.lm.registerTool<Record<string, unknown>>(name, {
        prepareInvocation: (options) => this.prepare(spec, options.input),
        invoke: (options, token) => this.invoke(spec, options.input, token),
      }));
      this.registered.push(name);
    }
    this.offerMcpServer(join(extensionPath, 'dist', 'cli.js'));
  }

  private prepare(spec: core.RoverToolSpec, input: Record<string, unknown>): vscode.PreparedToolInvocation {
    const invocationMessage = `Rover: ${spec.title.toLowerCase()}…`;
    // no confirmation for a call that will be refused (untrusted folder): asking would suggest it runs
    const c = this.workspace.trusted ? toolConfirmation(spec, input) : undefined;
    return c ? { invocationMessage, confirmationMessages: { title: c.title, message: new vscode.MarkdownString(c.message) } } : { invocationMessage };
  }

  private async invoke(spec: core.RoverToolSpec, input: Record<string, unknown>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    // thrown errors reach the calling model as the tool's error text
    if (!this.workspace.trusted) throw new Error(`${UNTRUSTED_MESSAGE}: Rover's tools are off until the folder is trusted.`);
    const box = this.box();
    const link = abortOnCancel(token);
    this.running.add(link.controller);
    try {
      const answer = await box.call(spec.name, input, { signal: link.signal, onProgress: (m) => this.log.info(`${spec.name}: ${m}`) });
      this.log.info(`tool ${spec.name}: ${answer.text.split('\n')[0].slice(0, 200)}`);
      if (answer.isError) throw new Error(answer.text);
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
    } finally {
      this.running.delete(link.controller);
      link.dispose();
    }
  }

  /** One toolbox per folder and test settings: it holds the queue that runs test tools one at a time. */
  private box(): core.RoverToolbox {
    const root = this.workspace.root();
    if (!root) throw new Error('Open a folder first: Rover works on the workspace folder.');
    const s = this.workspace.settings();
    const key = JSON.stringify([root, s.testsCommand, s.testTimeoutMs]);
    if (this.toolbox?.key !== key) {
      const box = core.makeToolbox({
        root,
        index: async () => {
          const idx = await this.index.refresh();
          if (!idx) throw new Error('The workspace index could not be opened (see Rover: Show Log).');
          return idx;
        },
        testCommand: s.testsCommand,
        timeoutMs: s.testTimeoutMs,
      });
      this.toolbox = { root, key, box };
    }
    return this.toolbox.box;
  }

  /** `rover mcp` through the editor's MCP server definition API, when this editor lets an extension use it. */
  private offerMcpServer(cli: string): void {
    const lm = vscode.lm as unknown as { registerMcpServerDefinitionProvider?: (id: string, p: unknown) => vscode.Disposable };
    const Stdio = (vscode as unknown as { McpStdioServerDefinition?: new (label: string, command: string, args: string[], env?: Record<string, string>) => unknown }).McpStdioServerDefinition;
    if (typeof lm.registerMcpServerDefinitionProvider !== 'function' || !Stdio) {
      this.log.info('This editor has no MCP server definition API for extensions; add `rover mcp` to mcp.json to use it from other agents.');
      return;
    }
    try {
      this.disposables.push(lm.registerMcpServerDefinitionProvider('rover.mcp', {
        provideMcpServerDefinitions: () => {
          const root = this.workspace.root();
          if (!root || !this.workspace.trusted) return [];
          // the extension host's own runtime; Electron needs to be told to act as Node
          return [new Stdio('Rover', process.execPath, [cli, 'mcp', '--repo', root], { ELECTRON_RUN_AS_NODE: '1' })];
        },
      }));
      this.mcpDefinition = 'offered';
    } catch (e) {
      this.log.info(`The editor refused Rover's MCP server definition (${(e as Error).message.split('\n')[0]}); add \`rover mcp\` to mcp.json instead.`);
    }
  }

  dispose(): void {
    for (const c of this.running) c.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
