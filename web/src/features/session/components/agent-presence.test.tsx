import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ATTR_ACTIVE_AGENT_AVATAR, ATTR_ACTIVE_AGENT_NAME } from '@/contracts';
import { activeAgentAvatar, activeAgentName } from '@/features/session/lib/active-agent';
import { AgentPresence } from './agent-presence';

const HOST = '/api/v1/avatars/hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh';
const BILLING = '/api/v1/avatars/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function Stage({ attributes }: { attributes: Record<string, string> }) {
  return (
    <AgentPresence
      agentName={activeAgentName(attributes, { identity: 'agent-1' })}
      avatarUrl={activeAgentAvatar(attributes)}
      state="speaking"
      rawState="speaking"
      audioTrack={undefined}
      phase="agent-speaking"
      hint="Speaking"
    />
  );
}

describe('the speaking agent’s avatar', () => {
  it('shows the active agent’s image, named by its alt text, and follows handoffs', () => {
    const { rerender } = render(
      <Stage attributes={{ [ATTR_ACTIVE_AGENT_NAME]: 'Host', [ATTR_ACTIVE_AGENT_AVATAR]: HOST }} />,
    );
    const host = screen.getByRole('img', { name: 'Host' });
    expect(host.getAttribute('src')).toBe(HOST);
    expect(screen.queryByTestId('active-agent-initial')).toBeNull();

    rerender(
      <Stage
        attributes={{ [ATTR_ACTIVE_AGENT_NAME]: 'Billing', [ATTR_ACTIVE_AGENT_AVATAR]: BILLING }}
      />,
    );
    expect(screen.getByRole('img', { name: 'Billing' }).getAttribute('src')).toBe(BILLING);
    expect(screen.queryByRole('img', { name: 'Host' })).toBeNull();

    // Handoff to an agent without an avatar: the runtime clears the attribute; the initial shows.
    rerender(
      <Stage attributes={{ [ATTR_ACTIVE_AGENT_NAME]: 'Tech', [ATTR_ACTIVE_AGENT_AVATAR]: '' }} />,
    );
    expect(screen.queryByTestId('active-agent-avatar')).toBeNull();
    expect(screen.getByTestId('active-agent-initial').textContent).toBe('T');
  });

  it('falls back to the initial when there is none or the image does not load', () => {
    const { rerender } = render(<Stage attributes={{ [ATTR_ACTIVE_AGENT_NAME]: 'ava' }} />);
    expect(screen.getByTestId('active-agent-initial').textContent).toBe('A');
    rerender(
      <Stage attributes={{ [ATTR_ACTIVE_AGENT_NAME]: 'Max', [ATTR_ACTIVE_AGENT_AVATAR]: HOST }} />,
    );
    fireEvent.error(screen.getByRole('img', { name: 'Max' }));
    expect(screen.getByTestId('active-agent-initial').textContent).toBe('M');
  });

  it('uses only same-origin paths from the attribute', () => {
    const of = (value: string) => activeAgentAvatar({ [ATTR_ACTIVE_AGENT_AVATAR]: value });
    expect(of(HOST)).toBe(HOST);
    expect(of('')).toBeUndefined();
    expect(of('https://evil.example/x.png')).toBeUndefined();
    expect(of('//evil.example/x.png')).toBeUndefined();
    expect(of('/\\evil.example/x.png')).toBeUndefined();
    expect(of('javascript:alert(1)')).toBeUndefined();
    expect(activeAgentAvatar(undefined)).toBeUndefined();
  });
});
