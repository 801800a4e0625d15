import { describe, expect, it } from 'vitest';
import { applyCodeCommand, initialCodeState, readCodeState } from './code-state';

const withCode = () =>
  applyCodeCommand(initialCodeState(), {
    op: 'code.set',
    code: 'a = 1\nb = 2\nprint(a + b)',
    language: 'python',
  });

describe('code reducer', () => {
  it('sets code and language and exposes the contract state', () => {
    expect(readCodeState(withCode())).toEqual({
      panel: 'code',
      code: 'a = 1\nb = 2\nprint(a + b)',
      language: 'python',
      last_run_output: null,
    });
  });

  it('highlights, annotates and clears marks', () => {
    let state = applyCodeCommand(withCode(), { op: 'code.highlight', lines: [3, 1, 3] });
    expect(state.highlights).toEqual([1, 3]);
    state = applyCodeCommand(state, {
      op: 'code.annotate',
      line: 2,
      message: 'Unused',
      severity: 'warning',
    });
    expect(state.annotations).toEqual([{ line: 2, message: 'Unused', severity: 'warning' }]);
    state = applyCodeCommand(state, { op: 'code.clear_marks' });
    expect(state).toMatchObject({ highlights: [], annotations: [] });
  });

  it('a new code.set drops marks from the old code', () => {
    const marked = applyCodeCommand(withCode(), { op: 'code.highlight', lines: [1] });
    expect(
      applyCodeCommand(marked, { op: 'code.set', code: 'x', language: 'javascript' }).highlights,
    ).toEqual([]);
  });

  it('rejects lines outside the code and unknown languages', () => {
    expect(() => applyCodeCommand(withCode(), { op: 'code.highlight', lines: [4] })).toThrow(/≤ 3/);
    expect(() =>
      applyCodeCommand(withCode(), {
        op: 'code.annotate',
        line: 0,
        message: 'x',
        severity: 'info',
      }),
    ).toThrow();
    expect(() =>
      applyCodeCommand(withCode(), { op: 'code.set', code: 'x', language: 'cobol' } as never),
    ).toThrow(/language/);
  });
});
