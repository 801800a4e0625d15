'use client';

import { useState } from 'react';
import { SelectField, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import type { Schema } from '@/lib/api/client';

export type Handoff = Schema<'HandoffTarget-Input'>;
export type HandoffVariable = Schema<'HandoffVariable-Input'>;
export type RuleCondition = Schema<'RuleCondition-Input'>;
type ContextPolicy = Schema<'ContextPolicy'>;
type RuleOp = Schema<'RuleOp'>;
type VariableType = Schema<'VariableType'>;
type Scalar = boolean | number | string;
type RuleValue = RuleCondition['value'];

export const PLAN_OPTIONS: { value: ContextPolicy; label: string }[] = [
  { value: 'all', label: 'All history (messages and tool calls)' },
  { value: 'last_n', label: 'The last N messages' },
  { value: 'conversation', label: 'User and assistant messages only' },
  { value: 'summary', label: 'A summary of the conversation' },
  { value: 'none', label: 'Nothing: start fresh' },
  { value: 'preserve', label: 'Preserve history (messages, no tool calls)' },
  { value: 'reset', label: 'Start fresh with a one-line summary' },
];

const TYPE_OPTIONS: { value: VariableType; label: string }[] = [
  { value: 'string', label: 'text' },
  { value: 'number', label: 'number' },
  { value: 'integer', label: 'whole number' },
  { value: 'boolean', label: 'yes / no' },
];

const OP_OPTIONS: { value: RuleOp; label: string }[] = [
  { value: 'eq', label: 'is' },
  { value: 'ne', label: 'is not' },
  { value: 'lt', label: '<' },
  { value: 'lte', label: '≤' },
  { value: 'gt', label: '>' },
  { value: 'gte', label: '≥' },
  { value: 'in', label: 'is one of' },
  { value: 'not_in', label: 'is none of' },
  { value: 'exists', label: 'is set' },
  { value: 'missing', label: 'is not set' },
];

const NO_VALUE: RuleOp[] = ['exists', 'missing'];
const NUMBER_OPS: RuleOp[] = ['lt', 'lte', 'gt', 'gte'];
const LIST_OPS: RuleOp[] = ['in', 'not_in'];
export const DEFAULT_LAST_N = 10;

function parseScalar(text: string, type: VariableType | undefined): Scalar {
  const t = text.trim();
  if (type === 'string') return t;
  if (type === 'boolean' || (type === undefined && /^(true|false)$/i.test(t))) {
    return /^(true|yes|1)$/i.test(t);
  }
  if (t !== '' && !Number.isNaN(Number(t)) && type !== undefined) return Number(t);
  if (type === undefined && /^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** A condition's value from what the user typed, shaped for its op (a list for "is one of",
 *  a number for comparisons, none for "is set") and the declared variable's type. */
export function parseRuleValue(op: RuleOp, text: string, type?: VariableType): RuleValue {
  if (NO_VALUE.includes(op)) return null;
  if (LIST_OPS.includes(op)) {
    return text
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => parseScalar(part, type));
  }
  if (NUMBER_OPS.includes(op)) {
    const n = Number(text.trim());
    return text.trim() !== '' && !Number.isNaN(n) ? n : text.trim();
  }
  return parseScalar(text, type);
}

export function formatRuleValue(value: RuleValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

function errorFor(errors: Record<string, string>, index: number, path: string) {
  // The API reports `handoffs[0].last_n`; client checks use dotted keys.
  const dotted = `handoffs.${index}.${path}`.replace(/\[(\d+)\]/g, '.$1');
  return errors[`handoffs[${index}].${path}`] ?? errors[dotted];
}

function RuleValueInput({
  id,
  condition,
  type,
  error,
  onChange,
}: {
  id: string;
  condition: RuleCondition;
  type?: VariableType;
  error?: string;
  onChange: (value: RuleValue) => void;
}) {
  // Keep what the user typed ("1." on the way to "1.5"); the parsed value goes up.
  const [text, setText] = useState(() => formatRuleValue(condition.value));
  if (NO_VALUE.includes(condition.op)) return null;
  return (
    <TextField
      label={LIST_OPS.includes(condition.op) ? 'Values (comma separated)' : 'Value'}
      id={id}
      value={text}
      error={error}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseRuleValue(condition.op, e.target.value, type));
      }}
    />
  );
}

