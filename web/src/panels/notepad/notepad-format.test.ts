import { describe, expect, it } from 'vitest';
import {
  hasStyle,
  isBulletList,
  toggleBulletList,
  toggleStyle,
  type InlineStyle,
  type TextEdit,
} from './notepad-format';

/** `[` and `]` mark the selection (a single `|` marks a caret). */
function parse(marked: string): TextEdit {
  if (marked.includes('|')) {
    const at = marked.indexOf('|');
    return { text: marked.replace('|', ''), start: at, end: at };
  }
  const start = marked.indexOf('[');
  const end = marked.indexOf(']') - 1;
  return { text: marked.replace('[', '').replace(']', ''), start, end };
}

function show({ text, start, end }: TextEdit): string {
  if (start === end) return `${text.slice(0, start)}|${text.slice(start)}`;
  return `${text.slice(0, start)}[${text.slice(start, end)}]${text.slice(end)}`;
}

const style = (marked: string, s: InlineStyle) => {
  const { text, start, end } = parse(marked);
  return show(toggleStyle(text, start, end, s));
};
const styled = (marked: string, s: InlineStyle) => {
  const { text, start, end } = parse(marked);
  return hasStyle(text, start, end, s);
};
const list = (marked: string) => {
  const { text, start, end } = parse(marked);
  return show(toggleBulletList(text, start, end));
};

describe('bold and italic', () => {
  it('wraps the selection and keeps it selected', () => {
    expect(style('Ship [the beta] soon', 'bold')).toBe('Ship **[the beta]** soon');
    expect(style('Ship [the beta] soon', 'italic')).toBe('Ship *[the beta]* soon');
  });

  it('leaves surrounding spaces outside the markers', () => {
    expect(style('Ship[ the beta ]soon', 'bold')).toBe('Ship **[the beta]** soon');
  });

  it('toggles off when the markers are just outside or inside the selection', () => {
    expect(style('Ship **[the beta]** soon', 'bold')).toBe('Ship [the beta] soon');
    expect(style('Ship [**the beta**] soon', 'bold')).toBe('Ship [the beta] soon');
    expect(style('Ship *[the beta]* soon', 'italic')).toBe('Ship [the beta] soon');
  });

  it('combines bold and italic', () => {
    expect(style('**[x]**', 'italic')).toBe('***[x]***');
    expect(style('***[x]***', 'bold')).toBe('*[x]*');
    expect(style('***[x]***', 'italic')).toBe('**[x]**');
    expect(styled('**[x]**', 'italic')).toBe(false);
    expect(styled('**[x]**', 'bold')).toBe(true);
    expect(styled('***[x]***', 'italic')).toBe(true);
  });

  it('inserts an empty pair at a caret, and unstyles the span around a caret', () => {
    expect(style('a |b', 'bold')).toBe('a **|**b');
    expect(style('say **he|llo** now', 'bold')).toBe('say he|llo now');
    expect(styled('say **he|llo** now', 'bold')).toBe(true);
    expect(styled('say *he|llo* now', 'bold')).toBe(false);
    expect(styled('say *he|llo* now', 'italic')).toBe(true);
    expect(style('***he|llo***', 'italic')).toBe('**he|llo**');
  });

  it('styles each selected line on its own, skipping blank lines', () => {
    expect(style('[one\n\ntwo]', 'bold')).toBe('**[one**\n\n**two]**');
    expect(style('**[one**\n\n**two]**', 'bold')).toBe('[one\n\ntwo]');
    // Mixed: the plain line gets the style, the styled one is left alone.
    expect(style('[**one**\ntwo]', 'bold')).toBe('[**one**\n**two]**');
  });

  it('does nothing for a whitespace-only selection', () => {
    expect(style('a[  ]b', 'bold')).toBe('a[  ]b');
  });
});

describe('bullet lists', () => {
  it('adds "- " to the caret line and keeps the caret on its text', () => {
    expect(list('Goals\nHire| a designer')).toBe('Goals\n- Hire| a designer');
    expect(list('|')).toBe('- |');
  });

  it('adds bullets to every non-empty selected line, keeping indentation', () => {
    expect(list('[a\n\n  b\nc]')).toBe('- [a\n\n  - b\n- c]');
    expect(isBulletList('- a\n\n  - b\n- c', 0, 14)).toBe(true);
  });

  it('removes bullets when every selected line is one', () => {
    expect(list('- [a\n- b]')).toBe('[a\nb]');
    expect(list('- it|em')).toBe('it|em');
    expect(list('-| item')).toBe('|item');
  });

  it('bullets the remaining lines of a partly bulleted selection', () => {
    expect(list('[- a\nb]')).toBe('[- a\n- b]');
  });

  it('stops at a selection that ends right after a newline', () => {
    expect(list('[a\n]b')).toBe('- [a\n]b');
  });
});
