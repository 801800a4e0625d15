import { describe, expect, it } from 'vitest';
import { groupSections, SECTION_TEXT_MAX, type TextRun } from './document-sections';

const run = (str: string, y: number, size: number, x = 72): TextRun => ({
  str,
  x,
  y,
  size,
  width: str.length * size * 0.5,
});

describe('groupSections', () => {
  it('starts a section at each heading (font larger than the body text)', () => {
    // The text content PDF.js returns for page 1 of public/dev/sample-contract.pdf.
    const runs = [
      run('Service Agreement', 720, 26),
      run('', 670, 15),
      run('1. Scope of services', 670, 15),
      run('', 644, 12),
      run('The provider delivers onboarding and support.', 644, 12),
      run('', 622, 15),
      run('2. Term', 622, 15),
      run('', 596, 12),
      run('This agreement starts on signature and lasts twelve months.', 596, 12),
    ];
    expect(groupSections(runs)).toEqual([
      { index: 1, heading: 'Service Agreement', text: 'Service Agreement', runs: [0] },
      {
        index: 2,
        heading: '1. Scope of services',
        text: '1. Scope of services The provider delivers onboarding and support.',
        runs: [2, 4],
      },
      {
        index: 3,
        heading: '2. Term',
        text: '2. Term This agreement starts on signature and lasts twelve months.',
        runs: [6, 8],
      },
    ]);
  });

  it('keeps text above the first heading, joins runs on one line, and truncates', () => {
    const long = 'word '.repeat(200);
    const sections = groupSections([
      run('Preamble text', 760, 12),
      run('Heading', 720, 18),
      run('left half', 700, 12),
      run('right half', 700.5, 12, 200),
      run(long, 680, 12),
    ]);
    expect(sections.map((s) => [s.index, s.heading])).toEqual([
      [1, null],
      [2, 'Heading'],
    ]);
    expect(sections[1]?.text.startsWith('Heading left half right half word')).toBe(true);
    expect(sections[1]?.text).toHaveLength(SECTION_TEXT_MAX);
    expect(sections[1]?.text.endsWith('…')).toBe(true);
  });

  it('treats a page without headings as one section, and an empty page as none', () => {
    expect(groupSections([run('a b', 700, 10), run('c d', 680, 10)])).toEqual([
      { index: 1, heading: null, text: 'a b c d', runs: [0, 1] },
    ]);
    expect(groupSections([run(' ', 700, 10)])).toEqual([]);
  });
});
