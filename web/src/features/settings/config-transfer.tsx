'use client';

import { useState, type ChangeEvent } from 'react';
import { Badge, ErrorBanner, Notice, dash } from '@/components/ui/kit';
import { Button } from '@/components/ui/button';
import { api, type Schema } from '@/lib/api/client';

type Bundle = Schema<'ConfigBundle-Output'>;
type Report = Schema<'ImportReport'>;
const KINDS = ['tools', 'agents', 'agent_sets'] as const;

/** One line per change kind, e.g. "created: 2 agents (ava, max)". */
export function reportLines(report: Report): string[] {
  const lines: string[] = [];
  for (const [label, changes] of [
    ['created', report.created],
    ['updated', report.updated],
    ['unchanged', report.unchanged],
  ] as const) {
    for (const kind of KINDS) {
      const names = changes[kind] ?? [];
      if (names.length) {
        lines.push(`${label}: ${names.length} ${kind.replace('_', ' ')} (${names.join(', ')})`);
      }
    }
  }
  return lines;
}

/** The file's text (FileReader: every browser, and jsdom in tests). */
function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'));
    reader.readAsText(file);
  });
}

function download(bundle: Bundle, name: string) {
  const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Export the organization's tools, agents and agent sets as one JSON document, and import
 * one (checked with a dry run first, then applied). */
export function ConfigTransfer({ role }: { role: string | undefined }) {
  const [error, setError] = useState<unknown>(null);
  const [secrets, setSecrets] = useState(false);
  const [bundle, setBundle] = useState<Bundle | null>(null);
  const [fileName, setFileName] = useState('');
  const [report, setReport] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const canImport = role === 'admin' || role === 'member';

  async function exportConfig() {
    setError(null);
    try {
      const data = await api<Bundle>('/export', {
        query: { include_secrets: secrets || undefined },
      });
      download(data, `troupe-config-${new Date().toISOString().slice(0, 10)}.json`);
    } catch (e) {
      setError(e);
    }
  }

  async function check(next: Bundle, dryRun: boolean) {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Report>('/import', {
        method: 'POST',
        query: { dry_run: dryRun || undefined },
        json: next,
      });
      setReport(r);
      if (!dryRun) setBundle(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function pick(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    setReport(null);
    setBundle(null);
    if (!file) return;
    setFileName(file.name);
    try {
      const parsed = JSON.parse(await readText(file)) as Bundle;
      setBundle(parsed);
      await check(parsed, true);
    } catch (err) {
      setError(err instanceof SyntaxError ? 'The file is not valid JSON.' : err);
    }
  }

  return (
    <div className={dash.stack} data-testid="config-transfer">
      <p className={dash.muted}>
        Tools, agents and agent sets as one JSON document: keep it in version control or copy it to
        another organization. Import updates by name and leaves everything else alone.
      </p>
      <ErrorBanner error={error} />
      <div className={dash.row}>
        <Button variant="secondary" onClick={() => void exportConfig()}>
          Export configuration
        </Button>
        {role === 'admin' && (
          <label className={dash.chip}>
            <input
              type="checkbox"
              checked={secrets}
              onChange={(e) => setSecrets(e.target.checked)}
            />
            Include secret headers
          </label>
        )}
      </div>
      {canImport && (
        <label className={dash.stack} style={{ gap: 4 }}>
          <span className={dash.label}>Import a configuration file</span>
          <input type="file" accept="application/json,.json" onChange={(e) => void pick(e)} />
        </label>
      )}
      {report && (
        <div className={dash.stack} style={{ gap: 8 }} data-testid="import-report">
          <span className={dash.row}>
            <Badge tone={report.valid ? 'success' : 'danger'}>
              {report.valid ? 'valid' : 'problems'}
            </Badge>
            <span>
              {report.dry_run ? `Checked ${fileName}: nothing written yet.` : 'Imported.'}
            </span>
          </span>
          <ul style={{ margin: 0 }}>
            {reportLines(report).map((line) => (
              <li key={line}>{line}</li>
            ))}
            {[...report.problems, ...report.warnings].map((p, i) => (
              <li key={`p${i}`} className={dash.error}>
                {[p.field, p.message].filter(Boolean).join(': ')}
              </li>
            ))}
          </ul>
          {report.dry_run && report.valid && bundle && (
            <div>
              <Button disabled={busy} onClick={() => void check(bundle, false)}>
                Apply import
              </Button>
            </div>
          )}
          {!report.dry_run && <Notice tone="success">The configuration was imported.</Notice>}
        </div>
      )}
    </div>
  );
}
