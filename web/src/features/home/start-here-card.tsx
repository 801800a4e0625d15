'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { Schema } from '@/lib/api/client';
import { useApi } from '@/lib/api/use-api';
import { findDemoTemplate, startHereSteps } from './start-here';
import styles from './start-here-card.module.css';

const DISMISSED_KEY = 'troupe.start-here.dismissed';

function readDismissed(): boolean {
  try {
    return window.localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * The first steps of a fresh install on the dashboard home: talk to the demo, see that
 * conversation's replay, change Ava's instructions and talk again. Hidden once dismissed or
 * when the seeded demo template is gone.
 */
export function StartHereCard() {
  const [dismissed, setDismissed] = useState(readDismissed);
  const templates = useApi<Schema<'TemplateList'>>(dismissed ? null : '/session-templates');
  const demo = findDemoTemplate(templates.data?.items ?? []);
  const deployments = useApi<Schema<'DeploymentList'>>(
    demo ? `/session-templates/${demo.id}/deployments` : null,
  );
  const agents = useApi<Schema<'AgentList'>>(demo ? '/agents' : null);
  const sessions = useApi<Schema<'SessionList'>>(demo ? '/sessions' : null, {
    query: { template_id: demo?.id, limit: 1 },
  });
  if (dismissed || !demo || agents.loading || deployments.loading) return null;
  const steps = startHereSteps({
    templates: templates.data?.items ?? [],
    deployments: deployments.data?.items ?? [],
    agents: agents.data?.items ?? [],
    demoSessions: sessions.data?.items ?? [],
  });
  if (!steps) return null;

  function dismiss() {
    try {
      window.localStorage.setItem(DISMISSED_KEY, '1');
    } catch {
      // Storage blocked: hidden for this page only.
    }
    setDismissed(true);
  }

  return (
    <section className={styles.card} data-testid="start-here" aria-labelledby="start-here-title">
      <header className={styles.header}>
        <h2 id="start-here-title">Start here</h2>
        <button type="button" className={styles.dismiss} onClick={dismiss}>
          Hide
        </button>
      </header>
      <ol className={styles.steps}>
        {steps.map((step, index) => (
          <li key={step.id} className={styles.step} data-testid={`start-here-${step.id}`}>
            <span className={styles.number} aria-hidden="true">
              {index + 1}
            </span>
            <div className={styles.text}>
              <strong>{step.title}</strong>
              <span>{step.body}</span>
            </div>
            {step.href ? (
              <Link
                className={styles.action}
                href={step.href}
                target={step.id === 'talk' ? '_blank' : undefined}
              >
                {step.action}
              </Link>
            ) : (
              <span className={styles.waiting}>{step.waiting}</span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
