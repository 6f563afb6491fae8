// Which of the editor's chat models Rover uses (Set API Key and a vscode-lm fix run share the rule).
import { describe, expect, it } from 'vitest';
import { chatModelPickItems, chooseChatModel, findChatModel, missingModelMessage, NO_CHAT_MODEL_TO_SET } from '../../src/extension/logic/chat-model-choice';

const gpt = { id: 'copilot-gpt-4o', name: 'GPT-4o', vendor: 'copilot', family: 'gpt-4o' };
const mini = { id: 'copilot-gpt-4o-mini', name: 'GPT-4o mini', vendor: 'copilot', family: 'gpt-4o-mini' };
const claude = { id: 'claude-sonnet-4', name: 'Claude Sonnet 4', vendor: 'copilot', family: 'claude-sonnet-4' };
// a second vendor serving the same family: the id tells them apart
const ollama = { id: 'ollama-gpt-4o', name: 'gpt-4o (local)', vendor: 'ollama', family: 'gpt-4o' };

describe('chat model choice', () => {
  it('no model at all is "none", whatever rover.model says', () => {
    expect(chooseChatModel([])).toEqual({ kind: 'none' });
    expect(chooseChatModel([], 'gpt-4o')).toEqual({ kind: 'none' });
    expect(NO_CHAT_MODEL_TO_SET).toMatch(/No VS Code chat model is available.*Copilot.*settings were not changed/);
  });

  it('the only model is used without asking; several are asked about', () => {
    expect(chooseChatModel([gpt])).toEqual({ kind: 'use', model: gpt });
    expect(chooseChatModel([gpt, claude], '  ')).toEqual({ kind: 'ask', models: [gpt, claude] });
  });

  it('a named model is found by id, family or name, ignoring case; the id wins over a shared family', () => {
    expect(chooseChatModel([gpt, claude], 'claude-sonnet-4')).toEqual({ kind: 'use', model: claude });
    expect(chooseChatModel([gpt, mini, claude], 'GPT-4o mini')).toEqual({ kind: 'use', model: mini });
    expect(findChatModel([gpt, ollama], 'ollama-gpt-4o')).toBe(ollama);
    expect(findChatModel([ollama, gpt], 'GPT-4O')).toBe(ollama); // family: the first that serves it
    expect(findChatModel([gpt, mini], 'gpt-4o-mini')).toBe(mini); // not a prefix match on gpt-4o
    expect(findChatModel([gpt], '')).toBeUndefined();
  });

  it('a name that matches nothing is "missing", with every available id for the message', () => {
    const c = chooseChatModel([gpt, claude], 'o3');
    expect(c).toEqual({ kind: 'missing', wanted: 'o3', available: ['copilot-gpt-4o', 'claude-sonnet-4'] });
    expect(missingModelMessage('o3', ['copilot-gpt-4o', 'claude-sonnet-4'])).toBe('No VS Code chat model is named "o3"; available: copilot-gpt-4o, claude-sonnet-4.');
  });

  it('pick rows name vendor and id, the current model first and marked', () => {
    expect(chatModelPickItems([gpt, claude])).toEqual([
      { label: 'GPT-4o', description: 'copilot · copilot-gpt-4o', model: gpt },
      { label: 'Claude Sonnet 4', description: 'copilot · claude-sonnet-4', model: claude },
    ]);
    const rows = chatModelPickItems([gpt, mini, claude], 'claude-sonnet-4');
    expect(rows.map((r) => r.model)).toEqual([claude, gpt, mini]);
    expect(rows[0].description).toBe('copilot · claude-sonnet-4 · current');
    expect(chatModelPickItems([gpt], 'gone-model').map((r) => r.description)).toEqual(['copilot · copilot-gpt-4o']);
  });
});
