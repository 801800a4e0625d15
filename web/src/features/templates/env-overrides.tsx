'use client';

import { CheckboxChips, SelectField, TextField, dash } from '@/components/ui/kit';
import type { Schema } from '@/lib/api/client';

export const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
type Override = Schema<'TemplateOverride'>;
export type Overrides = Partial<Record<Environment, Override>>;

/** One environment's override as the form edits it: '' means "as the base template". */
export interface OverrideDraft {
  enabled: boolean;
  initial_agent: string;
  modality_profile: string;
  idle_timeout_s: string;
  max_duration_s: string;
  record_audio: '' | 'on' | 'off';
  panels: 'inherit' | 'custom';
  enabled_panels: string[];
  /** Not edited here (the Pinned versions card pins the base); kept as it was. */
  pinned_versions?: Override['pinned_versions'];
}
export type OverrideDrafts = Record<Environment, OverrideDraft>;

function draftOf(o: Override | undefined): OverrideDraft {
  return {
    enabled: o !== undefined && Object.values(o).some((v) => v !== null && v !== undefined),
    initial_agent: o?.initial_agent ?? '',
    modality_profile: o?.modality_profile ?? '',
    idle_timeout_s: o?.idle_timeout_s != null ? String(o.idle_timeout_s) : '',
    max_duration_s: o?.max_duration_s != null ? String(o.max_duration_s) : '',
    record_audio: o?.record_audio == null ? '' : o.record_audio ? 'on' : 'off',
    panels: o?.enabled_panels ? 'custom' : 'inherit',
    enabled_panels: o?.enabled_panels ?? [],
    pinned_versions: o?.pinned_versions ?? undefined,
  };
}

export function draftsFromOverrides(overrides: Overrides | null | undefined): OverrideDrafts {
  return {
    dev: draftOf(overrides?.dev),
    staging: draftOf(overrides?.staging),
    production: draftOf(overrides?.production),
  };
}

/** The API's `environment_overrides`: only the environments switched on, only set fields. */
export function overridesFromDrafts(drafts: OverrideDrafts): Overrides {
  const out: Overrides = {};
  for (const env of ENVIRONMENTS) {
    const d = drafts[env];
    if (!d.enabled) continue;
    const o: Override = {};
    if (d.initial_agent) o.initial_agent = d.initial_agent;
    if (d.modality_profile) o.modality_profile = d.modality_profile;
    if (d.idle_timeout_s.trim()) o.idle_timeout_s = Number(d.idle_timeout_s);
    if (d.max_duration_s.trim()) o.max_duration_s = Number(d.max_duration_s);
    if (d.record_audio) o.record_audio = d.record_audio === 'on';
    if (d.panels === 'custom') o.enabled_panels = d.enabled_panels;
    if (d.pinned_versions && Object.keys(d.pinned_versions).length) {
      o.pinned_versions = d.pinned_versions;
    }
    if (Object.keys(o).length) out[env] = o;
  }
  return out;
}

/** Field errors keyed `environment_overrides.<env>.<field>` (the API's problem paths). */
export function validateDrafts(drafts: OverrideDrafts): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const env of ENVIRONMENTS) {
    const d = drafts[env];
    if (!d.enabled) continue;
    const idle = d.idle_timeout_s.trim();
    if (idle && (!Number.isInteger(Number(idle)) || Number(idle) < 10)) {
      errors[`environment_overrides.${env}.idle_timeout_s`] = 'Whole seconds, at least 10.';
    }
    const max = d.max_duration_s.trim();
    if (max && (!Number.isInteger(Number(max)) || Number(max) < 60)) {
      errors[`environment_overrides.${env}.max_duration_s`] = 'Whole seconds, at least 60.';
    }
  }
  return errors;
}

const LABELS: Record<Environment, string> = {
  dev: 'Development',
  staging: 'Staging',
  production: 'Production',
};

