import { lazy } from 'react';
import type { PanelDefinition } from '../types';
import { WhiteboardIcon } from '../panel-icons';
import {
  applyWhiteboardCommand,
  initialWhiteboardState,
  readWhiteboardState,
  type WhiteboardPanelState,
} from './whiteboard-state';

export const whiteboardPanel: PanelDefinition<WhiteboardPanelState> = {
  type: 'whiteboard',
  title: 'Whiteboard',
  icon: WhiteboardIcon,
  Component: lazy(() => import('./whiteboard-panel').then((m) => ({ default: m.WhiteboardPanel }))),
  ops: [
    'whiteboard.draw',
    'whiteboard.clear',
    'whiteboard.undo',
    'whiteboard.redo',
    'whiteboard.export',
  ],
  events: ['opened', 'closed', 'drawing_changed'],
  initialState: initialWhiteboardState,
  applyCommand: applyWhiteboardCommand,
  readState: readWhiteboardState,
};
