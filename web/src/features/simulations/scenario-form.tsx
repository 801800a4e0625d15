'use client';

import { useState, type FormEvent } from 'react';
import { ErrorBanner, Field, SelectField, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import type { Scenario } from '@/contracts';
import { fieldProblems, type Schema } from '@/lib/api/client';
import {
  CRITERION_TYPES,
  emptyCriterion,
  toScenario,
  type CriterionRow,
  type CriterionType,
  type MockRow,
  type ScenarioFormValues,
} from './scenario-form-model';
import styles from './simulations.module.css';

function TextArea({
  label,
  id,
  value,
  onChange,
  hint,
  error,
  rows = 3,
  placeholder,
}: {
  label: string;
  id: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
  error?: string;
  rows?: number;
  placeholder?: string;
}) {
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error}>
      <textarea
        id={id}
        className={dash.input}
        rows={rows}
        value={value}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

function CriterionEditor({
  row,
  index,
  error,
  onChange,
  onRemove,
}: {
  row: CriterionRow;
  index: number;
  error?: string;
  onChange: (row: CriterionRow) => void;
  onRemove: () => void;
}) {
  const set = (patch: Partial<CriterionRow>) => onChange({ ...row, ...patch });
  const id = `criterion-${index}`;
  return (
    <div className={styles.row} data-testid="criterion-row">
      <div className={styles.rowFields}>
        <SelectField
          label="Criterion"
          id={`${id}-type`}
          value={row.type}
          options={CRITERION_TYPES}
          onChange={(e) => set({ type: e.target.value as CriterionType })}
        />
        {row.type === 'handoff' && (
          <TextField
            label="Agent (slug)"
            id={`${id}-agent`}
            value={row.agent}
            placeholder="billing"
            onChange={(e) => set({ agent: e.target.value })}
          />
        )}
        {row.type === 'tool_call' && (
          <>
            <TextField
              label="Tool"
              id={`${id}-tool`}
              value={row.tool}
              placeholder="lookup_order"
              onChange={(e) => set({ tool: e.target.value })}
            />
            <TextField
              label="Arguments contain (JSON)"
              id={`${id}-arguments`}
              value={row.arguments}
              placeholder='{"order_id": "A-1234"}'
              onChange={(e) => set({ arguments: e.target.value })}
            />
            <TextField
              label="Arguments match (JSON of regexes)"
              id={`${id}-patterns`}
              value={row.patterns}
              placeholder='{"order_id": "^A-\\d+$"}'
              onChange={(e) => set({ patterns: e.target.value })}
            />
          </>
        )}
        {(row.type === 'must_not_say' || row.type === 'must_say') && (
          <TextField
            label="Pattern (regular expression, any case)"
            id={`${id}-pattern`}
            value={row.pattern}
            placeholder="sorry|cannot"
            onChange={(e) => set({ pattern: e.target.value })}
          />
        )}
        {row.type === 'max_turns' && (
          <TextField
            label="Turns"
            id={`${id}-turns`}
            inputMode="numeric"
            value={row.turns}
            onChange={(e) => set({ turns: e.target.value })}
          />
        )}
      </div>
      <Button
        variant="ghost"
        size="sm"
        onClick={onRemove}
        aria-label={`Remove criterion ${index + 1}`}
      >
        Remove
      </Button>
      {error && (
        <span className={dash.error} role="alert" data-testid={`error-criteria.${index}`}>
          {error}
        </span>
      )}
    </div>
  );
}

function MockEditor({
  row,
  index,
  error,
  onChange,
  onRemove,
}: {
  row: MockRow;
  index: number;
  error?: string;
  onChange: (row: MockRow) => void;
  onRemove: () => void;
}) {
  const set = (patch: Partial<MockRow>) => onChange({ ...row, ...patch });
  return (
    <div className={styles.row} data-testid="mock-row">
      <div className={styles.rowFields}>
        <TextField
          label="Tool"
          id={`mock-${index}-tool`}
          value={row.tool}
          onChange={(e) => set({ tool: e.target.value })}
        />
        <SelectField
          label="Returns"
          id={`mock-${index}-kind`}
          value={row.kind}
          options={[
            { value: 'result', label: 'a result' },
            { value: 'error', label: 'an error' },
          ]}
          onChange={(e) => set({ kind: e.target.value as MockRow['kind'] })}
        />
        <TextField
          label={row.kind === 'error' ? 'Error message' : 'Result'}
          id={`mock-${index}-text`}
          value={row.text}
          onChange={(e) => set({ text: e.target.value })}
        />
      </div>
      <Button variant="ghost" size="sm" onClick={onRemove}>
        Remove
      </Button>
      {error && (
        <span className={dash.error} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** Create/edit a scenario; `onSubmit` gets the API body and throws the API's error. */
export function ScenarioForm({
  initial,
  templates,
  submitLabel,
  onSubmit,
}: {
  initial: ScenarioFormValues;
  templates: Schema<'TemplateRead'>[];
  submitLabel: string;
  onSubmit: (scenario: Scenario) => Promise<void>;
}) {
  const [v, setV] = useState<ScenarioFormValues>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const set = (patch: Partial<ScenarioFormValues>) => {
    const next = { ...v, ...patch };
    setV(next);
    // after a first submit, problems go away as soon as they are fixed
    if (attempted) setErrors(toScenario(next).errors ?? {});
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setAttempted(true);
    const out = toScenario(v);
    if (out.errors) {
      setErrors(out.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await onSubmit(out.scenario);
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={dash.stack} onSubmit={(e) => void submit(e)} noValidate>
      <ErrorBanner error={error} />
      <div className={dash.grid2}>
        <TextField
          label="Name"
          id="scenario-name"
          value={v.name}
          error={errors.name}
          placeholder="Refund questions reach billing"
          onChange={(e) => set({ name: e.target.value })}
        />
        <SelectField
          label="Template under test"
          id="scenario-template"
          value={v.templateId}
          error={errors.template_id}
          options={[
            { value: '', label: 'Pick a template…' },
            ...templates.map((t) => ({ value: t.id, label: t.name })),
          ]}
          onChange={(e) => set({ templateId: e.target.value })}
        />
      </div>
      <div className={dash.grid2}>
        <TextArea
          label="Goal of the simulated user"
          id="scenario-goal"
          value={v.goal}
          onChange={(goal) => set({ goal })}
          placeholder="Find out whether order A-1234 was refunded"
        />
        <TextArea
          label="Persona"
          id="scenario-persona"
          value={v.persona}
          onChange={(persona) => set({ persona })}
          placeholder="An impatient customer who gives short answers"
        />
      </div>
      <TextArea
        label="What the user says (one turn per line)"
        id="scenario-turns"
        rows={4}
        value={v.turns}
        error={errors.turns}
        hint="Said in order: the offline default. With a persona LLM below and its key configured, the LLM plays the persona instead."
        onChange={(turns) => set({ turns })}
      />
      <div className={dash.grid2}>
        <TextField
          label="Persona LLM (optional)"
          id="scenario-persona-llm"
          value={v.personaLlm}
          placeholder="openai/gpt-4.1-mini"
          onChange={(e) => set({ personaLlm: e.target.value })}
        />
        <TextField
          label="Maximum user turns"
          id="scenario-max-turns"
          inputMode="numeric"
          value={v.maxTurns}
          error={errors.max_turns}
          onChange={(e) => set({ maxTurns: e.target.value })}
        />
      </div>
      <TextField
        label="Session variables (optional)"
        id="scenario-variables"
        value={v.variables}
        placeholder='{"customer_name": "Sam"}'
        hint="A JSON object of the template's declared variables; checked as a session start checks them."
        error={errors.variables}
        onChange={(e) => set({ variables: e.target.value })}
      />

      <fieldset className={styles.fieldset}>
        <legend>Success criteria</legend>
        {v.criteria.map((row, i) => (
          <CriterionEditor
            key={i}
            row={row}
            index={i}
            error={errors[`criteria.${i}`]}
            onChange={(next) => set({ criteria: v.criteria.map((c, j) => (j === i ? next : c)) })}
            onRemove={() => set({ criteria: v.criteria.filter((_, j) => j !== i) })}
          />
        ))}
        <div>
          <Button
            variant="secondary"
            size="sm"
            data-testid="add-criterion"
            onClick={() => set({ criteria: [...v.criteria, emptyCriterion()] })}
          >
            Add criterion
          </Button>
        </div>
      </fieldset>

      <fieldset className={styles.fieldset}>
        <legend>Mocked tools</legend>
        <p className={dash.muted}>
          A mocked tool returns this instead of running (webhooks are not called).
        </p>
        {v.mocks.map((row, i) => (
          <MockEditor
            key={i}
            row={row}
            index={i}
            error={errors[`mocks.${i}`]}
            onChange={(next) => set({ mocks: v.mocks.map((m, j) => (j === i ? next : m)) })}
            onRemove={() => set({ mocks: v.mocks.filter((_, j) => j !== i) })}
          />
        ))}
        <div>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => set({ mocks: [...v.mocks, { tool: '', kind: 'result', text: '' }] })}
          >
            Add mock
          </Button>
        </div>
      </fieldset>

      <fieldset className={styles.fieldset}>
        <legend>Judge model (optional)</legend>
        <div className={dash.grid2}>
          <TextField
            label="Model"
            id="scenario-judge-llm"
            value={v.judgeLlm}
            placeholder="openai/gpt-4.1-mini"
            error={errors.judge}
            onChange={(e) => set({ judgeLlm: e.target.value })}
          />
          <TextField
            label="The agents should…"
            id="scenario-judge-intent"
            value={v.judgeIntent}
            placeholder="confirm the refund politely"
            onChange={(e) => set({ judgeIntent: e.target.value })}
          />
        </div>
        <p className={dash.muted}>
          Skipped (not failed) when the model&apos;s provider has no key.
        </p>
      </fieldset>

      <div>
        <Button type="submit" disabled={busy} data-testid="save-scenario">
          {busy ? 'Saving…' : submitLabel}
        </Button>
      </div>
    </form>
  );
}
