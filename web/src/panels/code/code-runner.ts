import type { CodeLanguage } from './code-state';

/*
 * Runs user code off the main thread. Both runners are Blob workers so no bundler worker
 * support is needed; Python loads Pyodide from /vendor/pyodide (copied from the `pyodide`
 * npm package by scripts/copy-vendor.mjs), never from a CDN.
 */

export const RUN_TIMEOUT_MS = 10_000;
export const PYODIDE_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_CHARS = 20_000;

export interface RunResult {
  output: string;
  ok: boolean;
  durationMs: number;
}

const JS_WORKER = `
const lines = [];
const fmt = (v) => { if (typeof v === 'string') return v; try { return JSON.stringify(v); } catch { return String(v); } };
const capture = (prefix) => (...args) => lines.push(prefix + args.map(fmt).join(' '));
console.log = capture(''); console.info = capture(''); console.debug = capture('');
console.warn = capture('warning: '); console.error = capture('error: ');
self.onmessage = async (event) => {
  let ok = true;
  try {
    const result = await (new (Object.getPrototypeOf(async function(){}).constructor)(event.data.code))();
    if (result !== undefined) lines.push(fmt(result));
  } catch (error) {
    ok = false;
    lines.push((error && error.name ? error.name + ': ' : '') + (error && error.message ? error.message : String(error)));
  }
  self.postMessage({ ok, output: lines.join('\\n') });
};`;

const PY_WORKER = (origin: string) => `
importScripts(${JSON.stringify(`${origin}/vendor/pyodide/pyodide.js`)});
const ready = loadPyodide({ indexURL: ${JSON.stringify(`${origin}/vendor/pyodide/`)} });
self.onmessage = async (event) => {
  const py = await ready;
  const lines = [];
  py.setStdout({ batched: (s) => lines.push(s) });
  py.setStderr({ batched: (s) => lines.push(s) });
  let ok = true;
  try {
    const result = await py.runPythonAsync(event.data.code);
    if (result !== undefined && result !== null) lines.push(String(result));
  } catch (error) {
    ok = false;
    lines.push(String(error && error.message ? error.message : error).trim());
  }
  self.postMessage({ ok, output: lines.join('\\n') });
};`;

let pythonWorker: Worker | null = null;

function workerFrom(source: string): Worker {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return worker;
}

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
  const worker = python
    ? (pythonWorker ??= workerFrom(PY_WORKER(window.location.origin)))
    : workerFrom(JS_WORKER);
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
