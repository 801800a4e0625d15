import type { NotepadState, PanelCommand } from '@/contracts';
import { commandError, unexpectedOp } from '../types';

export interface NotepadPanelState {
  text: string;
  placeholder: string;
}

export const DEFAULT_NOTEPAD_PLACEHOLDER = 'Type your notes here…';
export const NOTEPAD_MAX_CHARS = 100_000;

export const initialNotepadState = (): NotepadPanelState => ({
  text: '',
  placeholder: DEFAULT_NOTEPAD_PLACEHOLDER,
});

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/u).length;
}

export function applyNotepadCommand(
  state: NotepadPanelState,
  command: PanelCommand,
): NotepadPanelState {
  switch (command.op) {
    case 'notepad.set': {
      const { text, placeholder } = command;
      if (text !== undefined && text !== null && typeof text !== 'string')
        commandError('"text" must be a string');
      if (placeholder !== undefined && placeholder !== null && typeof placeholder !== 'string') {
        commandError('"placeholder" must be a string');
      }
      if (typeof text === 'string' && text.length > NOTEPAD_MAX_CHARS)
        commandError('"text" is too long');
      return {
        text: typeof text === 'string' ? text : state.text,
        placeholder: typeof placeholder === 'string' ? placeholder : state.placeholder,
      };
    }
    case 'notepad.clear':
      return { ...state, text: '' };
    default:
      return unexpectedOp('notepad', command);
  }
}

export function readNotepadState(state: NotepadPanelState): NotepadState {
  return {
    panel: 'notepad',
    text: state.text,
    words: countWords(state.text),
    characters: state.text.length,
  };
}
