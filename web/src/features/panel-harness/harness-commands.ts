import type { BrowserMethod, PanelType } from '@/contracts';

export interface HarnessCommand {
  id: string;
  label: string;
  method: BrowserMethod;
  payload: Record<string, unknown>;
}

const open = (
  panel: PanelType,
  command: Record<string, unknown> | null = null,
  title: string | null = null,
) => ({
  method: 'troupe.open_panel' as const,
  payload: { panel, title, command },
});
const control = (panel: PanelType, command: Record<string, unknown>) => ({
  method: 'troupe.control_panel' as const,
  payload: { panel, command },
});

export const SAMPLE_SLIDES = [
  {
    title: 'Welcome to Troupe',
    bullets: [
      'Voice agents that see, speak and share a workspace',
      'Self-hosted on LiveKit',
      'Hand-offs between specialist agents',
    ],
    image_url: null,
    notes: '',
    link_url: null,
  },
  {
    title: 'How a session works',
    bullets: [
      'You talk, the agent listens and thinks',
      'It opens panels beside the conversation',
      'Everything you do here is sent back as events',
    ],
    image_url: null,
    notes: '',
    link_url: 'https://example.com/docs/sessions',
  },
  {
    title: 'Next steps',
    bullets: ['Pick a template', 'Invite your team', 'Go live'],
    image_url: null,
    notes: '',
    link_url: null,
  },
];

export const SAMPLE_CODE = `def fizzbuzz(n):
    for i in range(1, n + 1):
        if i % 15 == 0:
            print("FizzBuzz")
        elif i % 3 == 0:
            print("Fizz")
        elif i % 5 == 0:
            print("Buzz")
        else:
            print(i)

fizzbuzz(15)
`;

export const SAMPLE_JS = `function greet(name) {
  return \`Hello, \${name}!\`;
}

for (const name of ['Ada', 'Grace', 'Linus']) {
  console.log(greet(name));
}
`;

export const HARNESS_COMMANDS: Record<PanelType, HarnessCommand[]> = {
  slides: [
    {
      id: 'open',
      label: 'Open + load deck',
      ...open(
        'slides',
        { op: 'slides.load', slides: SAMPLE_SLIDES, start_index: 0 },
        'Product tour',
      ),
    },
    { id: 'next', label: 'Next', ...control('slides', { op: 'slides.next' }) },
    { id: 'prev', label: 'Previous', ...control('slides', { op: 'slides.prev' }) },
    { id: 'goto', label: 'Go to 3', ...control('slides', { op: 'slides.goto', index: 2 }) },
    {
      id: 'invalid',
      label: 'Go to 99 (invalid)',
      ...control('slides', { op: 'slides.goto', index: 99 }),
    },
  ],
  notepad: [
    {
      id: 'open',
      label: 'Open',
      ...open(
        'notepad',
        {
          op: 'notepad.set',
          text: null,
          placeholder: 'Describe the problem you are trying to solve…',
        },
        'Your answer',
      ),
    },
    {
      id: 'set',
      label: 'Prefill',
      ...control('notepad', {
        op: 'notepad.set',
        text: 'Goals for this quarter:\n- Ship the voice demo\n- Reduce latency below 800 ms\n- Onboard three pilot customers',
        placeholder: null,
      }),
    },
    { id: 'clear', label: 'Clear', ...control('notepad', { op: 'notepad.clear' }) },
  ],
  code: [
    {
      id: 'open',
      label: 'Open + Python',
      ...open('code', { op: 'code.set', code: SAMPLE_CODE, language: 'python' }, 'fizzbuzz.py'),
    },
    {
      id: 'js',
      label: 'Set JavaScript',
      ...control('code', { op: 'code.set', code: SAMPLE_JS, language: 'javascript' }),
    },
    {
      id: 'highlight',
      label: 'Highlight 3–4',
      ...control('code', { op: 'code.highlight', lines: [3, 4] }),
    },
    {
      id: 'annotate',
      label: 'Annotate line 2',
      ...control('code', {
        op: 'code.annotate',
        line: 2,
        message: 'range() excludes its end: n + 1 includes n.',
        severity: 'info',
      }),
    },
    { id: 'clear-marks', label: 'Clear marks', ...control('code', { op: 'code.clear_marks' }) },
  ],
  whiteboard: [
    { id: 'open', label: 'Open', ...open('whiteboard', null, 'Architecture sketch') },
    {
      id: 'draw',
      label: 'Draw diagram',
      ...control('whiteboard', {
        op: 'whiteboard.draw',
        shapes: [
          {
            kind: 'rectangle',
            x: 120,
            y: 300,
            width: 240,
            height: 130,
            text: null,
            color: '#1971c2',
          },
          { kind: 'text', x: 170, y: 350, width: 0, height: 0, text: 'Browser', color: '#1971c2' },
          { kind: 'arrow', x: 380, y: 365, width: 220, height: 0, text: null, color: '#1e1e2e' },
          {
            kind: 'ellipse',
            x: 620,
            y: 290,
            width: 260,
            height: 150,
            text: null,
            color: '#2f9e44',
          },
          { kind: 'text', x: 685, y: 350, width: 0, height: 0, text: 'LiveKit', color: '#2f9e44' },
          { kind: 'line', x: 750, y: 460, width: 0, height: 120, text: null, color: '#868e96' },
          {
            kind: 'rectangle',
            x: 640,
            y: 590,
            width: 220,
            height: 110,
            text: null,
            color: '#7048e8',
          },
          { kind: 'text', x: 700, y: 630, width: 0, height: 0, text: 'Agent', color: '#7048e8' },
          {
            kind: 'text',
            x: 120,
            y: 120,
            width: 0,
            height: 0,
            text: 'How a session flows',
            color: '#1e1e2e',
          },
        ],
      }),
    },
    { id: 'undo', label: 'Undo', ...control('whiteboard', { op: 'whiteboard.undo' }) },
    { id: 'redo', label: 'Redo', ...control('whiteboard', { op: 'whiteboard.redo' }) },
    { id: 'export', label: 'Export PNG', ...control('whiteboard', { op: 'whiteboard.export' }) },
    {
      id: 'read-image',
      label: 'Read with image',
      method: 'troupe.read_panel',
      payload: { panel: 'whiteboard', image: true },
    },
    { id: 'clear', label: 'Clear', ...control('whiteboard', { op: 'whiteboard.clear' }) },
  ],
  document: [
    {
      id: 'open',
      label: 'Open + load PDF',
      ...open(
        'document',
        { op: 'document.load', url: '/dev/sample-contract.pdf' },
        'Service agreement',
      ),
    },
    { id: 'goto', label: 'Go to page 2', ...control('document', { op: 'document.goto', page: 2 }) },
    {
      id: 'zoom',
      label: 'Zoom 125%',
      ...control('document', { op: 'document.zoom', scale: 1.25 }),
    },
    {
      id: 'highlight',
      label: 'Highlight “thirty days”',
      ...control('document', { op: 'document.highlight', page: 2, text: 'thirty days' }),
    },
  ],
};
