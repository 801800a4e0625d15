import type {
  HandoffCriterion,
  MaxTurnsCriterion,
  MustNotSayCriterion,
  MustSayCriterion,
  Scenario,
  ToolCallCriterion,
} from '@/contracts';

export type Criterion =
  HandoffCriterion | ToolCallCriterion | MustNotSayCriterion | MustSayCriterion | MaxTurnsCriterion;
export type CriterionType = Criterion['type'];

export const CRITERION_TYPES: { value: CriterionType; label: string }[] = [
  { value: 'handoff', label: 'Must hand off to' },
  { value: 'tool_call', label: 'Must call tool' },
  { value: 'must_not_say', label: 'Must not say' },
  { value: 'must_say', label: 'Must say' },
  { value: 'max_turns', label: 'Finish within N turns' },
];

/** One criterion row of the form: every input as text, whatever the type. */
export interface CriterionRow {
  type: CriterionType;
  agent: string;
  tool: string;
  arguments: string;
  patterns: string;
  pattern: string;
  turns: string;
}

export interface MockRow {
  tool: string;
  kind: 'result' | 'error';
  text: string;
}

export interface ScenarioFormValues {
  name: string;
  templateId: string;
  goal: string;
  persona: string;
  turns: string;
  personaLlm: string;
  maxTurns: string;
  mocks: MockRow[];
  criteria: CriterionRow[];
  judgeLlm: string;
  judgeIntent: string;
  /** Session variables as a JSON object (`{"customer_name": "Sam"}`), '' for none. */
  variables: string;
}

export function emptyCriterion(type: CriterionType = 'handoff'): CriterionRow {
  return { type, agent: '', tool: '', arguments: '', patterns: '', pattern: '', turns: '' };
}

export function emptyForm(templateId = ''): ScenarioFormValues {
  return {
    name: '',
    templateId,
    goal: '',
    persona: '',
    turns: '',
    personaLlm: '',
    maxTurns: '10',
    mocks: [],
    criteria: [emptyCriterion()],
    judgeLlm: '',
    judgeIntent: '',
    variables: '',
  };
}

function json(value: Record<string, unknown>): string {
  return Object.keys(value).length ? JSON.stringify(value) : '';
}

export function toForm(s: Scenario): ScenarioFormValues {
  return {
    name: s.name,
    templateId: s.template_id ?? '',
    goal: s.goal,
    persona: s.persona,
    turns: s.user.turns.join('\n'),
    personaLlm: s.user.persona_llm ?? '',
    maxTurns: String(s.max_turns),
    mocks: Object.entries(s.mocks).map(([tool, mock]) => ({
      tool,
      kind: mock?.error != null ? 'error' : 'result',
      text: (mock?.error ?? mock?.result ?? '') as string,
    })),
    criteria: s.criteria.map((c) => {
      const row = emptyCriterion(c.type);
      switch (c.type) {
        case 'handoff':
          return { ...row, agent: c.to_agent };
        case 'tool_call':
          return {
            ...row,
            tool: c.tool,
            arguments: json(c.arguments),
            patterns: json(c.argument_patterns),
          };
        case 'must_not_say':
        case 'must_say':
          return { ...row, pattern: c.pattern };
        case 'max_turns':
          return { ...row, turns: String(c.turns) };
      }
    }),
    judgeLlm: s.judge?.llm ?? '',
    judgeIntent: s.judge?.intent ?? '',
    variables: json(s.variables ?? {}),
  };
}

function validRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function positiveInt(text: string, max: number): number | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : null;
}

