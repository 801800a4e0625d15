import type { CodeAnnotate, CodeState, PanelCommand } from '@/contracts';
import { commandError, requireInt, requireString, unexpectedOp } from '../types';

export type CodeLanguage = CodeState['language'];
export const CODE_LANGUAGES: readonly CodeLanguage[] = [
  'python',
  'javascript',
  'typescript',
  'java',
  'cpp',
];
export const RUNNABLE_LANGUAGES: readonly CodeLanguage[] = ['javascript', 'python'];

export interface CodeAnnotation {
  line: number;
  message: string;
  severity: CodeAnnotate['severity'];
}

export interface CodePanelState {
  code: string;
  language: CodeLanguage;
  highlights: number[];
  annotations: CodeAnnotation[];
  lastRunOutput: string | null;
  running: boolean;
  fontSize: number;
}

export const initialCodeState = (): CodePanelState => ({
  code: '',
  language: 'python',
  highlights: [],
  annotations: [],
  lastRunOutput: null,
  running: false,
  fontSize: 14,
});

const SEVERITIES: readonly CodeAnnotation['severity'][] = ['info', 'warning', 'error'];

function lineCount(code: string): number {
  return code.split('\n').length;
}

export function applyCodeCommand(state: CodePanelState, command: PanelCommand): CodePanelState {
  switch (command.op) {
    case 'code.set': {
      const code = requireString(command.code, 'code');
      const language = command.language ?? state.language;
      if (!CODE_LANGUAGES.includes(language))
        commandError(`Unsupported language "${String(language)}"`);
      return { ...state, code, language, highlights: [], annotations: [], lastRunOutput: null };
    }
    case 'code.highlight': {
      if (!Array.isArray(command.lines) || command.lines.length > 500) {
        commandError('"lines" must be a list of at most 500 line numbers');
      }
      const max = lineCount(state.code);
      const lines = command.lines.map((line, i) => requireInt(line, `lines[${i}]`, 1, max));
      return { ...state, highlights: [...new Set(lines)].sort((a, b) => a - b) };
    }
    case 'code.annotate': {
      const line = requireInt(command.line, 'line', 1, lineCount(state.code));
      const message = requireString(command.message, 'message');
      const severity = command.severity ?? 'info';
      if (!SEVERITIES.includes(severity)) commandError(`Unknown severity "${String(severity)}"`);
      return { ...state, annotations: [...state.annotations, { line, message, severity }] };
    }
    case 'code.clear_marks':
      return { ...state, highlights: [], annotations: [] };
    default:
      return unexpectedOp('code', command);
  }
}

export function readCodeState(state: CodePanelState): CodeState {
  return {
    panel: 'code',
    code: state.code,
    language: state.language,
    last_run_output: state.lastRunOutput,
  };
}
