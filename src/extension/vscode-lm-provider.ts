// The `vscode-lm` provider: Rover's own agent on a chat model the editor already has (GitHub
// Copilot's, or any extension's that registers one), through vscode.lm. VS Code asks the user's
// consent on the first request; tool calls go through the API's tool calling; tokens are counted
// with the model's countTokens; the cost is the user's subscription's business, so it is 0 here and
// the run says "billed by your subscription".
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { abortOnCancel } from './cancellation';
import { chatModelPickItems, chooseChatModel, missingModelMessage } from './logic/chat-model-choice';
import { readLmStream, toLmMessages, toLmTools, type LmClasses } from './logic/lm-chat-mapping';

export const NO_CHAT_MODEL_MESSAGE =
  'No VS Code chat model is available for Rover (rover.provider is "vscode-lm"): sign in to a chat extension that provides models (e.g. GitHub Copilot), or use another provider with "Rover: Set API Key".';

const CLASSES: LmClasses = {
  TextPart: vscode.LanguageModelTextPart,
  ToolCallPart: vscode.LanguageModelToolCallPart,
  ToolResultPart: vscode.LanguageModelToolResultPart,
  Message: vscode.LanguageModelChatMessage,
} as unknown as LmClasses;

/** The chat models the editor offers (none where it has no vscode.lm chat API). */
export async function editorChatModels(): Promise<vscode.LanguageModelChat[]> {
  if (typeof vscode.lm?.selectChatModels !== 'function') return [];
  return vscode.lm.selectChatModels();
}

/** The chat model named by `rover.model` (an id, family or name), else the only one, else the user picks. */
export async function selectVscodeChatModel(model?: string): Promise<vscode.LanguageModelChat> {
  const choice = chooseChatModel(await editorChatModels(), model);
  switch (choice.kind) {
    case 'none':
      throw new core.ModelError(NO_CHAT_MODEL_MESSAGE, 'auth');
    case 'missing':
      throw new core.ModelError(`${missingModelMessage(choice.wanted, choice.available)} Change rover.model, or run "Rover: Set API Key" to pick one.`, 'auth');
    case 'use':
      return choice.model;
    case 'ask': {
      const pick = await vscode.window.showQuickPick(chatModelPickItems(choice.models), { title: 'Rover: which chat model?', placeHolder: 'Set rover.model (or pick one in Rover: Set API Key) to skip this question' });
      if (!pick) throw new core.ModelError('No chat model chosen.', 'cancelled');
      return pick.model;
    }
  }
}

export class VscodeLmProvider implements core.ChatProvider {
  readonly id = 'vscode-lm' as const;
  readonly model: string;

  constructor(private readonly chat: vscode.LanguageModelChat) {
    this.model = chat.id;
  }

  async complete(req: core.ChatRequest, opts: core.CompleteOptions = {}): Promise<core.ChatResponse> {
    const started = Date.now();
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    opts.signal?.addEventListener('abort', onAbort);
    try {
      const messages = toLmMessages(req, CLASSES) as vscode.LanguageModelChatMessage[];
      const tools = toLmTools(req.tools);
      let res: vscode.LanguageModelChatResponse;
      try {
        res = await this.chat.sendRequest(messages, { justification: 'Rover resolves the issue you gave it with this model.', ...(tools.length ? { tools } : {}) }, cts.token);
      } catch (e) {
        throw mapError(e);
      }
      const link = abortOnCancel(cts.token);
      let reply;
      try {
        reply = await readLmStream(res.stream, CLASSES, opts.onText, link.signal);
      } finally {
        link.dispose();
      }
      if (opts.signal?.aborted) throw new core.ModelError('The request was cancelled.', 'cancelled');
      const inputTokens = (await Promise.all(messages.map((m) => this.chat.countTokens(m, cts.token).then((n) => n, () => 0)))).reduce((a, b) => a + b, 0);
      const outputTokens = reply.text ? await this.chat.countTokens(reply.text, cts.token).then((n) => n, () => 0) : 0;
      return {
        message: { role: 'assistant', text: reply.text, toolCalls: reply.toolCalls },
        text: reply.text,
        toolCalls: reply.toolCalls,
        stopReason: reply.toolCalls.length ? 'tool_use' : 'end_turn',
        usage: { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 },
        costUsd: 0,
        priceKnown: false,
        model: this.chat.id,
        ms: Date.now() - started,
        attempts: 1,
      };
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }
}

/** vscode.LanguageModelError (no consent, blocked, not found) as the core's ModelError, message kept. */
function mapError(e: unknown): Error {
  if (e instanceof core.ModelError) return e;
  const err = e as { code?: string; message?: string };
  const code = err?.code ?? '';
  const message = `VS Code chat model: ${err?.message ?? String(e)}`;
  if (/NoPermissions|Blocked/i.test(code)) return new core.ModelError(`${message} (allow Rover to use the model when VS Code asks)`, 'auth');
  if (/NotFound/i.test(code)) return new core.ModelError(`${message}. ${NO_CHAT_MODEL_MESSAGE}`, 'auth');
  if (e instanceof vscode.CancellationError) return new core.ModelError('The request was cancelled.', 'cancelled');
  return new core.ModelError(message, 'server');
}
