import type { CodeLanguage } from './code-state';

/*
 * Runs user code off the main thread, in workers served from public/runner/ (no bundler worker
 * support needed); Python loads Pyodide from /vendor/pyodide (copied from the `pyodide` npm
 * package by scripts/copy-vendor.mjs), never from a CDN.
 */

export const RUN_TIMEOUT_MS = 10_000;
export const PYODIDE_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_CHARS = 20_000;

export interface RunResult {
  output: string;
  ok: boolean;
  durationMs: number;
}

/** Same-origin worker scripts (public/runner/) with their own CSP, the only place where eval
 *  and WebAssembly may run (src/lib/security-headers.ts). */
const JS_WORKER_URL = '/runner/js-worker.js';
const PY_WORKER_URL = '/runner/py-worker.js';

let pythonWorker: Worker | null = null;

function truncate(text: string): string {
  return text.length > MAX_OUTPUT_CHARS
    ? `${text.slice(0, MAX_OUTPUT_CHARS)}\n… (output truncated)`
    : text;
}

export function canRun(language: CodeLanguage): boolean {
  return language === 'javascript' || language === 'python';
}

export function runCode(language: CodeLanguage, code: string): Promise<RunResult> {
  const started = performance.now();
  const python = language === 'python';
  if (!canRun(language)) {
    return Promise.resolve({
      ok: false,
      output: `Running ${language} is not supported here.`,
      durationMs: 0,
    });
  }
  const worker = python ? (pythonWorker ??= new Worker(PY_WORKER_URL)) : new Worker(JS_WORKER_URL);
  return new Promise<RunResult>((resolve) => {
    const finish = (ok: boolean, output: string, terminate: boolean) => {
      clearTimeout(timer);
      worker.onmessage = null;
      worker.onerror = null;
      if (terminate) {
        worker.terminate();
        if (python) pythonWorker = null;
      }
      resolve({
        ok,
        output: truncate(output),
        durationMs: Math.round(performance.now() - started),
      });
    };
    const timer = setTimeout(
      () =>
        finish(
          false,
          `Stopped: the program ran longer than ${Math.round((python ? PYODIDE_TIMEOUT_MS : RUN_TIMEOUT_MS) / 1000)} s.`,
          true,
        ),
      python ? PYODIDE_TIMEOUT_MS : RUN_TIMEOUT_MS,
    );
    worker.onmessage = (event: MessageEvent<{ ok: boolean; output: string }>) =>
      finish(event.data.ok, event.data.output, !python);
    worker.onerror = (event) => {
      event.preventDefault();
      finish(false, event.message || 'The runner failed to start.', true);
    };
    worker.postMessage({ code });
  });
}
