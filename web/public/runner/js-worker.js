// The code panel's JavaScript runner (src/panels/code/code-runner.ts): one worker per run.
// Served from /runner/ with its own Content-Security-Policy (RUNNER_CSP in
// src/lib/security-headers.ts): eval is allowed in this worker, never in the pages.
const lines = [];
const fmt = (v) => {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
};
const capture =
  (prefix) =>
  (...args) =>
    lines.push(prefix + args.map(fmt).join(' '));
console.log = capture('');
console.info = capture('');
console.debug = capture('');
console.warn = capture('warning: ');
console.error = capture('error: ');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
self.onmessage = async (event) => {
  let ok = true;
  try {
    const result = await new AsyncFunction(event.data.code)();
    if (result !== undefined) lines.push(fmt(result));
  } catch (error) {
    ok = false;
    lines.push(
      (error && error.name ? error.name + ': ' : '') +
        (error && error.message ? error.message : String(error)),
    );
  }
  self.postMessage({ ok, output: lines.join('\n') });
};
