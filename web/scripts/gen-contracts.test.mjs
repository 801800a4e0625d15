import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OUTPUT_PATH, generateContracts, readSchema } from './gen-contracts.mjs';

describe('generated contracts', () => {
  it('src/contracts/index.ts is fresh (run `npm run gen:contracts`)', async () => {
    const expected = await generateContracts(await readSchema());
    const actual = await readFile(OUTPUT_PATH, 'utf8');
    expect(
      actual === expected,
      'src/contracts/index.ts is stale: run `npm run gen:contracts`',
    ).toBe(true);
  });

  it('exports a type for every $defs entry and every constant', async () => {
    const schema = await readSchema();
    const text = await readFile(OUTPUT_PATH, 'utf8');
    for (const name of Object.keys(schema.$defs)) {
      expect(text).toMatch(new RegExp(`export (type|interface) ${name}\\b`));
    }
    for (const name of Object.keys(schema['x-constants'])) {
      expect(text).toContain(`export const ${name} =`);
    }
    expect(text).toContain('export const PROVIDER_CATALOG');
  });

  it('is deterministic', async () => {
    const schema = await readSchema();
    expect(await generateContracts(schema)).toBe(await generateContracts(schema));
  });
});
