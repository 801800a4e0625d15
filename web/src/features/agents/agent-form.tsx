'use client';

import Link from 'next/link';
import { useMemo, useState, type FormEvent } from 'react';
import Markdown from 'react-markdown';
import {
  Card,
  CheckboxChips,
  ErrorBanner,
  Field,
  SelectField,
  TextField,
  dash,
} from '@/components/ui/kit';
import { VoicePreviewButton } from '@/features/agents/voice-preview-button';
import { VoiceField } from '@/features/agents/voice-field';
import { Button } from '@/components/ui/button';
import { KnowledgeBasesField } from '@/features/knowledge/knowledge-bases-field';
import { HandoffPlanFields } from './handoff-plan-fields';
import type { Schema } from '@/lib/api/client';
import {
  DEFAULT_VISION,
  emptyAgent,
  slugify,
  validateAgent,
  type AgentErrors,
  type AgentValues,
} from './agent-validation';

type Catalog = Schema<'Catalog'>;
type Tool = Schema<'ToolRead'>;
type Agent = Schema<'AgentRead'>;
interface KnowledgeValues {
  knowledge_bases?: string[];
  knowledge_auto_tokens?: number;
}

type Availability = Schema<'CatalogAvailability'>;

export interface AgentFormProps {
  initial?: Agent;
  catalog: Catalog | undefined;
  /** Which providers have a key for the organization (`GET /catalog/availability`). */
  availability?: Availability;
  tools: Tool[];
  agents: Agent[];
  /** Field errors from the API (`details.problems[].field`). */
  serverErrors?: AgentErrors;
  submitError?: unknown;
  submitLabel?: string;
  onSubmit: (values: AgentValues) => void | Promise<void>;
}

/** The languages offered per agent (ISO 639-1); the catalog says which models speak them. */
export const LANGUAGES = [
  { value: 'en', label: 'English' },
  { value: 'es', label: 'Spanish' },
  { value: 'fr', label: 'French' },
  { value: 'de', label: 'German' },
  { value: 'it', label: 'Italian' },
  { value: 'pt', label: 'Portuguese' },
  { value: 'nl', label: 'Dutch' },
  { value: 'ja', label: 'Japanese' },
  { value: 'zh', label: 'Chinese' },
  { value: 'hi', label: 'Hindi' },
];

type ProviderSpec = Catalog['providers'][number];

/** The models of the agent that do not work in its language (offline ones are English-only). */
export function languageGaps(
  language: string,
  specs: (ProviderSpec | undefined)[],
): ProviderSpec[] {
  const base = language.split('-')[0] ?? language;
  return specs.filter(
    (s): s is ProviderSpec =>
      s !== undefined &&
      s.languages.length > 0 && // no languages listed: unknown, not a gap
      !s.languages.includes('multi') &&
      !s.languages.includes(base),
  );
}

type Role = 'stt' | 'llm' | 'tts';

/** What an agent that names no provider for `role` gets (the catalog's `defaults`). */
export function defaultProvider(
  catalog: Catalog | undefined,
  role: Role,
): ProviderSpec | undefined {
  const id = catalog?.defaults?.[role];
  return catalog?.providers.find((p) => p.id === id);
}

/** Providers whose key the organization has not set (neither its own nor the platform's). */
export function keylessProviders(availability: Availability | undefined): Set<string> {
  return new Set((availability?.providers ?? []).filter((p) => !p.key_configured).map((p) => p.id));
}

function providerOptions(catalog: Catalog | undefined, role: Role, keyless: Set<string>) {
  const list = (catalog?.providers ?? []).filter((p) => p.role === role);
  const fallback = defaultProvider(catalog, role);
  return [
    { value: '', label: fallback ? `Default: ${fallback.label}` : 'Default' },
    ...list.map((p) => ({
      value: p.id,
      label:
        // "no key" first: a long label is cut off at the end in a narrow select
        `${p.label}${keyless.has(p.id) ? ' · no key' : ''}` +
        `${p.offline ? ' · offline' : ''}${p.vision ? ' · vision' : ''}` +
        `${p.test_only ? ' · test' : ''}${role === 'llm' && p.tool_calling ? ' · tools' : ''}` +
        `${p.languages.length === 1 && p.languages[0] === 'en' ? ' · English only' : ''}`,
    })),
  ];
}

export function fromAgent(agent: Agent): AgentValues {
  return {
    ...emptyAgent(),
    ...agent,
    greeting: agent.greeting ?? '',
    stt: agent.stt ?? '',
    llm: agent.llm ?? '',
    tts: agent.tts ?? '',
    handoffs: (agent.handoffs ?? []).map((h) => ({ ...h })),
    vision: { ...DEFAULT_VISION, ...agent.vision },
  };
}

