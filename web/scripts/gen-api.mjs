// Regenerates src/lib/api/schema.d.ts from the Platform API's OpenAPI document: a running API's
// (TROUPE_API_URL, default http://127.0.0.1:8000) or a file (TROUPE_OPENAPI_FILE, as written by
// `make api-types`). TROUPE_API_TYPES_OUT writes elsewhere (the freshness test compares).
// Usage: TROUPE_API_URL=http://127.0.0.1:8000 npm run gen:api
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const base = (process.env.TROUPE_API_URL?.trim() || 'http://127.0.0.1:8000').replace(/\/+$/, '');
const source = process.env.TROUPE_OPENAPI_FILE?.trim() || `${base}/api/v1/openapi.json`;
const out =
  process.env.TROUPE_API_TYPES_OUT?.trim() ||
  path.resolve(import.meta.dirname, '..', 'src/lib/api/schema.d.ts');
execFileSync(
  path.resolve(import.meta.dirname, '..', 'node_modules/.bin/openapi-typescript'),
  [source, '--default-non-nullable', 'false', '-o', out],
  { stdio: 'inherit' },
);
execFileSync(
  path.resolve(import.meta.dirname, '..', 'node_modules/.bin/prettier'),
  ['--write', out],
  {
    stdio: 'inherit',
  },
);
