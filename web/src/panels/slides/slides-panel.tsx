'use client';

import { useEffect, useRef } from 'react';
import type { PanelComponentProps } from '../types';
import { ChevronLeftIcon, ChevronRightIcon, FullscreenIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import { useSlideImagePreload } from './slide-preload';
import { showSlide, type SlidesPanelState } from './slides-state';
import styles from './slides.module.css';

export function SlidesPanel({ state, update, emit }: PanelComponentProps<SlidesPanelState>) {
  const rootRef = useRef<HTMLDivElement>(null);
  const { slides, index } = state;
  const slide = slides[index];
  const previous = useRef<{ index: number; shownAt: number | null } | null>(null);
  // The next slides' images are fetched while this one is shown: "next" shows them at once.
  useSlideImagePreload(slides, index);

  // One slide_viewed per slide change, carrying the time spent on the slide just left.
  useEffect(() => {
    if (!slide) return;
    const last = previous.current;
    if (last && last.index === index && last.shownAt === state.shownAt) return;
    emit('slide_viewed', {
      index,
      title: slide.title,
      count: slides.length,
      previous_index: last?.index ?? null,
      previous_dwell_ms: last ? (state.dwell[String(last.index)] ?? 0) : null,
    });
    previous.current = { index, shownAt: state.shownAt };
  }, [emit, index, slide, slides.length, state.dwell, state.shownAt]);

  const go = (target: number) => {
    if (target < 0 || target >= slides.length) return;
    update((s) => showSlide(s as SlidesPanelState, target));
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'ArrowRight' || event.key === 'PageDown') {
      event.preventDefault();
      go(index + 1);
    } else if (event.key === 'ArrowLeft' || event.key === 'PageUp') {
      event.preventDefault();
      go(index - 1);
    }
  };

  const toggleFullscreen = () => {
    const root = rootRef.current;
    if (!root) return;
    if (document.fullscreenElement) void document.exitFullscreen();
    else void root.requestFullscreen?.().catch(() => {});
  };

  if (!slide) {
    return <div className={ui.empty}>Waiting for the agent to share slides…</div>;
  }

  return (
    <div
      ref={rootRef}
      className={styles.presenter}
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-roledescription="slide deck"
      aria-label={`Slides, ${index + 1} of ${slides.length}`}
    >
      <div className={styles.stage}>
        <article
          key={`${index}-${state.shownAt ?? 0}`}
          className={styles.slide}
          data-testid="slide-current"
          data-index={index}
          aria-live="polite"
        >
          <h2 className={styles.title} data-testid="slide-title">
            {slide.title}
          </h2>
          <div className={slide.image_url ? styles.withImage : styles.content}>
            {slide.bullets.length > 0 && (
              <ul className={styles.bullets}>
                {slide.bullets.map((bullet, i) => (
                  <li key={i}>{bullet}</li>
                ))}
              </ul>
            )}
            {slide.image_url && (
              // eslint-disable-next-line @next/next/no-img-element -- agent-provided, any origin
              <img className={styles.image} src={slide.image_url} alt="" loading="eager" />
            )}
          </div>
          {slide.link_url && (
            <a
              className={styles.link}
              href={slide.link_url}
              target="_blank"
              rel="noopener noreferrer"
              data-testid="slide-link"
              onClick={() => emit('link_clicked', { index, url: slide.link_url })}
            >
              {slide.link_url.replace(/^https?:\/\//u, '')}
            </a>
          )}
        </article>
      </div>
      <div className={ui.toolbarBottom}>
        <button
          type="button"
          className={ui.tool}
          data-testid="slide-prev"
          aria-label="Previous slide"
          disabled={index === 0}
          onClick={() => go(index - 1)}
        >
          <ChevronLeftIcon />
        </button>
        <span className={styles.progress} data-testid="slide-progress">
          {index + 1} of {slides.length}
        </span>
        <button
          type="button"
          className={ui.tool}
          data-testid="slide-next"
          aria-label="Next slide"
          disabled={index >= slides.length - 1}
          onClick={() => go(index + 1)}
        >
          <ChevronRightIcon />
        </button>
        <div className={styles.dots} aria-hidden="true">
          {slides.map((_, i) => (
            <span key={i} className={styles.dot} data-active={i === index} />
          ))}
        </div>
        <span className={ui.spacer} />
        <button
          type="button"
          className={ui.tool}
          data-testid="slide-fullscreen"
          aria-label="Fullscreen"
          onClick={toggleFullscreen}
        >
          <FullscreenIcon size={16} />
        </button>
      </div>
    </div>
  );
}
