import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PanelCommand } from '@/contracts';
import { applySlidesCommand, initialSlidesState, readSlidesState } from './slides-state';

const deck = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    title: `S${i}`,
    bullets: [],
    image_url: null,
    notes: '',
    link_url: null,
  }));
const load = (n: number, start = 0) =>
  applySlidesCommand(initialSlidesState(), {
    op: 'slides.load',
    slides: deck(n),
    start_index: start,
  } as PanelCommand);

describe('slides reducer', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('loads, navigates with clamping and reports N of M', () => {
    let state = load(3, 1);
    expect(readSlidesState(state)).toMatchObject({ index: 1, count: 3, title: 'S1' });
    state = applySlidesCommand(state, { op: 'slides.next' });
    state = applySlidesCommand(state, { op: 'slides.next' });
    expect(state.index).toBe(2);
    state = applySlidesCommand(state, { op: 'slides.goto', index: 0 });
    state = applySlidesCommand(state, { op: 'slides.prev' });
    expect(state.index).toBe(0);
  });

  it('accumulates dwell time per slide', () => {
    let state = load(2);
    vi.advanceTimersByTime(1200);
    state = applySlidesCommand(state, { op: 'slides.next' });
    vi.advanceTimersByTime(300);
    expect(readSlidesState(state).dwell_ms).toEqual({ '0': 1200, '1': 300 });
  });

  it('rejects invalid commands', () => {
    expect(() => applySlidesCommand(initialSlidesState(), { op: 'slides.next' })).toThrow(
      /No slides/,
    );
    expect(() => applySlidesCommand(load(2), { op: 'slides.goto', index: 5 })).toThrow(/index/);
    expect(() =>
      applySlidesCommand(initialSlidesState(), {
        op: 'slides.load',
        slides: [],
        start_index: 0,
      } as never),
    ).toThrow();
    expect(() => applySlidesCommand(load(2), { op: 'notepad.clear' })).toThrow(/does not accept/);
  });
});
