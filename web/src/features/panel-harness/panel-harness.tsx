'use client';

import { ParticipantKind } from 'livekit-client';
import { useEffect, useMemo, useState } from 'react';
import type { PanelEvent, PanelType, RpcResult } from '@/contracts';
import { RpcRegistry, type RpcHost } from '@/features/session/rpc/rpc-registry';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { PanelManagerProvider } from '@/panels/panel-context';
import { PanelHost } from '@/panels/panel-host';
import { PanelManager } from '@/panels/panel-manager';
import { registerPanelHandlers } from '@/panels/panel-rpc';
import { ALL_PANEL_TYPES, PANEL_REGISTRY } from '@/panels/registry';
import { HARNESS_COMMANDS, type HarnessCommand } from './harness-commands';
import styles from './panel-harness.module.css';

const HARNESS_AGENT = 'agent-harness';

/** Stands in for the room: the agent is "present", registrations are no-ops. */
const fakeHost: RpcHost = {
  registerRpcMethod: () => {},
  unregisterRpcMethod: () => {},
  remoteParticipants: new Map([
    [HARNESS_AGENT, { identity: HARNESS_AGENT, kind: ParticipantKind.AGENT }],
  ]),
};

/** Drives the real panel RPC handlers without a LiveKit room (dev pages only). */
export function PanelHarness() {
  const [events, setEvents] = useState<PanelEvent[]>([]);
  const [lastResult, setLastResult] = useState<{ label: string; result: RpcResult } | null>(null);
  const [image, setImage] = useState<{ streamId: string; bytes: number; head: string } | null>(
    null,
  );
  const manager = useMemo(() => new PanelManager(PANEL_REGISTRY, ALL_PANEL_TYPES), []);
  const registry = useMemo(() => {
    const r = new RpcRegistry();
    r.attach(fakeHost);
    return r;
  }, []);

  useEffect(() => {
    manager.setSink((event) => setEvents((list) => [event, ...list].slice(0, 50)));
    // Stands in for the byte stream to the agent: shows what would be sent.
    const remove = registerPanelHandlers(registry, manager, async (png) => {
      const streamId = crypto.randomUUID();
      const head = Array.from(png.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
      setImage({ streamId, bytes: png.byteLength, head });
      return streamId;
    });
    return () => {
      remove();
      manager.dispose();
    };
  }, [manager, registry]);

  const call = async (label: string, command: Pick<HarnessCommand, 'method' | 'payload'>) => {
    const raw = await registry.invoke(command.method, {
      requestId: crypto.randomUUID(),
      callerIdentity: HARNESS_AGENT,
      payload: JSON.stringify(command.payload),
      responseTimeout: 15_000,
    });
    setLastResult({ label, result: JSON.parse(raw) as RpcResult });
  };

  return (
    <PanelManagerProvider value={manager}>
      <div className={styles.page}>
        <aside className={styles.controls}>
          <header className={styles.heading}>
            <div>
              <h1>Panel harness</h1>
              <p>Sends the agent&apos;s RPCs to the real handlers.</p>
            </div>
            <ThemeToggle />
          </header>
          {ALL_PANEL_TYPES.map((type) => (
            <PanelCommands key={type} type={type} onCall={call} />
          ))}
          <section className={styles.group}>
            <h2>Result</h2>
            <pre className={styles.log} data-testid="harness-result">
              {lastResult
                ? `${lastResult.label}\n${JSON.stringify(lastResult.result, null, 2)}`
                : '—'}
            </pre>
          </section>
          <section className={styles.group}>
            <h2>Image stream to the agent</h2>
            <pre className={styles.log} data-testid="harness-image">
              {image ? JSON.stringify(image) : '—'}
            </pre>
          </section>
          <section className={styles.group}>
            <h2>Events to the agent</h2>
            <ol className={styles.events} data-testid="harness-events">
              {events.map((event, i) => (
                <li key={`${event.ts}-${i}`} data-event={`${event.panel}:${event.event}`}>
                  <strong>
                    {event.panel}.{event.event}
                  </strong>{' '}
                  <span>{JSON.stringify(event.data).slice(0, 120)}</span>
                </li>
              ))}
            </ol>
          </section>
        </aside>
        <main className={styles.workspace} data-testid="workspace-slot">
          <PanelHost empty={<p className={styles.empty}>Open a panel from the left.</p>} />
        </main>
      </div>
    </PanelManagerProvider>
  );
}

function PanelCommands({
  type,
  onCall,
}: {
  type: PanelType;
  onCall: (label: string, command: Pick<HarnessCommand, 'method' | 'payload'>) => Promise<void>;
}) {
  const title = PANEL_REGISTRY[type].title;
  return (
    <section className={styles.group}>
      <h2>{title}</h2>
      <div className={styles.buttons}>
        {HARNESS_COMMANDS[type].map((command) => (
          <button
            key={command.id}
            type="button"
            className={styles.button}
            data-testid={`harness-${type}-${command.id}`}
            onClick={() => void onCall(`${title}: ${command.label}`, command)}
          >
            {command.label}
          </button>
        ))}
        <button
          type="button"
          className={styles.button}
          data-testid={`harness-${type}-read`}
          onClick={() =>
            void onCall(`${title}: read`, { method: 'troupe.read_panel', payload: { panel: type } })
          }
        >
          Read
        </button>
        <button
          type="button"
          className={styles.button}
          data-testid={`harness-${type}-close`}
          onClick={() =>
            void onCall(`${title}: close`, {
              method: 'troupe.close_panel',
              payload: { panel: type },
            })
          }
        >
          Close
        </button>
      </div>
    </section>
  );
}