/** Per-environment overrides as a form: each field left empty keeps the base template's. */
export function EnvOverridesEditor({
  drafts,
  onChange,
  errors,
  agents,
  modalityProfiles,
  panels,
}: {
  drafts: OverrideDrafts;
  onChange: (next: OverrideDrafts) => void;
  errors: Record<string, string>;
  agents: string[];
  modalityProfiles: string[];
  panels: string[];
}) {
  const update = (env: Environment, patch: Partial<OverrideDraft>) =>
    onChange({ ...drafts, [env]: { ...drafts[env], ...patch } });
  return (
    <div className={dash.stack} data-testid="env-overrides">
      <p className={dash.muted}>
        A session started in an environment uses these values instead of the ones above; empty
        fields keep the template’s.
      </p>
      {ENVIRONMENTS.map((env) => {
        const d = drafts[env];
        const err = (field: string) => errors[`environment_overrides.${env}.${field}`];
        return (
          <fieldset
            key={env}
            className={dash.stack}
            style={{ border: 0, padding: 0, margin: 0, gap: 8 }}
            data-testid={`env-${env}`}
          >
            <label className={dash.chip} style={{ alignSelf: 'start' }}>
              <input
                type="checkbox"
                checked={d.enabled}
                onChange={(e) => update(env, { enabled: e.target.checked })}
              />
              Override in {LABELS[env]}
            </label>
            {d.enabled && (
              <>
                <div className={dash.grid3}>
                  <SelectField
                    label={`${LABELS[env]}: initial agent`}
                    value={d.initial_agent}
                    error={err('initial_agent')}
                    options={[
                      { value: '', label: 'As the template' },
                      ...agents.map((a) => ({ value: a, label: a })),
                    ]}
                    onChange={(e) => update(env, { initial_agent: e.target.value })}
                  />
                  <SelectField
                    label={`${LABELS[env]}: modality`}
                    value={d.modality_profile}
                    error={err('modality_profile')}
                    options={[
                      { value: '', label: 'As the template' },
                      ...modalityProfiles.map((m) => ({ value: m, label: m })),
                    ]}
                    onChange={(e) => update(env, { modality_profile: e.target.value })}
                  />
                  <SelectField
                    label={`${LABELS[env]}: record audio`}
                    value={d.record_audio}
                    options={[
                      { value: '', label: 'As the template' },
                      { value: 'on', label: 'Record' },
                      { value: 'off', label: 'Do not record' },
                    ]}
                    onChange={(e) =>
                      update(env, { record_audio: e.target.value as OverrideDraft['record_audio'] })
                    }
                  />
                  <TextField
                    label={`${LABELS[env]}: idle timeout (s)`}
                    type="number"
                    placeholder="As the template"
                    value={d.idle_timeout_s}
                    error={err('idle_timeout_s')}
                    onChange={(e) => update(env, { idle_timeout_s: e.target.value })}
                  />
                  <TextField
                    label={`${LABELS[env]}: max duration (s)`}
                    type="number"
                    placeholder="As the template"
                    value={d.max_duration_s}
                    error={err('max_duration_s')}
                    onChange={(e) => update(env, { max_duration_s: e.target.value })}
                  />
                  <label className={dash.chip} style={{ alignSelf: 'end' }}>
                    <input
                      type="checkbox"
                      checked={d.panels === 'custom'}
                      onChange={(e) =>
                        update(env, { panels: e.target.checked ? 'custom' : 'inherit' })
                      }
                    />
                    Own panels
                  </label>
                </div>
                {d.panels === 'custom' && (
                  <CheckboxChips
                    label={`${LABELS[env]}: panels`}
                    name={`env-${env}-panels`}
                    options={panels.map((p) => ({ value: p, label: p }))}
                    value={d.enabled_panels}
                    error={err('enabled_panels')}
                    onChange={(next) => update(env, { enabled_panels: next })}
                  />
                )}
              </>
            )}
          </fieldset>
        );
      })}
    </div>
  );
}
