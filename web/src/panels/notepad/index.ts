import { lazy } from 'react';
import type { PanelDefinition } from '../types';
import { NotepadIcon } from '../panel-icons';
import {
  applyNotepadCommand,
  initialNotepadState,
  readNotepadState,
  type NotepadPanelState,
} from './notepad-state';

export const notepadPanel: PanelDefinition<NotepadPanelState> = {
  type: 'notepad',
  title: 'Notepad',
  icon: NotepadIcon,
  Component: lazy(() => import('./notepad-panel').then((m) => ({ default: m.NotepadPanel }))),
  ops: ['notepad.set', 'notepad.clear'],
  events: ['opened', 'closed', 'content_changed'],
  initialState: initialNotepadState,
  applyCommand: applyNotepadCommand,
  readState: readNotepadState,
};
