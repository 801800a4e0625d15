import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { cpp } from '@codemirror/lang-cpp';
import { java } from '@codemirror/lang-java';
import { javascript } from '@codemirror/lang-javascript';
import { python } from '@codemirror/lang-python';
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import {
  Compartment,
  EditorState,
  RangeSetBuilder,
  StateEffect,
  StateField,
  type Extension,
} from '@codemirror/state';
import { oneDark } from '@codemirror/theme-one-dark';
import {
  Decoration,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  type DecorationSet,
} from '@codemirror/view';
import type { CodeAnnotation, CodeLanguage } from './code-state';

export function languageExtension(language: CodeLanguage): Extension {
  switch (language) {
    case 'python':
      return python();
    case 'javascript':
      return javascript();
    case 'typescript':
      return javascript({ typescript: true });
    case 'java':
      return java();
    case 'cpp':
      return cpp();
  }
}

const setHighlightedLines = StateEffect.define<number[]>();
const highlightMark = Decoration.line({
  class: 'cm-agent-highlight',
  attributes: { 'data-agent-highlight': 'true' },
});

/** Lines the agent points at, kept as line decorations that survive edits. */
const highlightField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    let next = decorations.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setHighlightedLines)) continue;
      const builder = new RangeSetBuilder<Decoration>();
      for (const line of effect.value) {
        if (line >= 1 && line <= transaction.state.doc.lines) {
          const from = transaction.state.doc.line(line).from;
          builder.add(from, from, highlightMark);
        }
      }
      next = builder.finish();
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export const editorCompartments = {
  language: new Compartment(),
  theme: new Compartment(),
  fontSize: new Compartment(),
};

export function fontSizeTheme(px: number): Extension {
  return EditorView.theme({ '&': { fontSize: `${px}px` } });
}

const baseTheme = EditorView.theme({
  '&': { height: '100%' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.6' },
  '.cm-agent-highlight': { backgroundColor: 'color-mix(in srgb, #f5b942 26%, transparent)' },
  '.cm-gutters': { borderRight: '1px solid var(--color-border)' },
});

export function createEditorState(options: {
  doc: string;
  language: CodeLanguage;
  dark: boolean;
  fontSize: number;
  onChange: (code: string) => void;
}): EditorState {
  return EditorState.create({
    doc: options.doc,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      foldGutter(),
      history(),
      indentOnInput(),
      bracketMatching(),
      highlightActiveLine(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      lintGutter(),
      highlightField,
      baseTheme,
      editorCompartments.language.of(languageExtension(options.language)),
      editorCompartments.theme.of(options.dark ? oneDark : []),
      editorCompartments.fontSize.of(fontSizeTheme(options.fontSize)),
      EditorView.contentAttributes.of({ 'aria-label': 'Code editor' }),
      EditorView.updateListener.of((update) => {
        // Only user edits: programmatic `code.set` transactions carry the "agent" annotation.
        if (
          update.docChanged &&
          update.transactions.some(
            (tr) =>
              tr.isUserEvent('input') ||
              tr.isUserEvent('delete') ||
              tr.isUserEvent('undo') ||
              tr.isUserEvent('redo') ||
              tr.isUserEvent('move'),
          )
        ) {
          options.onChange(update.state.doc.toString());
        }
      }),
    ],
  });
}

export function applyMarks(
  view: EditorView,
  highlights: number[],
  annotations: CodeAnnotation[],
): void {
  const doc = view.state.doc;
  const diagnostics: Diagnostic[] = annotations
    .filter((note) => note.line >= 1 && note.line <= doc.lines)
    .map((note) => {
      const line = doc.line(note.line);
      return {
        from: line.from,
        to: line.to,
        severity: note.severity,
        message: note.message,
        source: 'Agent',
      };
    });
  view.dispatch(setDiagnostics(view.state, diagnostics));
  view.dispatch({ effects: setHighlightedLines.of(highlights) });
}
