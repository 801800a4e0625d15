'use client';

import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { useTheme } from '@/components/theme/use-theme';
import type { PanelComponentProps } from '../types';
import { PlayIcon } from '../panel-icons';
import ui from '../panel-ui.module.css';
import { canRun, runCode } from './code-runner';
import {
  applyMarks,
  createEditorState,
  editorCompartments,
  fontSizeTheme,
  languageExtension,
} from './code-editor';
import { CODE_LANGUAGES, type CodeLanguage, type CodePanelState } from './code-state';
import styles from './code.module.css';

const LANGUAGE_LABELS: Record<CodeLanguage, string> = {
  python: 'Python',
  javascript: 'JavaScript',
  typescript: 'TypeScript',
  java: 'Java',
  cpp: 'C++',
};
const FONT_SIZES = [12, 13, 14, 16, 18, 20];

export function CodePanel({
  state,
  update,
  emit,
  emitDebounced,
}: PanelComponentProps<CodePanelState>) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const { theme } = useTheme();
  const dark = theme === 'dark';
  const latest = useRef({ update, emitDebounced, state });
  useEffect(() => {
    latest.current = { update, emitDebounced, state };
  });

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const initial = latest.current.state;
    const view = new EditorView({
      parent: host,
      state: createEditorState({
        doc: initial.code,
        language: initial.language,
        dark: document.documentElement.dataset.theme === 'dark',
        fontSize: initial.fontSize,
        onChange: (code) => {
          latest.current.update((s) => ({ ...(s as CodePanelState), code }));
          latest.current.emitDebounced('code_changed', {
            code,
            language: latest.current.state.language,
          });
        },
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, []);

  // Agent `code.set` (or any outside change): replace the document when it differs.
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const current = view.state.doc.toString();
    if (current !== state.code) {
      view.dispatch({ changes: { from: 0, to: current.length, insert: state.code } });
    }
    applyMarks(view, state.highlights, state.annotations);
  }, [state.code, state.highlights, state.annotations]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: editorCompartments.language.reconfigure(languageExtension(state.language)),
    });
  }, [state.language]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: editorCompartments.theme.reconfigure(dark ? oneDark : []),
    });
  }, [dark]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: editorCompartments.fontSize.reconfigure(fontSizeTheme(state.fontSize)),
    });
  }, [state.fontSize]);

  const run = async () => {
    const { code, language } = state;
    update((s) => ({ ...(s as CodePanelState), running: true }));
    const result = await runCode(language, code);
    update((s) => ({ ...(s as CodePanelState), running: false, lastRunOutput: result.output }));
    emit('code_run', {
      language,
      ok: result.ok,
      output: result.output,
      duration_ms: result.durationMs,
    });
  };

  return (
    <div className={ui.body}>
      <div className={ui.toolbar}>
        <label>
          <span className="visually-hidden">Language</span>
          <select
            className={ui.select}
            data-testid="code-language"
            value={state.language}
            onChange={(event) => {
              const language = event.target.value as CodeLanguage;
              update((s) => ({ ...(s as CodePanelState), language }));
              emitDebounced('code_changed', { code: state.code, language });
            }}
          >
            {CODE_LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {LANGUAGE_LABELS[language]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">Font size</span>
          <select
            className={ui.select}
            data-testid="code-font-size"
            value={state.fontSize}
            onChange={(event) => {
              const fontSize = Number(event.target.value);
              update((s) => ({ ...(s as CodePanelState), fontSize }));
            }}
          >
            {FONT_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}px
              </option>
            ))}
          </select>
        </label>
        <span className={ui.spacer} />
        <button
          type="button"
          className={ui.toolPrimary}
          data-testid="code-run"
          disabled={!canRun(state.language) || state.running}
          title={canRun(state.language) ? 'Run' : 'Running is available for JavaScript and Python'}
          onClick={() => void run()}
        >
          <PlayIcon size={14} />
          {state.running ? 'Running…' : 'Run'}
        </button>
      </div>
      <div ref={hostRef} className={styles.editor} data-testid="code-editor" />
      {(state.lastRunOutput !== null || state.running) && (
        <section className={styles.output} aria-label="Program output">
          <header className={styles.outputHeader}>Output</header>
          <pre data-testid="code-output">
            {state.running ? 'Running…' : state.lastRunOutput || '(no output)'}
          </pre>
        </section>
      )}
    </div>
  );
}
