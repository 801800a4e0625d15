import type { Metadata } from 'next';
import { SiteHeader } from '@/features/landing/site-header';
import { ButtonLink } from '@/components/ui/button';
import { ArrowRightIcon } from '@/components/ui/icons';
import styles from './landing.module.css';

export const metadata: Metadata = {
  title: { absolute: 'Troupe — multi-agent voice AI you can host yourself' },
};

const DEMO_EMBED_KEY = process.env.TROUPE_DEMO_EMBED_KEY ?? 'demo';

const FEATURES = [
  {
    title: 'A troupe, not a bot',
    body: 'Give each agent its own role, voice and tools. They hand the conversation to each other mid-call, and the user always knows who is speaking.',
  },
  {
    title: 'Real-time voice',
    body: 'Built on LiveKit’s WebRTC stack: low-latency audio, interruptions, turn detection and live transcripts on both sides.',
  },
  {
    title: 'Interactive workspace',
    body: 'Agents drive slides, a notepad, a code editor, a whiteboard and documents right in the user’s page.',
  },
  {
    title: 'Yours to run',
    body: 'Self-host everything. Works fully offline with local models, or plug in any cloud STT, LLM and TTS provider.',
  },
];

const STEPS = [
  {
    n: '1',
    title: 'Configure agents',
    body: 'Instructions, voices, tools and handoffs in the dashboard.',
  },
  {
    n: '2',
    title: 'Publish a template',
    body: 'Pick the modalities and panels, get an embed key.',
  },
  {
    n: '3',
    title: 'Talk',
    body: 'Drop the embed into your site. People start talking in one click.',
  },
];

export default function LandingPage() {
  return (
    <>
      <SiteHeader />
      <main className={styles.main}>
        <section className={styles.hero}>
          <div className={styles.glow} aria-hidden="true" />
          <p className={styles.eyebrow}>Self-hostable · Multi-agent · Voice-first</p>
          <h1 className={styles.title}>
            Voice AI that works as a <span className={styles.highlight}>team</span>.
          </h1>
          <p className={styles.lead}>
            Troupe runs conversations between people and a cast of AI agents that talk, listen, hand
            off to each other, call your tools and share a live workspace — on infrastructure you
            control.
          </p>
          <div className={styles.ctas}>
            <ButtonLink href={`/embed/${encodeURIComponent(DEMO_EMBED_KEY)}`} size="lg">
              Try the demo <ArrowRightIcon size={18} />
            </ButtonLink>
            <ButtonLink href="/dashboard" size="lg" variant="secondary">
              Open the dashboard
            </ButtonLink>
          </div>
        </section>

        <section id="features" className={styles.section} aria-labelledby="features-title">
          <h2 id="features-title" className={styles.sectionTitle}>
            Everything a voice product needs
          </h2>
          <div className={styles.grid}>
            {FEATURES.map((feature) => (
              <article key={feature.title} className={styles.card}>
                <h3>{feature.title}</h3>
                <p>{feature.body}</p>
              </article>
            ))}
          </div>
        </section>

        <section id="how" className={styles.section} aria-labelledby="how-title">
          <h2 id="how-title" className={styles.sectionTitle}>
            From idea to conversation in minutes
          </h2>
          <ol className={styles.steps}>
            {STEPS.map((step) => (
              <li key={step.n} className={styles.step}>
                <span className={styles.stepNumber}>{step.n}</span>
                <div>
                  <h3>{step.title}</h3>
                  <p>{step.body}</p>
                </div>
              </li>
            ))}
          </ol>
        </section>
      </main>
      <footer className={styles.footer}>
        <span>© Troupe</span>
        <span>Open, self-hostable voice AI</span>
      </footer>
    </>
  );
}
