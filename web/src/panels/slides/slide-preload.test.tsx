import { render } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Slide } from '@/contracts';
import { imagesToPreload, useSlideImagePreload, type ImageLoader } from './slide-preload';

const slide = (image_url: string | null): Slide => ({
  title: 't',
  bullets: [],
  image_url,
  notes: '',
  link_url: null,
});

const deck = [slide('/a.png'), slide('/b.png'), slide(null), slide('/d.png'), slide('/e.png')];

describe('slide image preloading', () => {
  it('fetches the next slides and the previous one, not the current one', () => {
    expect(imagesToPreload(deck, 0)).toEqual(['/b.png']); // slide 2 has no image
    expect(imagesToPreload(deck, 1)).toEqual(['/d.png', '/a.png']);
    expect(imagesToPreload(deck, 3)).toEqual(['/e.png']); // slide 3 (previous) has no image
    expect(imagesToPreload([slide('/x.png'), slide('/x.png')], 0)).toEqual([]);
  });

  it('loads each upcoming image once while the deck stays', () => {
    const load = vi.fn<ImageLoader>((url) =>
      Object.assign(document.createElement('img'), { src: url }),
    );
    function Deck({ index, slides }: { index: number; slides: Slide[] }) {
      useSlideImagePreload(slides, index, load);
      return null;
    }
    const view = render(<Deck slides={deck} index={0} />);
    expect(load.mock.calls.map(([url]) => url)).toEqual(['/b.png']);
    view.rerender(<Deck slides={deck} index={1} />);
    view.rerender(<Deck slides={deck} index={0} />);
    expect(load.mock.calls.map(([url]) => url)).toEqual(['/b.png', '/d.png', '/a.png']);
    const next = [slide('/n1.png'), slide('/n2.png')];
    view.rerender(<Deck slides={next} index={0} />);
    expect(load.mock.calls.at(-1)?.[0]).toBe('/n2.png');
  });
});
