'use client';

import { useState, type FormEvent } from 'react';
import {
  Card,
  CheckboxChips,
  ErrorBanner,
  SelectField,
  TextField,
  dash,
} from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';
import {
  EnvOverridesEditor,
  draftsFromOverrides,
  overridesFromDrafts,
  validateDrafts,
  type OverrideDrafts,
} from './env-overrides';
import {
  SessionVariablesEditor,
  draftsFromVariables,
  validateVariables,
  variablesFromDrafts,
  type VariableDraft,
} from './session-variables';

type Template = Schema<'TemplateRead'>;
export type TemplateBody = Schema<'TemplateCreate'>;

/** The agent-set choice that picks agents directly: the form makes their agent set on save. */
export const PICK_AGENTS = '__pick_agents__';

interface Values {
  name: string;
  description: string;
  agent_set_id: string;
  /** The agents picked directly (agent set `PICK_AGENTS`). */
  picked: string[];
  initial_agent: string;
  modality_profile: string;
  enabled_panels: string[];
  idle_timeout_s: string;
  max_duration_s: string;
  record_audio: boolean;
  noise_suppression: boolean;
  endpointing: 'smart_turn' | 'vad';
  /** Milliseconds; empty: the mode's default. */
  endpointing_min_delay_ms: string;
  endpointing_max_delay_ms: string;
  recording_consent_text: string;
  pinned: Record<string, string>;
  overrides: OverrideDrafts;
  variables: VariableDraft[];
}

function fromTemplate(t?: Template): Values {
  return {
    name: t?.name ?? '',
    description: t?.description ?? '',
    agent_set_id: t?.agent_set_id ?? '',
    picked: [],
    initial_agent: t?.initial_agent ?? '',
    modality_profile: t?.modality_profile ?? 'audio',
    enabled_panels: t?.enabled_panels ?? [],
    idle_timeout_s: String(t?.idle_timeout_s ?? 120),
    max_duration_s: String(t?.max_duration_s ?? 1800),
    record_audio: t?.record_audio ?? false,
    noise_suppression: t?.noise_suppression ?? false,
    endpointing: t?.endpointing ?? 'smart_turn',
    endpointing_min_delay_ms: t?.endpointing_min_delay_ms?.toString() ?? '',
    endpointing_max_delay_ms: t?.endpointing_max_delay_ms?.toString() ?? '',
    recording_consent_text: t?.recording_consent_text ?? '',
    pinned: Object.fromEntries(
      Object.entries(t?.pinned_versions ?? {}).map(([k, v]) => [k, String(v)]),
    ),
    overrides: draftsFromOverrides(t?.environment_overrides),
    variables: draftsFromVariables(t?.variables),
  };
}

export function validateTemplate(v: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!v.name.trim()) errors.name = 'Name the template.';
  if (!v.agent_set_id) errors.agent_set_id = 'Pick the agent set it runs.';
  if (v.agent_set_id === PICK_AGENTS && v.picked.length === 0)
    errors.picked = 'Pick at least one agent.';
  const idle = Number(v.idle_timeout_s);
  if (!Number.isInteger(idle) || idle < 10) errors.idle_timeout_s = 'Whole seconds, at least 10.';
  const max = Number(v.max_duration_s);
  if (!Number.isInteger(max) || max < 60) errors.max_duration_s = 'Whole seconds, at least 60.';
  const low = optionalMs(v.endpointing_min_delay_ms);
  const high = optionalMs(v.endpointing_max_delay_ms);
  if (low === undefined || (low !== null && low > 5000))
    errors.endpointing_min_delay_ms = 'Whole milliseconds, 0 to 5000 (empty: the default).';
  if (high === undefined || (high !== null && (high < 100 || high > 10000)))
    errors.endpointing_max_delay_ms = 'Whole milliseconds, 100 to 10000 (empty: the default).';
  if (low != null && high != null && low > high)
    errors.endpointing_max_delay_ms = 'At least the shortest wait.';
  for (const [slug, pin] of Object.entries(v.pinned)) {
    if (pin && pin !== 'latest' && !/^\d+$/.test(pin))
      errors[`pinned_versions.${slug}`] = 'A version number or latest.';
  }
  Object.assign(errors, validateDrafts(v.overrides));
  Object.assign(errors, validateVariables(v.variables));
  return errors;
}

/** A delay field: null when empty, undefined when not whole milliseconds. */
function optionalMs(text: string): number | null | undefined {
  if (!text.trim()) return null;
  return /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}

