import { lazy } from 'react';
import type { PanelDefinition } from '../types';
import { CodeIcon } from '../panel-icons';
import {
  applyCodeCommand,
  initialCodeState,
  readCodeState,
  type CodePanelState,
} from './code-state';

export const codePanel: PanelDefinition<CodePanelState> = {
  type: 'code',
  title: 'Code',
  icon: CodeIcon,
  Component: lazy(() => import('./code-panel').then((m) => ({ default: m.CodePanel }))),
  ops: ['code.set', 'code.highlight', 'code.annotate', 'code.clear_marks'],
  events: ['opened', 'closed', 'code_changed', 'code_run'],
  initialState: initialCodeState,
  applyCommand: applyCodeCommand,
  readState: readCodeState,
};