/** The scenario body for the API, or the problems per field (keys: `name`, `criteria.0`, …). */
export function toScenario(
  v: ScenarioFormValues,
): { scenario: Scenario; errors: null } | { scenario: null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!v.name.trim()) errors.name = 'Give the scenario a name.';
  if (!v.templateId) errors.template_id = 'Pick the template to test.';
  const turns = v.turns
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);
  if (!turns.length && !v.personaLlm.trim())
    errors.turns = 'Write at least one user turn (or name a persona LLM).';
  const maxTurns = positiveInt(v.maxTurns, 50);
  if (maxTurns === null) errors.max_turns = 'A whole number from 1 to 50.';
  const mocks: Scenario['mocks'] = {};
  v.mocks.forEach((m, i) => {
    if (!m.tool.trim()) errors[`mocks.${i}`] = 'Name the tool to mock.';
    else if (mocks[m.tool.trim()]) errors[`mocks.${i}`] = 'This tool is mocked twice.';
    else
      mocks[m.tool.trim()] =
        m.kind === 'error' ? { result: null, error: m.text } : { result: m.text, error: null };
  });
  const criteria: Criterion[] = [];
  v.criteria.forEach((c, i) => {
    const key = `criteria.${i}`;
    switch (c.type) {
      case 'handoff':
        if (!c.agent.trim()) errors[key] = 'Name the agent (slug) it must reach.';
        else criteria.push({ type: 'handoff', to_agent: c.agent.trim() });
        break;
      case 'tool_call': {
        const args = parseObject(c.arguments);
        const patterns = parseObject(c.patterns);
        if (!c.tool.trim()) errors[key] = 'Name the tool it must call.';
        else if (args === null) errors[key] = 'Arguments must be a JSON object.';
        else if (patterns === null) errors[key] = 'Patterns must be a JSON object.';
        else if (!Object.values(patterns).every((p) => typeof p === 'string' && validRegex(p)))
          errors[key] = 'Every pattern must be a valid regular expression.';
        else
          criteria.push({
            type: 'tool_call',
            tool: c.tool.trim(),
            arguments: args,
            argument_patterns: patterns as Record<string, string>,
          });
        break;
      }
      case 'must_not_say':
      case 'must_say':
        if (!c.pattern.trim() || !validRegex(c.pattern))
          errors[key] = 'A valid regular expression, e.g. sorry|cannot.';
        else criteria.push({ type: c.type, pattern: c.pattern });
        break;
      case 'max_turns': {
        const n = positiveInt(c.turns, 50);
        if (n === null) errors[key] = 'A whole number from 1 to 50.';
        else criteria.push({ type: 'max_turns', turns: n });
        break;
      }
    }
  });
  const judge =
    v.judgeLlm.trim() || v.judgeIntent.trim()
      ? { llm: v.judgeLlm.trim(), intent: v.judgeIntent.trim() }
      : null;
  if (judge && (!judge.llm || !judge.intent))
    errors.judge = 'A judge needs both a model (provider/model) and what it should check.';
  const variables: Scenario['variables'] = {};
  const given = parseObject(v.variables);
  if (given === null) errors.variables = 'A JSON object, e.g. {"customer_name": "Sam"}.';
  else
    for (const [name, value] of Object.entries(given)) {
      if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number')
        variables[name] = value;
      else errors.variables = `${name}: a text, number or true/false.`;
    }
  if (Object.keys(errors).length) return { scenario: null, errors };
  return {
    errors: null,
    scenario: {
      name: v.name.trim(),
      goal: v.goal.trim(),
      persona: v.persona.trim(),
      template_id: v.templateId,
      user: { turns, persona_llm: v.personaLlm.trim() || null },
      mocks,
      criteria,
      judge,
      max_turns: maxTurns ?? 10,
      variables,
    },
  };
}

/** A one-line description of a criterion, as the runner names it. */
export function criterionLabel(c: Criterion): string {
  switch (c.type) {
    case 'handoff':
      return `hands off to ${c.to_agent}`;
    case 'tool_call':
      return `calls ${c.tool}`;
    case 'must_not_say':
      return `never says /${c.pattern}/`;
    case 'must_say':
      return `says /${c.pattern}/`;
    case 'max_turns':
      return `finishes within ${c.turns} turns`;
  }
}
