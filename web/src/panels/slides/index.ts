import { lazy } from 'react';
import type { PanelDefinition } from '../types';
import { SlidesIcon } from '../panel-icons';
import {
  applySlidesCommand,
  initialSlidesState,
  readSlidesState,
  type SlidesPanelState,
} from './slides-state';

export const slidesPanel: PanelDefinition<SlidesPanelState> = {
  type: 'slides',
  title: 'Slides',
  icon: SlidesIcon,
  Component: lazy(() => import('./slides-panel').then((m) => ({ default: m.SlidesPanel }))),
  ops: ['slides.load', 'slides.goto', 'slides.next', 'slides.prev'],
  events: ['opened', 'closed', 'slide_viewed', 'link_clicked'],
  initialState: initialSlidesState,
  applyCommand: applySlidesCommand,
  readState: (state) => readSlidesState(state),
};