export function AgentForm({
  initial,
  catalog,
  availability,
  tools,
  agents,
  serverErrors = {},
  submitError,
  submitLabel = 'Save agent',
  onSubmit,
}: AgentFormProps) {
  const [values, setValues] = useState<AgentValues>(() =>
    initial ? fromAgent(initial) : emptyAgent(),
  );
  const [slugTouched, setSlugTouched] = useState(Boolean(initial));
  const [clientErrors, setClientErrors] = useState<AgentErrors>({});
  const [preview, setPreview] = useState(false);
  const [busy, setBusy] = useState(false);
  const errors = { ...serverErrors, ...clientErrors };
  const isEdit = Boolean(initial);

  const set = <K extends keyof AgentValues>(key: K, value: AgentValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));
  const vision = values.vision ?? DEFAULT_VISION;
  // Knowledge fields are newer than the generated API types: read them through this view.
  const knowledge = values as AgentValues & KnowledgeValues;
  const setVision = (patch: Partial<typeof DEFAULT_VISION>) =>
    set('vision', { ...DEFAULT_VISION, ...vision, ...patch });

  const ttsSpec = catalog?.providers.find((p) => p.id === values.tts);
  // An empty choice means the catalog's default for the role (the offline models).
  const chosen = (role: Role, id: string | null | undefined) =>
    id
      ? catalog?.providers.find((p) => p.role === role && p.id === id)
      : defaultProvider(catalog, role);
  const llmSpec = chosen('llm', values.llm);
  const language = values.language ?? 'en';
  const sttSpec = chosen('stt', values.stt);
  const ttsOrDefault = ttsSpec ?? (values.tts ? undefined : defaultProvider(catalog, 'tts'));
  const keyless = keylessProviders(availability);
  // A chosen provider without a key: the runtime falls back to the role's default.
  const noKeyHint = (role: Role, id: string | null | undefined) => {
    if (!id || !keyless.has(id)) return undefined;
    const fallback = defaultProvider(catalog, role);
    return (
      <span data-testid={`no-key-${role}`}>
        No key for this provider in this organization: sessions use{' '}
        {fallback ? fallback.label : 'the offline default'} instead. Add one in{' '}
        <Link href="/dashboard/providers">Model providers</Link>.
      </span>
    );
  };
  const gaps = languageGaps(language, [sttSpec, llmSpec, ttsOrDefault]);
  // what needs tool calls (the API's `tools_unsupported_llm` warning, shown while editing)
  const callsTools = [
    (values.handoffs ?? []).length > 0 && 'handoffs',
    (values.panels ?? []).length > 0 && 'panels',
    (values.tools ?? []).length > 0 && 'tools',
  ].filter((x): x is string => Boolean(x));
  const toolOptions = useMemo(
    () =>
      tools
        .filter((t) => t.kind === 'builtin' || t.kind === 'webhook')
        .map((t) => ({ value: t.name, label: t.name })),
    [tools],
  );
  const targets = agents.filter((a) => a.slug !== values.slug);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateAgent(values);
    setClientErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await onSubmit(values);
    } finally {
      setBusy(false);
    }
  }

  const generalProblems = Object.entries(serverErrors).filter(
    ([key]) => key === '_' || !KNOWN_FIELD.test(key),
  );

  return (
    <form
      className={dash.stack}
      onSubmit={(e) => void submit(e)}
      noValidate
      data-testid="agent-form"
    >
      <ErrorBanner error={submitError} />
      {generalProblems.length > 0 && (
        <ErrorBanner error={generalProblems.map(([k, m]) => `${k}: ${m}`).join(' ')} />
      )}
      <Card title="Basics">
        <div className={dash.grid2}>
          <TextField
            label="Name"
            id="agent-name"
            value={values.name}
            error={errors.name}
            onChange={(e) => {
              const name = e.target.value;
              setValues((v) => ({ ...v, name, slug: slugTouched ? v.slug : slugify(name) }));
            }}
          />
          <TextField
            label="Slug"
            id="agent-slug"
            value={values.slug}
            error={errors.slug}
            disabled={isEdit}
            hint={isEdit ? 'The slug cannot change.' : 'Used in handoffs and pinned versions.'}
            onChange={(e) => {
              setSlugTouched(true);
              set('slug', e.target.value);
            }}
          />
        </div>
      </Card>

      <Card
        title="Instructions"
        actions={
          <span className={dash.segmented}>
            <button type="button" aria-pressed={!preview} onClick={() => setPreview(false)}>
              Write
            </button>
            <button
              type="button"
              aria-pressed={preview}
              onClick={() => setPreview(true)}
              data-testid="instructions-preview-toggle"
            >
              Preview
            </button>
          </span>
        }
      >
        <div className={dash.stack}>
          <Field
            label="System prompt (Markdown)"
            htmlFor="agent-instructions"
            error={errors.instructions}
            hint={`${values.instructions.length.toLocaleString()} / 20,000 characters`}
          >
            {preview ? (
              <div className={dash.markdown} data-testid="instructions-preview">
                {values.instructions.trim() ? (
                  <Markdown>{values.instructions}</Markdown>
                ) : (
                  <p className={dash.muted}>Nothing to preview yet.</p>
                )}
              </div>
            ) : (
              <textarea
                id="agent-instructions"
                className={dash.input}
                rows={10}
                value={values.instructions}
                aria-invalid={errors.instructions ? true : undefined}
                placeholder="# Role&#10;You are a friendly receptionist…"
                onChange={(e) => set('instructions', e.target.value)}
              />
            )}
          </Field>
          <TextField
            label="Greeting"
            id="agent-greeting"
            value={values.greeting ?? ''}
            error={errors.greeting}
            hint="Spoken when the agent joins. Leave empty to wait for the user."
            onChange={(e) => set('greeting', e.target.value)}
          />
        </div>
      </Card>

      <Card title="Voice and models">
        <div className={dash.grid2}>
          <SelectField
            label="Language"
            id="agent-language"
            value={language}
            error={errors.language}
            options={LANGUAGES}
            onChange={(e) => set('language', e.target.value)}
          />
          {gaps.length > 0 && (
            <p role="status" data-testid="language-unsupported" className={dash.muted}>
              {gaps.map((s) => s.label).join(', ')} {gaps.length > 1 ? 'work' : 'works'} in{' '}
              {[...new Set(gaps.flatMap((s) => s.languages))].join(', ')} only: pick models that
              speak this language.
            </p>
          )}
          <SelectField
            label="Speech-to-text"
            id="agent-stt"
            value={values.stt ?? ''}
            error={errors.stt}
            hint={noKeyHint('stt', values.stt)}
            options={providerOptions(catalog, 'stt', keyless)}
            onChange={(e) => set('stt', e.target.value)}
          />
          <SelectField
            label="Language model"
            id="agent-llm"
            value={values.llm ?? ''}
            error={errors.llm}
            hint={noKeyHint('llm', values.llm)}
            options={providerOptions(catalog, 'llm', keyless)}
            onChange={(e) => set('llm', e.target.value)}
          />
          <SelectField
            label="Text-to-speech"
            id="agent-tts"
            value={values.tts ?? ''}
            error={errors.tts}
            hint={noKeyHint('tts', values.tts)}
            options={providerOptions(catalog, 'tts', keyless)}
            onChange={(e) => setValues((v) => ({ ...v, tts: e.target.value, voice: null }))}
          />
          <VoiceField
            tts={ttsSpec}
            value={values.voice ?? null}
            error={errors.voice}
            onChange={(voice) => set('voice', voice)}
          />
          <VoicePreviewButton tts={values.tts ?? null} voice={values.voice ?? null} />
        </div>
      </Card>

      <Card title="Tools">
        <CheckboxChips
          label="Tools this agent can call"
          name="tools"
          options={toolOptions}
          value={values.tools ?? []}
          error={errors.tools}
          hint="Panel and handoff tools are added automatically from panels and handoffs."
          onChange={(next) => set('tools', next)}
        />
      </Card>

      <Card title="Knowledge">
        <KnowledgeBasesField
          value={knowledge.knowledge_bases ?? []}
          autoTokens={knowledge.knowledge_auto_tokens ?? 0}
          onChange={(next) => setValues((v) => ({ ...v, knowledge_bases: next }))}
          onAutoTokensChange={(next) => setValues((v) => ({ ...v, knowledge_auto_tokens: next }))}
        />
      </Card>

      <Card
        title="Handoffs"
        actions={
          <Button
            size="sm"
            variant="secondary"
            data-testid="add-handoff"
            disabled={targets.length === 0}
            onClick={() =>
              set('handoffs', [
                ...(values.handoffs ?? []),
                { agent: '', context_policy: 'preserve', description: '' },
              ])
            }
          >
            Add handoff
          </Button>
        }
      >
        {(values.handoffs ?? []).length === 0 ? (
          <p className={dash.muted}>
            {targets.length === 0
              ? 'Create another agent to hand conversations off to it.'
              : 'This agent keeps the conversation. Add a handoff to transfer to a specialist.'}
          </p>
        ) : (
          <div className={dash.stack}>
            {(values.handoffs ?? []).map((h, i) => (
              <div key={i} className={dash.grid2} data-testid="handoff-row">
                <SelectField
                  label="Hand off to"
                  id={`handoff-${i}-agent`}
                  value={h.agent}
                  error={errors[`handoffs.${i}.agent`] ?? errors[`handoffs.${i}`]}
                  options={[
                    { value: '', label: 'Choose an agent…' },
                    ...targets.map((a) => ({ value: a.slug, label: `${a.name} (${a.slug})` })),
                  ]}
                  onChange={(e) => updateHandoff(i, { agent: e.target.value })}
                />
                <TextField
                  label="When to transfer"
                  id={`handoff-${i}-description`}
                  value={h.description ?? ''}
                  placeholder="The caller asks about billing"
                  onChange={(e) => updateHandoff(i, { description: e.target.value })}
                />
                <div style={{ alignSelf: 'end' }}>
                  <Button
                    variant="ghost"
                    size="sm"
                    onClick={() =>
                      set(
                        'handoffs',
                        (values.handoffs ?? []).filter((_, j) => j !== i),
                      )
                    }
                  >
                    Remove
                  </Button>
                </div>
                <HandoffPlanFields
                  handoff={h}
                  index={i}
                  errors={errors}
                  onChange={(patch) => updateHandoff(i, patch)}
                />
              </div>
            ))}
          </div>
        )}
      </Card>

      <Card title="Capabilities">
        <div className={dash.stack}>
          <CheckboxChips
            label="Modalities it needs"
            name="modalities"
            options={(catalog?.modalities ?? []).map((m) => ({ value: m, label: m }))}
            value={values.modalities ?? []}
            error={errors.modalities}
            hint="Templates must offer these (e.g. camera, screen)."
            onChange={(next) => set('modalities', next)}
          />
          <CheckboxChips
            label="Panels"
            name="panels"
            options={(catalog?.panels ?? []).map((m) => ({ value: m, label: m }))}
            value={values.panels ?? []}
            error={errors.panels}
            onChange={(next) => set('panels', next)}
          />
          {llmSpec && !llmSpec.tool_calling && callsTools.length > 0 && (
            <p role="status" data-testid="tools-unsupported" className={dash.muted}>
              This agent has {callsTools.join(', ')}, but {llmSpec.label} cannot call tools, so they
              will never run. Pick an LLM marked “tools”.
            </p>
          )}
          <label className={dash.chip} style={{ alignSelf: 'flex-start' }}>
            <input
              type="checkbox"
              checked={vision.enabled ?? false}
              onChange={(e) => setVision({ enabled: e.target.checked })}
              data-testid="vision-enabled"
            />
            Vision: let the agent see camera / screen frames
          </label>
          {vision.enabled && llmSpec && !llmSpec.vision && (
            <p role="status" data-testid="vision-unsupported" className={dash.muted}>
              {llmSpec.label} cannot take images: vision needs a provider that supports images. The
              agent will be told it cannot see; pick an LLM marked “vision”.
            </p>
          )}
          {vision.enabled && (
            <div className={dash.grid2}>
              <SelectField
                label="Detail"
                id="vision-detail"
                value={vision.detail ?? 'low'}
                options={['low', 'high', 'auto'].map((d) => ({ value: d, label: d }))}
                onChange={(e) => setVision({ detail: e.target.value })}
              />
              <TextField
                label="Frames/s while speaking"
                id="vision-fps-speaking"
                type="number"
                step="0.1"
                value={String(vision.fps_speaking ?? '')}
                error={errors['vision.fps_speaking']}
                onChange={(e) => setVision({ fps_speaking: Number(e.target.value) })}
              />
              <TextField
                label="Frames/s while silent"
                id="vision-fps-silent"
                type="number"
                step="0.1"
                value={String(vision.fps_silent ?? '')}
                error={errors['vision.fps_silent']}
                onChange={(e) => setVision({ fps_silent: Number(e.target.value) })}
              />
              <TextField
                label="Max frame size (px)"
                id="vision-max-size"
                type="number"
                value={String(vision.max_size ?? '')}
                error={errors['vision.max_size']}
                onChange={(e) => setVision({ max_size: Number(e.target.value) })}
              />
            </div>
          )}
        </div>
      </Card>

      <div className={dash.actionsBar}>
        <Button type="submit" disabled={busy} data-testid="save-agent">
          {busy ? 'Saving…' : submitLabel}
        </Button>
      </div>
    </form>
  );

  function updateHandoff(
    index: number,
    patch: Partial<NonNullable<AgentValues['handoffs']>[number]>,
  ) {
    set(
      'handoffs',
      (values.handoffs ?? []).map((h, i) => (i === index ? { ...h, ...patch } : h)),
    );
  }
}

const KNOWN_FIELD =
  /^(name|slug|instructions|greeting|stt|llm|tts|voice|tools(\.\d+)?|handoffs\.\d+(\.agent)?|handoffs(\.\d+|\[\d+\])\.(last_n|variables|reject_when)[\w.[\]]*|modalities(\.\d+)?|panels(\.\d+)?|vision\.\w+)$/;
