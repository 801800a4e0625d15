import type { PanelCommand, Slide, SlidesState } from '@/contracts';
import { commandError, requireInt, requireString, unexpectedOp } from '../types';

export interface SlidesPanelState {
  slides: Slide[];
  index: number;
  /** Completed viewing time per slide index, in ms. */
  dwell: Record<string, number>;
  /** When the current slide became visible (ms since epoch); null with no deck. */
  shownAt: number | null;
}

export const initialSlidesState = (): SlidesPanelState => ({
  slides: [],
  index: 0,
  dwell: {},
  shownAt: null,
});

function parseSlide(value: unknown, position: number): Slide {
  if (typeof value !== 'object' || value === null)
    commandError(`slides[${position}] must be an object`);
  const slide = value as Record<string, unknown>;
  const bullets = slide.bullets ?? [];
  if (!Array.isArray(bullets) || bullets.some((b) => typeof b !== 'string')) {
    commandError(`slides[${position}].bullets must be a list of strings`);
  }
  const optional = (key: string) => {
    const v = slide[key];
    if (v === undefined || v === null) return null;
    return requireString(v, `slides[${position}].${key}`);
  };
  return {
    title: requireString(slide.title ?? '', `slides[${position}].title`),
    bullets: bullets as Slide['bullets'],
    image_url: optional('image_url'),
    notes: optional('notes') ?? '',
    link_url: optional('link_url'),
  };
}

/** Moves to `index`, booking the time spent on the slide being left. */
export function showSlide(
  state: SlidesPanelState,
  index: number,
  now = Date.now(),
): SlidesPanelState {
  if (index === state.index && state.shownAt !== null) return state;
  const dwell = { ...state.dwell };
  if (state.shownAt !== null && state.slides.length > 0) {
    const key = String(state.index);
    dwell[key] = (dwell[key] ?? 0) + Math.max(0, now - state.shownAt);
  }
  return { ...state, index, dwell, shownAt: now };
}

export function applySlidesCommand(
  state: SlidesPanelState,
  command: PanelCommand,
): SlidesPanelState {
  const now = Date.now();
  switch (command.op) {
    case 'slides.load': {
      if (!Array.isArray(command.slides) || command.slides.length === 0) {
        commandError('"slides" must be a non-empty list');
      }
      const slides = command.slides.map(parseSlide);
      const start = requireInt(command.start_index ?? 0, 'start_index', 0, slides.length - 1);
      return { slides, index: start, dwell: {}, shownAt: now };
    }
    case 'slides.goto': {
      if (state.slides.length === 0) commandError('No slides are loaded');
      return showSlide(state, requireInt(command.index, 'index', 0, state.slides.length - 1), now);
    }
    case 'slides.next':
    case 'slides.prev': {
      if (state.slides.length === 0) commandError('No slides are loaded');
      const step = command.op === 'slides.next' ? 1 : -1;
      const index = Math.min(state.slides.length - 1, Math.max(0, state.index + step));
      return showSlide(state, index, now);
    }
    default:
      return unexpectedOp('slides', command);
  }
}

export function readSlidesState(state: SlidesPanelState, now = Date.now()): SlidesState {
  const dwell: Record<string, number> = { ...state.dwell };
  if (state.shownAt !== null && state.slides.length > 0) {
    const key = String(state.index);
    dwell[key] = (dwell[key] ?? 0) + Math.max(0, now - state.shownAt);
  }
  return {
    panel: 'slides',
    index: state.index,
    count: state.slides.length,
    title: state.slides[state.index]?.title ?? null,
    dwell_ms: dwell,
  };
}
