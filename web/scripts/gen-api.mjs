// Regenerates src/lib/api/schema.d.ts from a running Platform API's OpenAPI document.
// Usage: TROUPE_API_URL=http://127.0.0.1:8000 npm run gen:api
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const base = (process.env.TROUPE_API_URL?.trim() || 'http://127.0.0.1:8000').replace(/\/+$/, '');
const out = path.resolve(import.meta.dirname, '..', 'src/lib/api/schema.d.ts');
execFileSync(
  path.resolve(import.meta.dirname, '..', 'node_modules/.bin/openapi-typescript'),
  [`${base}/api/v1/openapi.json`, '--default-non-nullable', 'false', '-o', out],
  { stdio: 'inherit' },
);
execFileSync(
  path.resolve(import.meta.dirname, '..', 'node_modules/.bin/prettier'),
  ['--write', out],
  {
    stdio: 'inherit',
  },
);
