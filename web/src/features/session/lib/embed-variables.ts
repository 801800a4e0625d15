/**
 * Session variables an embedding site passes on the embed page's address, sent with the
 * session start (the API checks them against the template's declared variables and answers
 * 422 `session_variables_invalid` for unknown names, wrong types or missing required ones):
 *
 * - `?var.customer_name=Sam`: one variable, as text;
 * - `?vars={"seats":3,"vip":true}`: typed values as a JSON object (numbers, booleans, text).
 *
 * A `var.` parameter wins over the same name in `vars`. Names follow the API's rule
 * (lowercase letters, digits, `_`); anything else is left out.
 */
export type SessionVariables = Record<string, string | number | boolean>;

const NAME = /^[a-z][a-z0-9_]{0,47}$/;
const MAX_VARIABLES = 32;
const MAX_TEXT = 1000;

type Query = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function embedVariables(query: Query): SessionVariables {
  const out: SessionVariables = {};
  const json = first(query.vars);
  if (json) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
          if (!NAME.test(name)) continue;
          if (typeof value === 'string') out[name] = value.slice(0, MAX_TEXT);
          else if (typeof value === 'boolean') out[name] = value;
          else if (typeof value === 'number' && Number.isFinite(value)) out[name] = value;
        }
      }
    } catch {
      // not JSON: ignored (the start then lacks these variables and the API says which)
    }
  }
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith('var.')) continue;
    const name = key.slice(4);
    const text = first(value);
    if (NAME.test(name) && text !== undefined) out[name] = text.slice(0, MAX_TEXT);
  }
  return Object.fromEntries(Object.entries(out).slice(0, MAX_VARIABLES));
}
