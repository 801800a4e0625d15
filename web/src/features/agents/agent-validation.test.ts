import { describe, expect, it } from 'vitest';
import { toAgentBody, type AgentValues } from './agent-validation';

const VALUES: AgentValues = {
  slug: 'support',
  name: ' Support ',
  instructions: 'Help.',
  greeting: 'Hi.',
  language: 'fr',
  knowledge_bases: ['kb-1', 'kb-2'],
  knowledge_auto_tokens: 300,
  stt: '',
  llm: 'fake/scripted',
  tts: '',
};

describe('toAgentBody', () => {
  it('sends the knowledge bases the agent searches, its retrieval budget and its language', () => {
    const body = toAgentBody(VALUES, true);
    expect(body.knowledge_bases).toEqual(['kb-1', 'kb-2']);
    expect(body.knowledge_auto_tokens).toBe(300);
    expect(body.language).toBe('fr');
    expect(body.name).toBe('Support');
    expect(body.slug).toBe('support');
    // Empty provider choices are left to the API's defaults.
    expect(body).not.toHaveProperty('stt');
    expect(body.llm).toBe('fake/scripted');
  });

  it('sends no knowledge base (and retrieval off) when none is chosen, so an edit can detach them', () => {
    const body = toAgentBody(
      { ...VALUES, knowledge_bases: undefined, knowledge_auto_tokens: undefined },
      false,
    );
    expect(body.knowledge_bases).toEqual([]);
    expect(body.knowledge_auto_tokens).toBe(0);
    expect(body).not.toHaveProperty('slug');
  });
});
