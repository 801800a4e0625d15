'use client';

import { useCallback, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { PanelComponentProps } from '../types';
import { CopyIcon, TrashIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import { countWords, NOTEPAD_MAX_CHARS, type NotepadPanelState } from './notepad-state';
import {
  hasStyle,
  isBulletList,
  toggleBulletList,
  toggleStyle,
  type TextEdit,
} from './notepad-format';
import styles from './notepad.module.css';

/** The common prefix and suffix of two texts: the one range an edit replaced. */
function changedRange(before: string, after: string) {
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
  )
    suffix++;
  return {
    from: prefix,
    to: before.length - suffix,
    insert: after.slice(prefix, after.length - suffix),
  };
}

export function NotepadPanel({
  state,
  update,
  emitDebounced,
  emit,
}: PanelComponentProps<NotepadPanelState>) {
  const id = useId();
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState(false);
  const [selection, setSelection] = useState({ start: 0, end: 0 });
  const words = countWords(state.text);
  const sel = {
    start: Math.min(selection.start, state.text.length),
    end: Math.min(selection.end, state.text.length),
  };
  const bold = hasStyle(state.text, sel.start, sel.end, 'bold');
  const italic = hasStyle(state.text, sel.start, sel.end, 'italic');
  const bullets = isBulletList(state.text, sel.start, sel.end);

  const setText = useCallback(
    (text: string) => {
      update((s) => ({ ...(s as NotepadPanelState), text }));
      emitDebounced('content_changed', { text, words: countWords(text), characters: text.length });
    },
    [update, emitDebounced],
  );

  const readSelection = () => {
    const el = textareaRef.current;
    if (el) setSelection({ start: el.selectionStart, end: el.selectionEnd });
  };

  /**
   * Applies a formatting edit through the browser's editing (`insertText`) so Ctrl+Z undoes
   * it like typing; falls back to setting the value.
   */
  const applyEdit = (transform: (text: string, start: number, end: number) => TextEdit) => {
    const el = textareaRef.current;
    if (!el) return;
    const before = el.value;
    const edit = transform(before, el.selectionStart, el.selectionEnd);
    if (edit.text.length > NOTEPAD_MAX_CHARS) return;
    el.focus();
    if (edit.text !== before) {
      const { from, to, insert } = changedRange(before, edit.text);
      el.setSelectionRange(from, to);
      let done = false;
      try {
        done = document.execCommand(insert ? 'insertText' : 'delete', false, insert);
      } catch {
        done = false;
      }
      if (!done || el.value !== edit.text) setText(edit.text);
    }
    const restore = () => {
      el.setSelectionRange(edit.start, edit.end);
      setSelection({ start: edit.start, end: edit.end });
    };
    restore();
    requestAnimationFrame(restore);
  };

  const toggleBold = () => applyEdit((t, a, b) => toggleStyle(t, a, b, 'bold'));
  const toggleItalic = () => applyEdit((t, a, b) => toggleStyle(t, a, b, 'italic'));
  const toggleList = () => applyEdit(toggleBulletList);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (!event.shiftKey && key === 'b') {
      event.preventDefault();
      toggleBold();
    } else if (!event.shiftKey && key === 'i') {
      event.preventDefault();
      toggleItalic();
    } else if (event.shiftKey && event.code === 'Digit8') {
      event.preventDefault();
      toggleList();
    }
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
      <div
        className={ui.toolbar}
        role="toolbar"
        aria-label="Formatting"
        aria-controls={`${id}-text`}
      >
        <button
          type="button"
          className={ui.tool}
          data-testid="notepad-bold"
          aria-label="Bold"
          aria-pressed={bold}
          aria-keyshortcuts="Control+B Meta+B"
          title="Bold (Ctrl/⌘+B) — **text**"
          // Keep focus and selection in the textarea.
          onMouseDown={(event) => event.preventDefault()}
          onClick={toggleBold}
        >
          <strong>B</strong>
        </button>
        <button
          type="button"
          className={ui.tool}
          data-testid="notepad-italic"
          aria-label="Italic"
          aria-pressed={italic}
          aria-keyshortcuts="Control+I Meta+I"
          title="Italic (Ctrl/⌘+I) — *text*"
          onMouseDown={(event) => event.preventDefault()}
          onClick={toggleItalic}
        >
          <em className={styles.italic}>I</em>
        </button>
        <button
          type="button"
          className={ui.tool}
          data-testid="notepad-list"
          aria-label="Bulleted list"
          aria-pressed={bullets}
          aria-keyshortcuts="Control+Shift+8 Meta+Shift+8"
          title="Bulleted list (Ctrl/⌘+Shift+8) — - item"
          onMouseDown={(event) => event.preventDefault()}
          onClick={toggleList}
        >
          <span aria-hidden>•≡</span>
        </button>
        <span className={ui.meta} id={`${id}-hint`}>
          Markdown: **bold**, *italic*, - item
        </span>
      </div>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Notepad
      </label>
      <textarea
        ref={textareaRef}
        id={`${id}-text`}
        className={styles.textarea}
        data-testid="notepad-text"
        value={state.text}
        placeholder={state.placeholder}
        maxLength={NOTEPAD_MAX_CHARS}
        spellCheck
        aria-describedby={`${id}-count ${id}-hint`}
        onChange={(event) => {
          setText(event.target.value);
          readSelection();
        }}
        onSelect={readSelection}
        onKeyDown={onKeyDown}
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
