import { describe, expect, it } from 'vitest';
import {
  applyNotepadCommand,
  countWords,
  initialNotepadState,
  readNotepadState,
} from './notepad-state';

describe('notepad reducer', () => {
  it('sets text and placeholder independently, and clears', () => {
    let state = applyNotepadCommand(initialNotepadState(), {
      op: 'notepad.set',
      text: null,
      placeholder: 'Your answer',
    });
    expect(state).toEqual({ text: '', placeholder: 'Your answer' });
    state = applyNotepadCommand(state, {
      op: 'notepad.set',
      text: 'one two  three\n',
      placeholder: null,
    });
    expect(readNotepadState(state)).toEqual({
      panel: 'notepad',
      text: 'one two  three\n',
      words: 3,
      characters: 15,
    });
    state = applyNotepadCommand(state, { op: 'notepad.clear' });
    expect(state).toEqual({ text: '', placeholder: 'Your answer' });
  });

  it('counts words', () => {
    expect(countWords('   ')).toBe(0);
    expect(countWords('héllo wörld')).toBe(2);
  });

  it('rejects malformed commands', () => {
    expect(() =>
      applyNotepadCommand(initialNotepadState(), {
        op: 'notepad.set',
        text: 5,
        placeholder: null,
      } as never),
    ).toThrow();
    expect(() => applyNotepadCommand(initialNotepadState(), { op: 'slides.next' })).toThrow();
  });
});
