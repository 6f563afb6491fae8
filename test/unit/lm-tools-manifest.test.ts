// package.json's `languageModelTools` is what VS Code shows and sends to a chat model before Rover's
// code runs, so it must say exactly what core/tools/specs.ts says: one entry per tool, the same JSON
// Schema, the same description. ROVER_WRITE_MANIFEST=1 writes the entries from the specs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputJsonSchema, ROVER_TOOLS } from '../../src/core/tools/specs';

const PKG = join(__dirname, '..', '..', 'package.json');


function expected() {
  return ROVER_TOOLS.map((t) => ({
    name: `rover_${t.name}`,
    displayName: `Rover: ${t.title}`,
    toolReferenceName: `rover-${t.name.replace(/_/g, '-')}`,
    canBeReferencedInPrompt: true,
    icon: t.runsTests ? '$(beaker)' : '$(search)',
    tags: ['rover', t.runsTests ? 'tests' : 'search'],
    userDescription: `${/^(.*?[a-z)])\.(\s|$)/.exec(t.description)?.[1] ?? t.title}.`,
    modelDescription: t.description,
    inputSchema: inputJsonSchema(t),
  }));
}

describe('languageModelTools in package.json', () => {
  it('lists every Rover tool with the schema and description of core/tools/specs.ts', () => {
    const pkg = JSON.parse(readFileSync(PKG, 'utf8'));
    if (process.env.ROVER_WRITE_MANIFEST === '1') {
      pkg.contributes.languageModelTools = expected();
      writeFileSync(PKG, JSON.stringify(pkg, null, 2) + '\n');
    }
    expect(pkg.contributes.languageModelTools).toEqual(expected());
    expect(new Set(pkg.contributes.languageModelTools.map((t: { toolReferenceName: string }) => t.toolReferenceName)).size).toBe(ROVER_TOOLS.length);
  });
});
