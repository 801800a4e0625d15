'use client';

import dynamic from 'next/dynamic';
import { useState, type FormEvent } from 'react';
import { Card, ErrorBanner, Field, SelectField, TextField, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { fromTool, validateTool, type ToolValues } from './tool-validation';
import type { Schema } from '@/lib/api/client';

const JsonEditor = dynamic(() => import('./json-editor').then((m) => m.JsonEditor), {
  ssr: false,
  loading: () => <div className={dash.pre}>Loading editor…</div>,
});

export function ToolForm({
  initial,
  initialValues,
  serverErrors = {},
  submitError,
  onSubmit,
  editor = 'codemirror',
}: {
  initial?: Schema<'ToolRead'>;
  initialValues?: ToolValues;
  serverErrors?: Record<string, string>;
  submitError?: unknown;
  onSubmit: (values: ToolValues) => void | Promise<void>;
  /** `textarea` in unit tests (jsdom has no layout for CodeMirror). */
  editor?: 'codemirror' | 'textarea';
}) {
  const [values, setValues] = useState<ToolValues>(() => initialValues ?? fromTool(initial));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const errors = { ...serverErrors, ...clientErrors };
  const set = <K extends keyof ToolValues>(key: K, value: ToolValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateTool(values);
    setClientErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await onSubmit(values);
    } finally {
      setBusy(false);
    }
  }

  const parametersError = errors.parameters;
  return (
    <form
      className={dash.stack}
      onSubmit={(e) => void submit(e)}
      noValidate
      data-testid="tool-form"
    >
      <ErrorBanner error={submitError} />
      <Card title="Webhook">
        <div className={dash.stack}>
          <div className={dash.grid2}>
            <TextField
              label="Name"
              id="tool-name"
              value={values.name}
              error={errors.name}
              hint="The function name the model sees."
              onChange={(e) => set('name', e.target.value)}
            />
            <TextField
              label="Timeout (seconds)"
              id="tool-timeout"
              type="number"
              value={values.timeout}
              error={errors.timeout_s}
              placeholder="10"
              onChange={(e) => set('timeout', e.target.value)}
            />
          </div>
          <TextField
            label="Description"
            id="tool-description"
            value={values.description}
            error={errors.description}
            hint="Tell the model when to call this tool."
            onChange={(e) => set('description', e.target.value)}
          />
          <div className={dash.grid2} style={{ gridTemplateColumns: '140px 1fr' }}>
            <SelectField
              label="Method"
              id="tool-method"
              value={values.method}
              options={['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => ({
                value: m,
                label: m,
              }))}
              onChange={(e) => set('method', e.target.value as ToolValues['method'])}
            />
            <TextField
              label="URL"
              id="tool-url"
              value={values.url}
              error={errors.url}
              placeholder="https://example.com/hooks/lookup"
              onChange={(e) => set('url', e.target.value)}
            />
          </div>
        </div>
      </Card>
      <Card title="Headers">
        <div className={dash.grid2}>
          <HeaderList
            label="Headers"
            list={values.headers}
            error={errors.headers}
            onChange={(l) => set('headers', l)}
          />
          <HeaderList
            label="Secret headers (encrypted, shown masked)"
            list={values.secretHeaders}
            error={errors.secret_headers}
            secret
            onChange={(l) => set('secretHeaders', l)}
          />
        </div>
      </Card>
      <Card title="Parameters (JSON Schema)">
        <Field
          label="Arguments the model must provide"
          htmlFor="tool-parameters"
          error={parametersError}
          hint='An object schema: {"type": "object", "properties": {…}, "required": […]}'
        >
          {editor === 'textarea' ? (
            <textarea
              id="tool-parameters"
              className={dash.input}
              value={values.parameters}
              aria-invalid={parametersError ? true : undefined}
              onChange={(e) => set('parameters', e.target.value)}
            />
          ) : (
            <JsonEditor
              label="Parameters JSON Schema"
              testId="tool-parameters"
              value={values.parameters}
              invalid={Boolean(parametersError)}
              onChange={(text) => set('parameters', text)}
            />
          )}
        </Field>
      </Card>
      <div className={dash.actionsBar}>
        <Button type="submit" disabled={busy} data-testid="save-tool">
          {busy ? 'Saving…' : initial ? 'Save tool' : 'Create tool'}
        </Button>
      </div>
    </form>
  );
}

function HeaderList({
  label,
  list,
  onChange,
  error,
  secret,
}: {
  label: string;
  list: [string, string][];
  onChange: (next: [string, string][]) => void;
  error?: string;
  secret?: boolean;
}) {
  return (
    <div className={dash.field}>
      <span className={dash.label}>{label}</span>
      {list.map(([k, v], i) => (
        <div key={i} className={dash.row} style={{ flexWrap: 'nowrap' }}>
          <input
            className={dash.input}
            aria-label={`${label} name ${i + 1}`}
            placeholder="Name"
            value={k}
            onChange={(e) => onChange(list.map((p, j) => (j === i ? [e.target.value, p[1]] : p)))}
          />
          <input
            className={dash.input}
            aria-label={`${label} value ${i + 1}`}
            placeholder="Value"
            type={secret ? 'password' : 'text'}
            value={v}
            onChange={(e) => onChange(list.map((p, j) => (j === i ? [p[0], e.target.value] : p)))}
          />
          <Button
            variant="ghost"
            size="sm"
            onClick={() => onChange(list.filter((_, j) => j !== i))}
          >
            ✕
          </Button>
        </div>
      ))}
      <Button variant="secondary" size="sm" onClick={() => onChange([...list, ['', '']])}>
        Add header
      </Button>
      {error && <span className={dash.error}>{error}</span>}
    </div>
  );
}
