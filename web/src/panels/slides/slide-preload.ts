'use client';

import { useEffect, useRef } from 'react';
import type { Slide } from '@/contracts';

/** How many slides after the current one have their image fetched ahead. */
export const PRELOAD_AHEAD = 2;

/** Image URLs worth fetching now: the next `ahead` slides' and the previous slide's (going
 * back is common), without the current one (its <img> loads it) and without repeats. */
export function imagesToPreload(slides: readonly Slide[], index: number, ahead = PRELOAD_AHEAD) {
  const current = slides[index]?.image_url ?? null;
  const wanted = [...slides.slice(index + 1, index + 1 + ahead), slides[index - 1]]
    .map((slide) => slide?.image_url ?? null)
    .filter((url): url is string => Boolean(url) && url !== current);
  return [...new Set(wanted)];
}

export type ImageLoader = (url: string) => HTMLImageElement;

export function loadImage(url: string): HTMLImageElement {
  const image = new Image();
  image.decoding = 'async';
  image.src = url;
  return image;
}

/** Keeps a fetched (and decoded) copy of each upcoming slide image for as long as the deck is
 * shown, so "next slide" shows its picture at once; each URL is fetched once per deck. */
export function useSlideImagePreload(
  slides: readonly Slide[],
  index: number,
  load: ImageLoader = loadImage,
): void {
  const cache = useRef(new Map<string, HTMLImageElement>());
  const deck = useRef(slides);
  useEffect(() => {
    if (deck.current !== slides) {
      deck.current = slides;
      cache.current = new Map();
    }
    for (const url of imagesToPreload(slides, index)) {
      if (!cache.current.has(url)) cache.current.set(url, load(url));
    }
  }, [slides, index, load]);
}
