#!/usr/bin/env node
// Generates src/contracts/index.ts from src/contracts/schema.json (itself exported from the
// Python `troupe_contracts` package). Run: `npm run gen:contracts`. Never edit the output by hand;
// a Vitest test regenerates it in memory and fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import prettier from 'prettier';

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_PATH = path.join(webRoot, 'src/contracts/schema.json');
export const OUTPUT_PATH = path.join(webRoot, 'src/contracts/index.ts');

const HEADER = `/* eslint-disable */
/**
 * GENERATED FILE — do not edit.
 * Source: src/contracts/schema.json (exported from the Python \`troupe_contracts\` package).
 * Regenerate: \`npm run gen:contracts\` (in web/).
 */
`;

/** Property-level titles would become extra named types; only `$defs` entries name types. */
function stripNestedTitles(node, keepTitle) {
  if (Array.isArray(node)) return node.map((item) => stripNestedTitles(item, false));
  if (node === null || typeof node !== 'object') return node;
  // A `$ref` with sibling keywords (pydantic adds `default`) would be emitted as a duplicate type.
  if (typeof node.$ref === 'string') return { $ref: node.$ref };
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'title' && !keepTitle) continue;
    // Property names under `properties` are data, not keywords: keep them verbatim.
    if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([prop, sub]) => [prop, stripNestedTitles(sub, false)]),
      );
      continue;
    }
    out[key] = stripNestedTitles(value, false);
  }
  return out;
}

function constantName(name) {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name))
    throw new Error(`x-constants key is not CONSTANT_CASE: ${name}`);
  return name;
}

/** Returns the text of src/contracts/index.ts for the given schema object. */
export async function generateContracts(schema) {
  const defs = schema.$defs ?? {};
  const names = Object.keys(defs).sort();
  const cleanDefs = Object.fromEntries(
    names.map((name) => [name, { ...stripNestedTitles(defs[name], false), title: name }]),
  );
  // A root that references every definition so each one is emitted exactly once, by its name.
  const root = {
    title: 'TroupeContractsRoot',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(names.map((name) => [name, { $ref: `#/$defs/${name}` }])),
    $defs: cleanDefs,
  };
  const types = await compile(root, 'TroupeContractsRoot', {
    bannerComment: '',
    additionalProperties: false,
    unreachableDefinitions: true,
    format: false,
    strictIndexSignatures: true,
  });
  // Drop the synthetic root interface; keep every named definition.
  const withoutRoot = types
    .replace(/export interface TroupeContractsRoot \{[\s\S]*?\n\}\n/, '')
    // The generator notes which root referenced each type; our root is synthetic, so drop it.
    .replace(/^ \* This interface was referenced by .*\n^ \* via the `definition` .*\n/gm, '')
    .replace(/^ \*[ \t]*\n(?= \*\/)/gm, '')
    .replace(/^\/\*\*\n \*\/\n/gm, '');

  const constants = schema['x-constants'] ?? {};
  const constantLines = Object.keys(constants)
    .sort()
    .map(
      (key) => `export const ${constantName(key)} = ${JSON.stringify(constants[key])} as const;`,
    );

  const catalog = schema['x-provider-catalog'] ?? [];
  const catalogType = names.includes('ProviderSpec') ? 'ProviderSpec' : 'Record<string, unknown>';

  const source = [
    HEADER,
    withoutRoot.trim(),
    '',
    '// Wire names and versions (from `x-constants`).',
    ...constantLines,
    '',
    '// Providers the platform knows about (from `x-provider-catalog`).',
    `export const PROVIDER_CATALOG: readonly ${catalogType}[] = ${JSON.stringify(catalog, null, 2)};`,
    '',
  ].join('\n');

  const config = (await prettier.resolveConfig(OUTPUT_PATH)) ?? {};
  return prettier.format(source, { ...config, filepath: OUTPUT_PATH });
}

export async function readSchema() {
  return JSON.parse(await readFile(SCHEMA_PATH, 'utf8'));
}

async function main() {
  const text = await generateContracts(await readSchema());
  await writeFile(OUTPUT_PATH, text);
  console.log(`wrote ${path.relative(process.cwd(), OUTPUT_PATH)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
