'use client';

import { SelectField, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';

type Variable = Schema<'SessionVariable-Input'>;
type VariableType = 'string' | 'number' | 'integer' | 'boolean';
const TYPES: VariableType[] = ['string', 'number', 'integer', 'boolean'];
/** The `{{name}}` placeholder's name rule (the agent's and the API's). */
const NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** One declared session variable as the form edits it: `default` '' means none. */
export interface VariableDraft {
  name: string;
  type: VariableType;
  required: boolean;
  default: string;
  description: string;
}

export function draftsFromVariables(
  variables: Schema<'SessionVariable-Output'>[] | null | undefined,
): VariableDraft[] {
  return (variables ?? []).map((v) => ({
    name: v.name,
    type: (v.type ?? 'string') as VariableType,
    required: v.required ?? false,
    default: v.default === null || v.default === undefined ? '' : String(v.default),
    description: v.description ?? '',
  }));
}

function parseDefault(d: VariableDraft): { value?: Variable['default']; error?: string } {
  const raw = d.default.trim();
  if (d.required || (d.type !== 'string' && !raw) || (d.type === 'string' && !d.default))
    return { value: null };
  if (d.type === 'string') return { value: d.default };
  if (d.type === 'boolean') return { value: raw === 'true' };
  const n = Number(raw);
  if (!Number.isFinite(n)) return { error: 'A number.' };
  if (d.type === 'integer' && !Number.isInteger(n)) return { error: 'A whole number.' };
  return { value: n };
}

/** Field errors keyed `variables.<i>.<field>` (as the API names them). */
export function validateVariables(drafts: VariableDraft[]): Record<string, string> {
  const errors: Record<string, string> = {};
  drafts.forEach((d, i) => {
    if (!NAME.test(d.name))
      errors[`variables.${i}.name`] = 'Lower-case letters, digits and _; starts with a letter.';
    else if (drafts.slice(0, i).some((o) => o.name === d.name))
      errors[`variables.${i}.name`] = 'Declared twice.';
    const parsed = parseDefault(d);
    if (parsed.error) errors[`variables.${i}.default`] = parsed.error;
  });
  return errors;
}

export function variablesFromDrafts(drafts: VariableDraft[]): Variable[] {
  return drafts.map((d) => ({
    name: d.name,
    type: d.type,
    required: d.required,
    default: parseDefault(d).value ?? null,
    description: d.description,
  }));
}

export function SessionVariablesEditor({
  drafts,
  onChange,
  errors,
}: {
  drafts: VariableDraft[];
  onChange: (next: VariableDraft[]) => void;
  errors: Record<string, string>;
}) {
  const update = (i: number, patch: Partial<VariableDraft>) =>
    onChange(drafts.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  return (
    <div className={dash.stack} data-testid="session-variables">
      {drafts.length === 0 && (
        <p className={dash.muted}>
          No variables. Declare one to pass its value when a session starts and use it as{' '}
          <code>{'{{name}}'}</code> in instructions and greetings.
        </p>
      )}
      {drafts.map((d, i) => (
        <fieldset key={i} className={dash.grid3} aria-label={`Variable ${i + 1}`}>
          <TextField
            label="Variable name"
            value={d.name}
            error={errors[`variables.${i}.name`]}
            onChange={(e) => update(i, { name: e.target.value })}
          />
          <SelectField
            label="Type"
            value={d.type}
            options={TYPES.map((t) => ({ value: t, label: t }))}
            onChange={(e) =>
              update(i, {
                type: e.target.value as VariableType,
                default: e.target.value === 'boolean' ? 'false' : '',
              })
            }
          />
          {d.type === 'boolean' ? (
            <SelectField
              label="Default"
              value={d.default || 'false'}
              disabled={d.required}
              options={[
                { value: 'false', label: 'false' },
                { value: 'true', label: 'true' },
              ]}
              onChange={(e) => update(i, { default: e.target.value })}
            />
          ) : (
            <TextField
              label="Default"
              value={d.default}
              disabled={d.required}
              placeholder={d.required ? 'required' : 'none'}
              error={errors[`variables.${i}.default`]}
              onChange={(e) => update(i, { default: e.target.value })}
            />
          )}
          <TextField
            label="Description"
            value={d.description}
            maxLength={300}
            onChange={(e) => update(i, { description: e.target.value })}
          />
          <label className={dash.chip} style={{ alignSelf: 'end' }}>
            <input
              type="checkbox"
              checked={d.required}
              onChange={(e) => update(i, { required: e.target.checked })}
            />
            Required
          </label>
          <Button
            type="button"
            variant="secondary"
            onClick={() => onChange(drafts.filter((_, j) => j !== i))}
          >
            Remove
          </Button>
        </fieldset>
      ))}
      {drafts.length < 32 && (
        <div>
          <Button
            type="button"
            variant="secondary"
            onClick={() =>
              onChange([
                ...drafts,
                { name: '', type: 'string', required: false, default: '', description: '' },
              ])
            }
          >
            Add variable
          </Button>
        </div>
      )}
    </div>
  );
}