function toBody(v: Values): TemplateBody {
  const pinned: Record<string, number | 'latest'> = {};
  for (const [slug, pin] of Object.entries(v.pinned)) {
    if (pin && pin !== 'latest') pinned[slug] = Number(pin);
  }
  return {
    name: v.name.trim(),
    description: v.description,
    agent_set_id: v.agent_set_id,
    initial_agent: v.initial_agent || null,
    modality_profile: v.modality_profile,
    enabled_panels: v.enabled_panels,
    idle_timeout_s: Number(v.idle_timeout_s),
    max_duration_s: Number(v.max_duration_s),
    record_audio: v.record_audio,
    noise_suppression: v.noise_suppression,
    endpointing: v.endpointing,
    endpointing_min_delay_ms: optionalMs(v.endpointing_min_delay_ms) ?? null,
    endpointing_max_delay_ms: optionalMs(v.endpointing_max_delay_ms) ?? null,
    recording_consent_text: v.recording_consent_text,
    pinned_versions: pinned,
    environment_overrides: overridesFromDrafts(v.overrides),
    variables: variablesFromDrafts(v.variables),
  };
}

export function TemplateForm({
  initial,
  catalog,
  sets,
  agents,
  serverErrors = {},
  submitError,
  onSubmit,
}: {
  initial?: Template;
  catalog: Schema<'Catalog'> | undefined;
  sets: Schema<'AgentSetRead'>[];
  /** Given: the agents can be picked directly, without making an agent set first. */
  agents?: Schema<'AgentRead'>[];
  serverErrors?: Record<string, string>;
  submitError?: unknown;
  onSubmit: (body: TemplateBody) => void | Promise<void>;
}) {
  const [values, setValues] = useState<Values>(() => {
    const v = fromTemplate(initial);
    // No agent set yet: start with picking agents, not with a dead end.
    if (!initial && sets.length === 0 && agents?.length) v.agent_set_id = PICK_AGENTS;
    return v;
  });
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const errors = { ...serverErrors, ...clientErrors };
  const set = <K extends keyof Values>(k: K, v: Values[K]) => setValues((s) => ({ ...s, [k]: v }));
  const picking = values.agent_set_id === PICK_AGENTS;
  const agentSet = sets.find((s) => s.id === values.agent_set_id);
  const members = picking ? values.picked : (agentSet?.agents ?? []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found = validateTemplate(values);
    setClientErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      let v = values;
      if (picking) {
        // Agents picked directly: their agent set is made here, named after the template.
        const made = await api<Schema<'AgentSetRead'>>('/agent-sets', {
          method: 'POST',
          json: {
            name: `${values.name.trim()} agents`,
            initial_agent: values.initial_agent || values.picked[0]!,
            agents: values.picked,
          },
        });
        v = { ...values, agent_set_id: made.id };
        setValues(v);
      }
      await onSubmit(toBody(v));
    } catch (e) {
      setClientErrors({ picked: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className={dash.stack}
      onSubmit={(e) => void submit(e)}
      noValidate
      data-testid="template-form"
    >
      <ErrorBanner error={submitError} />
      <Card title="Template">
        <div className={dash.stack}>
          <div className={dash.grid2}>
            <TextField
              label="Name"
              id="template-name"
              value={values.name}
              error={errors.name}
              onChange={(e) => set('name', e.target.value)}
            />
            <TextField
              label="Description"
              id="template-description"
              value={values.description}
              onChange={(e) => set('description', e.target.value)}
            />
          </div>
          <div className={dash.grid2}>
            <SelectField
              label="Agent set"
              id="template-set"
              value={values.agent_set_id}
              error={errors.agent_set_id}
              hint={
                sets.length === 0 && !agents?.length
                  ? 'Create an agent set on the Topology page first.'
                  : undefined
              }
              options={[
                { value: '', label: 'Choose…' },
                ...sets.map((s) => ({ value: s.id, label: s.name })),
                ...(agents ? [{ value: PICK_AGENTS, label: 'Pick agents directly…' }] : []),
              ]}
              onChange={(e) => set('agent_set_id', e.target.value)}
            />
            <SelectField
              label="Initial agent"
              id="template-initial"
              value={values.initial_agent}
              error={errors.initial_agent}
              options={[
                {
                  value: '',
                  label: agentSet
                    ? `Set default (${agentSet.initial_agent})`
                    : picking && values.picked[0]
                      ? `First picked (${values.picked[0]})`
                      : 'Set default',
                },
                ...members.map((m) => ({ value: m, label: m })),
              ]}
              onChange={(e) => set('initial_agent', e.target.value)}
            />
          </div>
          {picking && agents && (
            <CheckboxChips
              label="Agents"
              name="template-agents"
              options={agents.map((a) => ({ value: a.slug, label: a.name }))}
              value={values.picked}
              error={errors.picked}
              hint="Their agent set is made when you save (named after the template)."
              onChange={(next) => set('picked', next)}
            />
          )}
        </div>
      </Card>
      <Card title="Session">
        <div className={dash.stack}>
          <div className={dash.grid2}>
            <SelectField
              label="Modality"
              id="template-modality"
              value={values.modality_profile}
              error={errors.modality_profile}
              options={Object.entries(catalog?.modality_profiles ?? { audio: [] }).map(
                ([k, v]) => ({
                  value: k,
                  label: v.length ? `${k} (${v.join(' + ')})` : `${k} (voice only)`,
                }),
              )}
              onChange={(e) => set('modality_profile', e.target.value)}
            />
            <TextField
              label="Idle timeout (s)"
              id="template-idle"
              type="number"
              value={values.idle_timeout_s}
              error={errors.idle_timeout_s}
              onChange={(e) => set('idle_timeout_s', e.target.value)}
            />
            <TextField
              label="Max duration (s)"
              id="template-max"
              type="number"
              value={values.max_duration_s}
              error={errors.max_duration_s}
              onChange={(e) => set('max_duration_s', e.target.value)}
            />
            <label className={dash.chip} style={{ alignSelf: 'end' }}>
              <input
                type="checkbox"
                checked={values.record_audio}
                onChange={(e) => set('record_audio', e.target.checked)}
              />
              Record audio
            </label>
            <label
              className={dash.chip}
              style={{ alignSelf: 'end' }}
              title="Suppress steady background noise (fans, hum, street) in the user's microphone on the agent's side, before voice detection and speech recognition."
            >
              <input
                type="checkbox"
                data-testid="template-noise-suppression"
                checked={values.noise_suppression}
                onChange={(e) => set('noise_suppression', e.target.checked)}
              />
              Noise suppression
            </label>
          </div>
          <div className={dash.grid3}>
            <SelectField
              label="End of turn"
              id="template-endpointing"
              value={values.endpointing}
              hint="How the agent decides the user has finished speaking."
              options={[
                { value: 'smart_turn', label: 'Smart Turn (short pause, then the turn model)' },
                { value: 'vad', label: 'Silence only (voice activity detection)' },
              ]}
              onChange={(e) => set('endpointing', e.target.value as Values['endpointing'])}
            />
            <TextField
              label="Shortest wait (ms)"
              id="template-endpointing-min"
              type="number"
              placeholder={values.endpointing === 'vad' ? '500' : '250'}
              value={values.endpointing_min_delay_ms}
              error={errors.endpointing_min_delay_ms}
              onChange={(e) => set('endpointing_min_delay_ms', e.target.value)}
            />
            <TextField
              label="Longest wait (ms)"
              id="template-endpointing-max"
              type="number"
              placeholder={values.endpointing === 'vad' ? '3000' : '2000'}
              value={values.endpointing_max_delay_ms}
              error={errors.endpointing_max_delay_ms}
              onChange={(e) => set('endpointing_max_delay_ms', e.target.value)}
            />
          </div>
          {values.record_audio && (
            <TextField
              label="Recording consent notice"
              id="template-recording-consent"
              hint="Shown to the user before joining and beside the REC badge; a default sentence when empty."
              maxLength={1000}
              value={values.recording_consent_text}
              onChange={(e) => set('recording_consent_text', e.target.value)}
            />
          )}
          <CheckboxChips
            label="Panels"
            name="template-panels"
            options={(catalog?.panels ?? []).map((p) => ({ value: p, label: p }))}
            value={values.enabled_panels}
            error={errors.enabled_panels}
            onChange={(next) => set('enabled_panels', next)}
          />
        </div>
      </Card>
      <Card title="Pinned versions">
        {members.length === 0 ? (
          <p className={dash.muted}>Pick an agent set to pin its agents’ versions.</p>
        ) : (
          <div className={dash.grid3}>
            {members.map((slug) => (
              <TextField
                key={slug}
                label={slug}
                value={values.pinned[slug] ?? ''}
                placeholder="latest"
                error={errors[`pinned_versions.${slug}`]}
                onChange={(e) => set('pinned', { ...values.pinned, [slug]: e.target.value })}
              />
            ))}
          </div>
        )}
      </Card>
      <Card title="Environment overrides">
        {errors.environment_overrides && (
          <p className={dash.error} role="alert">
            {errors.environment_overrides}
          </p>
        )}
        <EnvOverridesEditor
          drafts={values.overrides}
          onChange={(next) => set('overrides', next)}
          errors={errors}
          agents={members}
          modalityProfiles={Object.keys(catalog?.modality_profiles ?? { audio: [] })}
          panels={catalog?.panels ?? []}
        />
      </Card>
      <Card title="Session variables">
        <SessionVariablesEditor
          drafts={values.variables}
          onChange={(next) => set('variables', next)}
          errors={errors}
        />
      </Card>
      <div className={dash.actionsBar}>
        <Button type="submit" disabled={busy} data-testid="save-template">
          {busy ? 'Saving…' : initial ? 'Save template' : 'Create template'}
        </Button>
      </div>
    </form>
  );
}
