import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { LinkRow } from './link-row';

const push = vi.fn();
vi.mock('next/navigation', () => ({ useRouter: () => ({ push }) }));

describe('LinkRow', () => {
  it('opens its page when clicked anywhere on the row, not only on the link', () => {
    render(
      <table>
        <tbody>
          <LinkRow href="/dashboard/agents/a1" data-testid="row">
            <td>
              <button type="button">Max</button>
            </td>
            <td>gpt · piper</td>
          </LinkRow>
        </tbody>
      </table>,
    );
    fireEvent.click(screen.getByText('gpt · piper'));
    expect(push).toHaveBeenCalledWith('/dashboard/agents/a1');
    push.mockClear();
    fireEvent.click(screen.getByText('Max')); // a control (or the link) handles itself
    expect(push).not.toHaveBeenCalled();
  });
});
