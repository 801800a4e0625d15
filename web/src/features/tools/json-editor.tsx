'use client';

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { useTheme } from '@/components/theme/use-theme';

/** CodeMirror 6 in JSON mode with a parse linter; controlled by `value` / `onChange`. */
export function JsonEditor({
  value,
  onChange,
  label,
  invalid,
  testId,
}: {
  value: string;
  onChange: (next: string) => void;
  label: string;
  invalid?: boolean;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const { theme } = useTheme();

  useEffect(() => {
    onChangeRef.current = onChange;
  });

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          json(),
          linter(jsonParseLinter()),
          lintGutter(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
          theme === 'dark' ? oneDark : [],
          EditorView.theme({
            '&': { fontSize: '13px', minHeight: '200px' },
            '.cm-scroller': { fontFamily: 'var(--font-mono)', minHeight: '200px' },
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Re-created only when the theme changes; the document is synced below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, label]);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return (
    <div
      ref={host}
      data-testid={testId}
      style={{
        border: `1px solid ${invalid ? 'var(--color-danger)' : 'var(--color-border-strong)'}`,
        borderRadius: 'var(--radius-md)',
        overflow: 'hidden',
      }}
    />
  );
}
