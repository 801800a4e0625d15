import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '@/features/session/lib/transcript';
import { TranscriptList } from './transcript-list';

const line = (id: string, role: 'user' | 'agent', text: string): TranscriptEntry => ({
  id,
  role,
  participantIdentity: role === 'user' ? 'user-1' : 'agent-1',
  text,
  final: true,
  timestamp: 0,
});

describe('TranscriptList', () => {
  it('keeps the name of the agent that spoke each line across a handoff', () => {
    const first = [
      line('a1', 'agent', 'Hi, I am the front desk.'),
      line('u1', 'user', 'expert please'),
    ];
    const { rerender } = render(<TranscriptList entries={first} agentName="Front Desk" />);
    rerender(
      <TranscriptList
        entries={[...first, line('a2', 'agent', 'Expert here.')]}
        agentName="Expert"
      />,
    );
    const labels = screen.getAllByText(/Front Desk|Expert$|You/).map((el) => el.textContent);
    expect(labels).toEqual(['Front Desk', 'You', 'Expert']);
  });
});
