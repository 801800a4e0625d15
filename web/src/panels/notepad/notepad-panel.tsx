'use client';

import { useId, useState } from 'react';
import type { PanelComponentProps } from '../types';
import { CopyIcon, TrashIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import { countWords, NOTEPAD_MAX_CHARS, type NotepadPanelState } from './notepad-state';
import styles from './notepad.module.css';

export function NotepadPanel({
  state,
  update,
  emitDebounced,
  emit,
}: PanelComponentProps<NotepadPanelState>) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const words = countWords(state.text);

  const setText = (text: string) => {
    update((s) => ({ ...(s as NotepadPanelState), text }));
    emitDebounced('content_changed', { text, words: countWords(text), characters: text.length });
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(state.text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  return (
    <div className={ui.body}>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Notepad
      </label>
      <textarea
        id={`${id}-text`}
        className={styles.textarea}
        data-testid="notepad-text"
        value={state.text}
        placeholder={state.placeholder}
        maxLength={NOTEPAD_MAX_CHARS}
        spellCheck
        aria-describedby={`${id}-count`}
        onChange={(event) => setText(event.target.value)}
      />
      <div className={ui.toolbarBottom}>
        <span id={`${id}-count`} className={ui.meta} data-testid="notepad-count" aria-live="polite">
          {words} {words === 1 ? 'word' : 'words'} · {state.text.length}{' '}
          {state.text.length === 1 ? 'character' : 'characters'}
        </span>
        <span className={ui.spacer} />
        <button
          type="button"
          className={ui.tool}
          data-testid="notepad-copy"
          onClick={() => void copy()}
          disabled={state.text === ''}
        >
          <CopyIcon size={15} />
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button
          type="button"
          className={ui.tool}
          data-testid="notepad-clear"
          onClick={() => {
            update((s) => ({ ...(s as NotepadPanelState), text: '' }));
            emit('content_changed', { text: '', words: 0, characters: 0 });
          }}
          disabled={state.text === ''}
        >
          <TrashIcon size={15} />
          Clear
        </button>
      </div>
    </div>
  );
}
