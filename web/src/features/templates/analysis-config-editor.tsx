'use client';

import { useState, type FormEvent } from 'react';
import { validateAnalysis } from '@/lib/form-validation';
import { Card, ErrorBanner, Field, Notice, dash } from '@/components/ui/kit';
import { JsonEditor } from '@/features/tools/json-editor';
import { Button } from '@/components/ui/button';
import { api, fieldProblems, type Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';

export const EXAMPLE_SCHEMA = `{
  "type": "object",
  "properties": {
    "email": {
      "type": "string",
      "x-troupe-source": "user",
      "x-troupe-pattern": "[\\\\w.+-]+@[\\\\w-]+\\\\.[\\\\w.]+"
    },
    "resolved": {
      "type": "boolean",
      "x-troupe-pattern": "that (solved|fixed) it",
      "x-troupe-false-pattern": "still (broken|not working)"
    }
  }
}`;
export const EXAMPLE_CRITERIA = `[
  { "name": "Issue resolved", "field": "resolved", "equals": true }
]`;

const pretty = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** Per-template post-session analysis: the fields to extract (JSON Schema) and success criteria. */
export function AnalysisConfigEditor({ templateId }: { templateId: string }) {
  const config = useApi<Schema<'AnalysisConfig'>>(`/session-templates/${templateId}/analysis`);
  // Kept here: the form remounts with the saved config, which would drop its own notice.
  const [saved, setSaved] = useState(false);
  if (!config.data) {
    return (
      <Card title="Post-session analysis">
        <ErrorBanner error={config.error} />
      </Card>
    );
  }
  return (
    <AnalysisForm
      key={JSON.stringify(config.data)}
      initial={config.data}
      saved={saved}
      onSave={async (body) => {
        setSaved(false);
        await api(`/session-templates/${templateId}/analysis`, { method: 'PUT', json: body });
        setSaved(true);
        config.reload();
      }}
    />
  );
}

export function AnalysisForm({
  initial,
  saved,
  onSave,
}: {
  initial: Schema<'AnalysisConfig'>;
  saved: boolean;
  onSave: (body: Schema<'AnalysisConfig'>) => Promise<void>;
}) {
  const [schema, setSchema] = useState(pretty(initial.schema));
  const [criteria, setCriteria] = useState(pretty(initial.criteria));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const { errors: found, body } = validateAnalysis(schema, criteria);
    setErrors(found);
    if (!body) return;
    try {
      await onSave(body);
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  return (
    <Card title="Post-session analysis" testId="analysis-config">
      <form className={dash.stack} onSubmit={(e) => void submit(e)} noValidate>
        <p className={dash.muted}>
          After each session ends, these fields are extracted from the transcript and the criteria
          decide success (rule-based offline; an LLM when one is configured). Leave both empty to
          turn analysis off.
        </p>
        <ErrorBanner error={error} />
        {saved && <Notice tone="success">Analysis settings saved.</Notice>}
        <Field label="Fields to extract (JSON Schema)" error={errors.schema}>
          <JsonEditor value={schema} onChange={setSchema} label="Analysis schema" />
        </Field>
        <Field label="Success criteria (JSON array)" error={errors.criteria}>
          <JsonEditor value={criteria} onChange={setCriteria} label="Success criteria" />
        </Field>
        <div className={dash.row}>
          {!schema.trim() && !criteria.trim() && (
            <Button
              variant="ghost"
              onClick={() => {
                setSchema(EXAMPLE_SCHEMA);
                setCriteria(EXAMPLE_CRITERIA);
              }}
            >
              Start from an example
            </Button>
          )}
          <Button type="submit" data-testid="save-analysis">
            Save analysis
          </Button>
        </div>
      </form>
    </Card>
  );
}
