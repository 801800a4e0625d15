// The code panel's Python runner (src/panels/code/code-runner.ts): Pyodide from /vendor/pyodide
// (copied from the npm package by scripts/copy-vendor.mjs), never from a CDN. Served from
// /runner/ with its own Content-Security-Policy (RUNNER_CSP in src/lib/security-headers.ts):
// WebAssembly and eval are allowed in this worker, never in the pages.
const indexURL = new URL('/vendor/pyodide/', self.location.href).href;
importScripts(indexURL + 'pyodide.js');
const ready = loadPyodide({ indexURL });
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
  self.postMessage({ ok, output: lines.join('\n') });
};
