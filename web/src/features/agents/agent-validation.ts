import type { Schema } from '@/lib/api/client';
import { validateHandoffPlan } from './handoff-plan-fields';

export type AgentBody = Schema<'AgentBody-Input'>;
export type AgentValues = AgentBody & { slug: string };
export type AgentErrors = Record<string, string>;

export const SLUG_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

export function slugify(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 48);
  return base || '';
}

export const DEFAULT_VISION = {
  enabled: false,
  detail: 'low',
  fps_speaking: 1,
  fps_silent: 0.2,
  max_size: 1024,
};

export function emptyAgent(): AgentValues {
  return {
    name: '',
    slug: '',
    instructions: '',
    greeting: '',
    stt: '',
    llm: '',
    tts: '',
    voice: null,
    tools: [],
    handoffs: [],
    modalities: [],
    panels: [],
    vision: { ...DEFAULT_VISION },
  };
}

/** Client-side checks mirroring the API's; keys are the API's field paths. */
export function validateAgent(values: AgentValues): AgentErrors {
  const errors: AgentErrors = {};
  if (!values.name.trim()) errors.name = 'Give the agent a name.';
  else if (values.name.length > 200) errors.name = 'Use at most 200 characters.';
  if (!SLUG_PATTERN.test(values.slug)) {
    errors.slug = 'Lowercase letters, digits and _, starting with a letter (max 48).';
  }
  if (!values.instructions.trim()) errors.instructions = 'Instructions are required.';
  else if (values.instructions.length > 20000)
    errors.instructions = 'Use at most 20,000 characters.';
  if ((values.greeting ?? '').length > 2000) errors.greeting = 'Use at most 2,000 characters.';
  const seen = new Set<string>();
  (values.handoffs ?? []).forEach((h, i) => {
    if (!h.agent) errors[`handoffs.${i}.agent`] = 'Pick the agent to hand off to.';
    else if (h.agent === values.slug)
      errors[`handoffs.${i}.agent`] = 'An agent cannot hand off to itself.';
    else if (seen.has(h.agent)) errors[`handoffs.${i}.agent`] = 'This target is listed twice.';
    seen.add(h.agent);
    Object.assign(errors, validateHandoffPlan(h, i));
  });
  const v = values.vision ?? DEFAULT_VISION;
  const fps = (n: number | undefined) => typeof n === 'number' && n > 0 && n <= 10;
  if (!fps(v.fps_speaking)) errors['vision.fps_speaking'] = 'Between 0 (exclusive) and 10.';
  if (!fps(v.fps_silent)) errors['vision.fps_silent'] = 'Between 0 (exclusive) and 10.';
  if (!(Number.isInteger(v.max_size) && (v.max_size ?? 0) >= 64 && (v.max_size ?? 0) <= 2048)) {
    errors['vision.max_size'] = 'A whole number from 64 to 2048.';
  }
  return errors;
}

/** The request body: empty provider choices are left out so the API picks its defaults. */
export function toAgentBody(
  values: AgentValues,
  includeSlug: boolean,
): AgentBody & { slug?: string } {
  const body: AgentBody & { slug?: string } = {
    name: values.name.trim(),
    instructions: values.instructions,
    greeting: values.greeting ?? '',
    tools: values.tools ?? [],
    handoffs: values.handoffs ?? [],
    modalities: values.modalities ?? [],
    panels: values.panels ?? [],
    vision: values.vision ?? { ...DEFAULT_VISION },
    voice: values.voice || null,
  };
  // The language and the knowledge bases it searches (with the automatic-retrieval budget)
  // go too: without them an agent saved in the form lost its knowledge bases.
  if (values.language) body.language = values.language;
  body.knowledge_bases = values.knowledge_bases ?? [];
  body.knowledge_auto_tokens = values.knowledge_auto_tokens ?? 0;
  if (values.stt) body.stt = values.stt;
  if (values.llm) body.llm = values.llm;
  if (values.tts) body.tts = values.tts;
  if (includeSlug) body.slug = values.slug;
  return body;
}
