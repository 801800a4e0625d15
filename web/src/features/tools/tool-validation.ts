import type { Schema } from '@/lib/api/client';

export type ToolCreate = Schema<'ToolCreate'>;
export const TOOL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;
export const JSON_TYPES = ['object', 'string', 'number', 'integer', 'boolean', 'array', 'null'];

export const DEFAULT_PARAMETERS = `{
  "type": "object",
  "properties": {
    "query": { "type": "string", "description": "What to look up" }
  },
  "required": ["query"]
}`;

/** Checks the parameters text is a JSON Schema for an object of arguments; null when fine. */
export function validateToolSchema(text: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'The schema must be a JSON object.';
  }
  const schema = parsed as Record<string, unknown>;
  if (schema.type !== 'object') return 'The top-level "type" must be "object" (the arguments).';
  if (schema.properties !== undefined) {
    if (
      typeof schema.properties !== 'object' ||
      schema.properties === null ||
      Array.isArray(schema.properties)
    ) {
      return '"properties" must be an object.';
    }
    for (const [name, prop] of Object.entries(schema.properties)) {
      if (typeof prop !== 'object' || prop === null) return `Property "${name}" must be an object.`;
      const type = (prop as { type?: unknown }).type;
      if (type !== undefined && (typeof type !== 'string' || !JSON_TYPES.includes(type))) {
        return `Property "${name}" has an unknown type.`;
      }
    }
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || schema.required.some((r) => typeof r !== 'string')) {
      return '"required" must be a list of property names.';
    }
    const props = Object.keys((schema.properties as object | undefined) ?? {});
    const missing = (schema.required as string[]).filter((r) => !props.includes(r));
    if (missing.length) return `"required" names unknown properties: ${missing.join(', ')}.`;
  }
  return null;
}

export interface ToolValues {
  name: string;
  description: string;
  url: string;
  method: NonNullable<ToolCreate['method']>;
  headers: [string, string][];
  secretHeaders: [string, string][];
  parameters: string;
  timeout: string;
}

export function validateTool(values: ToolValues): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!TOOL_NAME_PATTERN.test(values.name)) {
    errors.name = 'Letters, digits and _, starting with a letter or _ (max 64).';
  }
  if (!values.description.trim()) errors.description = 'Describe when the agent should call it.';
  try {
    const url = new URL(values.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') errors.url = 'Use an http(s) URL.';
  } catch {
    errors.url = 'Enter a full URL, e.g. https://example.com/hook.';
  }
  const schemaError = validateToolSchema(values.parameters);
  if (schemaError) errors.parameters = schemaError;
  const timeout = Number(values.timeout);
  if (values.timeout && (!Number.isFinite(timeout) || timeout <= 0 || timeout > 60)) {
    errors.timeout_s = 'Between 0 and 60 seconds.';
  }
  for (const [list, key] of [
    [values.headers, 'headers'],
    [values.secretHeaders, 'secret_headers'],
  ] as const) {
    if (list.some(([k, v]) => !k.trim() && v.trim())) errors[key] = 'Every header needs a name.';
  }
  return errors;
}

export function toToolBody(values: ToolValues): ToolCreate {
  const pairs = (list: [string, string][]) =>
    Object.fromEntries(list.filter(([k]) => k.trim()).map(([k, v]) => [k.trim(), v]));
  return {
    name: values.name,
    description: values.description,
    url: values.url,
    method: values.method,
    headers: pairs(values.headers),
    secret_headers: pairs(values.secretHeaders),
    parameters: JSON.parse(values.parameters) as Record<string, unknown>,
    ...(values.timeout ? { timeout_s: Number(values.timeout) } : {}),
  };
}

export function fromTool(tool?: Schema<'ToolRead'>): ToolValues {
  return {
    name: tool?.name ?? '',
    description: tool?.description ?? '',
    url: tool?.url ?? '',
    method: tool?.method ?? 'POST',
    headers: Object.entries(tool?.headers ?? {}),
    secretHeaders: Object.entries(tool?.secret_headers ?? {}),
    parameters: tool ? JSON.stringify(tool.parameters, null, 2) : DEFAULT_PARAMETERS,
    timeout: tool?.timeout_s ? String(tool.timeout_s) : '',
  };
}
