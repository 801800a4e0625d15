// Copies the browser runtime files that must be served from our own origin (never a CDN)
// out of node_modules into public/vendor/. Runs after `npm ci` and before dev/build.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const vendor = path.join(root, 'public', 'vendor');

function packageDir(name) {
  return path.dirname(require.resolve(`${name}/package.json`));
}

const copies = [
  ['pdfjs-dist', 'pdfjs', ['build/pdf.worker.min.mjs']],
  [
    'pyodide',
    'pyodide',
    [
      'pyodide.js',
      'pyodide.mjs',
      'pyodide.asm.js',
      'pyodide.asm.wasm',
      'python_stdlib.zip',
      'pyodide-lock.json',
    ],
  ],
];

for (const [pkg, target, files] of copies) {
  const from = packageDir(pkg);
  const to = path.join(vendor, target);
  mkdirSync(to, { recursive: true });
  for (const file of files) {
    const source = path.join(from, file);
    if (!existsSync(source)) throw new Error(`${pkg} has no ${file}; was it upgraded?`);
    copyFileSync(source, path.join(to, path.basename(file)));
  }
}
console.log(`vendor files copied to ${path.relative(root, vendor)}`);