/** The context plan, variables and rejection rule of one handoff target. */
export function HandoffPlanFields({
  handoff,
  index,
  errors,
  onChange,
}: {
  handoff: Handoff;
  index: number;
  errors: Record<string, string>;
  onChange: (patch: Partial<Handoff>) => void;
}) {
  const policy = handoff.context_policy ?? 'preserve';
  const variables = handoff.variables ?? [];
  const rule = handoff.reject_when ?? null;
  const conditions = rule?.conditions ?? [];
  const prefix = `handoff-${index}`;
  const declared = new Map(variables.map((v) => [v.name, v.type ?? 'string']));

  const setVariable = (j: number, patch: Partial<HandoffVariable>) =>
    onChange({ variables: variables.map((v, k) => (k === j ? { ...v, ...patch } : v)) });
  const setRule = (patch: Partial<NonNullable<Handoff['reject_when']>>) =>
    onChange({ reject_when: { match: 'all', conditions: [], message: '', ...rule, ...patch } });
  const setCondition = (j: number, patch: Partial<RuleCondition>) =>
    setRule({ conditions: conditions.map((c, k) => (k === j ? { ...c, ...patch } : c)) });

  return (
    <div className={dash.stack} style={{ gridColumn: '1 / -1' }} data-testid="handoff-plan">
      <div className={dash.grid2}>
        <SelectField
          label="Conversation context"
          id={`${prefix}-policy`}
          value={policy}
          options={PLAN_OPTIONS}
          hint={
            policy === 'summary'
              ? "Written by this agent's LLM when it can summarise, otherwise extracted from the user's own words."
              : undefined
          }
          onChange={(e) => {
            const next = e.target.value as ContextPolicy;
            onChange({
              context_policy: next,
              last_n: next === 'last_n' ? (handoff.last_n ?? DEFAULT_LAST_N) : null,
            });
          }}
        />
        {policy === 'last_n' && (
          <TextField
            label="Messages to pass"
            id={`${prefix}-last-n`}
            type="number"
            min={1}
            max={200}
            value={handoff.last_n ?? ''}
            error={errorFor(errors, index, 'last_n')}
            onChange={(e) =>
              onChange({ last_n: e.target.value === '' ? null : Number(e.target.value) })
            }
          />
        )}
      </div>

      <div className={dash.stack} data-testid={`${prefix}-variables`}>
        <div className={dash.row}>
          <strong>Variables the LLM passes</strong>
          <Button
            size="sm"
            variant="secondary"
            data-testid={`${prefix}-add-variable`}
            onClick={() =>
              onChange({
                variables: [
                  ...variables,
                  { name: '', type: 'string', description: '', required: false },
                ],
              })
            }
          >
            Add variable
          </Button>
        </div>
        {variables.length === 0 ? (
          <p className={dash.muted}>
            None. Variables are stored in the session&apos;s shared state and every agent&apos;s
            instructions can use them as {'{{name}}'}.
          </p>
        ) : (
          variables.map((v, j) => (
            <div key={j} className={dash.grid2} data-testid={`${prefix}-variable-row`}>
              <TextField
                label="Variable name"
                id={`${prefix}-variable-${j}-name`}
                value={v.name}
                placeholder="customer_name"
                error={errorFor(errors, index, `variables[${j}].name`)}
                onChange={(e) => setVariable(j, { name: e.target.value })}
              />
              <SelectField
                label="Type"
                id={`${prefix}-variable-${j}-type`}
                value={v.type ?? 'string'}
                options={TYPE_OPTIONS}
                onChange={(e) => setVariable(j, { type: e.target.value as VariableType })}
              />
              <TextField
                label="What to pass"
                id={`${prefix}-variable-${j}-description`}
                value={v.description ?? ''}
                placeholder="The caller's full name"
                onChange={(e) => setVariable(j, { description: e.target.value })}
              />
              <div className={dash.row} style={{ alignSelf: 'end' }}>
                <label className={dash.chip}>
                  <input
                    type="checkbox"
                    checked={v.required ?? false}
                    data-testid={`${prefix}-variable-${j}-required`}
                    onChange={(e) => setVariable(j, { required: e.target.checked })}
                  />
                  Required
                </label>
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => onChange({ variables: variables.filter((_, k) => k !== j) })}
                >
                  Remove
                </Button>
              </div>
            </div>
          ))
        )}
        {errorFor(errors, index, 'variables') && (
          <p role="alert" className={dash.muted}>
            {errorFor(errors, index, 'variables')}
          </p>
        )}
      </div>

      <div className={dash.stack} data-testid={`${prefix}-rule`}>
        <label className={dash.chip} style={{ alignSelf: 'flex-start' }}>
          <input
            type="checkbox"
            checked={rule !== null}
            data-testid={`${prefix}-rule-enabled`}
            onChange={(e) =>
              onChange({
                reject_when: e.target.checked
                  ? {
                      match: 'all',
                      conditions: [{ variable: '', op: 'eq', value: '' }],
                      message: '',
                    }
                  : null,
              })
            }
          />
          Refuse this handoff when a condition on the shared state holds
        </label>
        {rule !== null && (
          <>
            <SelectField
              label="Refuse when"
              id={`${prefix}-rule-match`}
              value={rule.match ?? 'all'}
              options={[
                { value: 'all', label: 'all conditions hold' },
                { value: 'any', label: 'any condition holds' },
              ]}
              onChange={(e) => setRule({ match: e.target.value as 'all' | 'any' })}
            />
            {conditions.map((c, j) => (
              <div key={j} className={dash.grid2} data-testid={`${prefix}-condition-row`}>
                <TextField
                  label="Variable"
                  id={`${prefix}-condition-${j}-variable`}
                  value={c.variable}
                  placeholder="plan"
                  error={errorFor(errors, index, `reject_when.conditions[${j}].variable`)}
                  onChange={(e) => setCondition(j, { variable: e.target.value })}
                />
                <SelectField
                  label="Test"
                  id={`${prefix}-condition-${j}-op`}
                  value={c.op}
                  options={OP_OPTIONS}
                  onChange={(e) => {
                    const op = e.target.value as RuleOp;
                    setCondition(j, {
                      op,
                      value: parseRuleValue(op, formatRuleValue(c.value), declared.get(c.variable)),
                    });
                  }}
                />
                <RuleValueInput
                  key={c.op}
                  id={`${prefix}-condition-${j}-value`}
                  condition={c}
                  type={declared.get(c.variable)}
                  error={errorFor(errors, index, `reject_when.conditions[${j}].value`)}
                  onChange={(value) => setCondition(j, { value })}
                />
                <div style={{ alignSelf: 'end' }}>
                  <Button
                    variant="ghost"
                    size="sm"
                    onClick={() => setRule({ conditions: conditions.filter((_, k) => k !== j) })}
                  >
                    Remove condition
                  </Button>
                </div>
              </div>
            ))}
            <Button
              size="sm"
              variant="secondary"
              data-testid={`${prefix}-add-condition`}
              onClick={() =>
                setRule({ conditions: [...conditions, { variable: '', op: 'eq', value: '' }] })
              }
            >
              Add condition
            </Button>
            {errorFor(errors, index, 'reject_when.conditions') && (
              <p role="alert" className={dash.muted}>
                {errorFor(errors, index, 'reject_when.conditions')}
              </p>
            )}
            <TextField
              label="Message to the LLM when refused"
              id={`${prefix}-rule-message`}
              value={rule.message}
              placeholder="Billing only serves paying customers; help the caller yourself."
              error={errorFor(errors, index, 'reject_when.message')}
              onChange={(e) => setRule({ message: e.target.value })}
            />
          </>
        )}
      </div>
    </div>
  );
}

