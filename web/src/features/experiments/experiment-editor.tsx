'use client';

import { useState, type FormEvent } from 'react';
import { toExperimentBody, validateArms, type ArmDraft } from '@/lib/form-validation';
import { ErrorBanner, Field, Notice, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { fieldProblems, type Schema } from '@/lib/api/client';

function toDraft(arm: Schema<'Arm'>): ArmDraft {
  return {
    name: arm.name,
    weight: String(arm.weight),
    agent_set_id: arm.agent_set_id ?? '',
    pins: Object.entries(arm.pinned_versions ?? {})
      .map(([slug, v]) => `${slug}=${v}`)
      .join('\n'),
  };
}

const EMPTY: ArmDraft[] = [
  { name: 'control', weight: '50', agent_set_id: '', pins: '' },
  { name: 'variant', weight: '50', agent_set_id: '', pins: '' },
];

/** Arms (name, weight, agent set, version pins) of a template's experiment. */
export function ExperimentEditor({
  initial,
  sets,
  saved = false,
  onSave,
}: {
  initial?: Schema<'ExperimentConfig'>;
  sets: Schema<'AgentSetRead'>[];
  /** Set by the owner, which remounts this form with the saved config. */
  saved?: boolean;
  onSave: (body: Schema<'ExperimentConfig'>) => Promise<void>;
}) {
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [arms, setArms] = useState<ArmDraft[]>(
    initial?.arms?.length ? initial.arms.map(toDraft) : EMPTY,
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);

  const update = (i: number, patch: Partial<ArmDraft>) =>
    setArms(arms.map((a, j) => (j === i ? { ...a, ...patch } : a)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const found = enabled ? validateArms(arms) : {};
    setErrors(found);
    if (Object.keys(found).length) return;
    try {
      await onSave(toExperimentBody(enabled, enabled ? arms : []));
    } catch (err) {
      setErrors(fieldProblems(err));
      setError(err);
    }
  }

  const total = arms.reduce((sum, a) => sum + (Number(a.weight) || 0), 0);
  return (
    <form className={dash.stack} onSubmit={(e) => void submit(e)} noValidate>
      <ErrorBanner error={error} />
      {saved && <Notice tone="success">Experiment saved. New sessions are split by weight.</Notice>}
      <label className={dash.row}>
        <input
          type="checkbox"
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
          data-testid="experiment-enabled"
        />
        Split new sessions between arms
      </label>
      {errors.arms && (
        <span className={dash.error} role="alert">
          {errors.arms}
        </span>
      )}
      {enabled &&
        arms.map((arm, i) => (
          <fieldset
            key={i}
            className={dash.card}
            style={{ margin: 0 }}
            data-testid="arm-editor"
            aria-label={`Arm ${i + 1}`}
          >
            <div className={dash.grid2}>
              <Field label="Arm name" htmlFor={`arm-${i}-name`} error={errors[`arms.${i}.name`]}>
                <input
                  id={`arm-${i}-name`}
                  className={dash.input}
                  value={arm.name}
                  onChange={(e) => update(i, { name: e.target.value })}
                />
              </Field>
              <Field
                label="Weight"
                htmlFor={`arm-${i}-weight`}
                error={errors[`arms.${i}.weight`]}
                hint={
                  total > 0 && Number(arm.weight) > 0
                    ? `${Math.round((Number(arm.weight) / total) * 100)}% of new sessions`
                    : undefined
                }
              >
                <input
                  id={`arm-${i}-weight`}
                  className={dash.input}
                  inputMode="decimal"
                  value={arm.weight}
                  onChange={(e) => update(i, { weight: e.target.value })}
                />
              </Field>
              <Field label="Agent set" htmlFor={`arm-${i}-set`}>
                <select
                  id={`arm-${i}-set`}
                  className={dash.input}
                  value={arm.agent_set_id}
                  onChange={(e) => update(i, { agent_set_id: e.target.value })}
                >
                  <option value="">The template&apos;s agent set</option>
                  {sets.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </Field>
              <Field
                label="Pinned versions"
                htmlFor={`arm-${i}-pins`}
                error={errors[`arms.${i}.pins`]}
                hint="One slug=version per line (a number or latest)."
              >
                <textarea
                  id={`arm-${i}-pins`}
                  className={dash.input}
                  rows={2}
                  value={arm.pins}
                  placeholder="front_desk=3"
                  onChange={(e) => update(i, { pins: e.target.value })}
                />
              </Field>
            </div>
            {arms.length > 2 && (
              <Button
                variant="ghost"
                size="sm"
                onClick={() => setArms(arms.filter((_, j) => j !== i))}
              >
                Remove arm
              </Button>
            )}
          </fieldset>
        ))}
      {errors._ && (
        <span className={dash.error} role="alert">
          {errors._}
        </span>
      )}
      <div className={dash.row}>
        {enabled && (
          <Button
            variant="secondary"
            onClick={() =>
              setArms([
                ...arms,
                { name: `arm_${arms.length + 1}`, weight: '50', agent_set_id: '', pins: '' },
              ])
            }
            disabled={arms.length >= 20}
          >
            Add arm
          </Button>
        )}
        <Button type="submit" data-testid="save-experiment">
          Save experiment
        </Button>
      </div>
    </form>
  );
}