/** Client checks for one handoff's plan, with the API's field paths (dotted). */
export function validateHandoffPlan(h: Handoff, i: number): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = /^[a-z][a-z0-9_]{0,47}$/;
  if (h.context_policy === 'last_n') {
    const n = h.last_n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 200) {
      errors[`handoffs.${i}.last_n`] = 'A whole number from 1 to 200.';
    }
  }
  const seen = new Set<string>();
  (h.variables ?? []).forEach((v, j) => {
    if (!name.test(v.name)) {
      errors[`handoffs.${i}.variables.${j}.name`] =
        'Lowercase letters, digits and _, starting with a letter.';
    } else if (seen.has(v.name)) {
      errors[`handoffs.${i}.variables.${j}.name`] = 'This variable is declared twice.';
    }
    seen.add(v.name);
  });
  const rule = h.reject_when;
  if (rule) {
    if ((rule.conditions ?? []).length === 0) {
      errors[`handoffs.${i}.reject_when.conditions`] = 'Add at least one condition.';
    }
    if (!rule.message.trim()) {
      errors[`handoffs.${i}.reject_when.message`] = 'Tell the LLM why the handoff is refused.';
    }
    (rule.conditions ?? []).forEach((c, j) => {
      if (!name.test(c.variable)) {
        errors[`handoffs.${i}.reject_when.conditions.${j}.variable`] =
          'Name a variable (lowercase letters, digits and _).';
      }
    });
  }
  return errors;
}
