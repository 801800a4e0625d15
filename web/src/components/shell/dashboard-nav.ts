import type { ComponentType, SVGProps } from 'react';
import {
  AuditIcon,
  BookIcon,
  BotIcon,
  ExperimentIcon,
  HomeIcon,
  KeyIcon,
  MembersIcon,
  SessionsIcon,
  SettingsIcon,
  SimulationIcon,
  StatusIcon,
  TemplateIcon,
  ToolIcon,
  TopologyIcon,
  UsageIcon,
  WebhookIcon,
} from '@/components/ui/icons';

export interface DashboardSection {
  slug: string;
  label: string;
  href: string;
  description: string;
  icon: ComponentType<SVGProps<SVGSVGElement> & { size?: number }>;
}

export const DASHBOARD_SECTIONS: readonly DashboardSection[] = [
  {
    slug: '',
    label: 'Home',
    href: '/dashboard',
    icon: HomeIcon,
    description: 'Overview of your organization.',
  },
  {
    slug: 'agents',
    label: 'Agents',
    href: '/dashboard/agents',
    icon: BotIcon,
    description: 'Create and version agents: instructions, voices, models and tools.',
  },
  {
    slug: 'topology',
    label: 'Topology',
    href: '/dashboard/topology',
    icon: TopologyIcon,
    description: 'Design who hands off to whom, and when.',
  },
  {
    slug: 'tools',
    label: 'Tools',
    href: '/dashboard/tools',
    icon: ToolIcon,
    description: 'Register webhook and built-in tools your agents can call.',
  },
  {
    slug: 'knowledge',
    label: 'Knowledge',
    href: '/dashboard/knowledge',
    icon: BookIcon,
    description: 'Upload documents your agents search to answer questions.',
  },
  {
    slug: 'templates',
    label: 'Templates',
    href: '/dashboard/templates',
    icon: TemplateIcon,
    description: 'Bundle agents, modalities and panels into embeddable session templates.',
  },
  {
    slug: 'sessions',
    label: 'Sessions',
    href: '/dashboard/sessions',
    icon: SessionsIcon,
    description: 'Browse past conversations, transcripts and replays.',
  },
  {
    slug: 'experiments',
    label: 'Experiments',
    href: '/dashboard/experiments',
    icon: ExperimentIcon,
    description: 'Split sessions between agent versions and compare the arms.',
  },
  {
    slug: 'simulations',
    label: 'Simulations',
    href: '/dashboard/simulations',
    icon: SimulationIcon,
    description: 'Scenario tests of your agents with simulated users.',
  },
  {
    slug: 'webhooks',
    label: 'Webhooks',
    href: '/dashboard/webhooks',
    icon: WebhookIcon,
    description: 'Signed session and analysis events sent to your endpoints.',
  },
  {
    slug: 'usage',
    label: 'Usage',
    href: '/dashboard/usage',
    icon: UsageIcon,
    description: 'Minutes, tokens and cost per agent and provider.',
  },
  {
    slug: 'status',
    label: 'Status',
    href: '/dashboard/status',
    icon: StatusIcon,
    description: 'Health of LiveKit, agent workers and providers.',
  },
  {
    slug: 'members',
    label: 'Members',
    href: '/dashboard/members',
    icon: MembersIcon,
    description: 'Who belongs to the organization, their roles and pending invitations.',
  },
  {
    slug: 'api-keys',
    label: 'API keys',
    href: '/dashboard/api-keys',
    icon: KeyIcon,
    description: 'Keys for server-to-server access to the API.',
  },
  {
    slug: 'providers',
    label: 'Model providers',
    href: '/dashboard/providers',
    icon: KeyIcon,
    description: 'Your own keys for OpenAI, Deepgram, Cartesia, ElevenLabs or a compatible server.',
  },
  {
    slug: 'audit',
    label: 'Audit log',
    href: '/dashboard/audit',
    icon: AuditIcon,
    description: 'Security events of the organization.',
  },
  {
    slug: 'settings',
    label: 'Settings',
    href: '/dashboard/settings',
    icon: SettingsIcon,
    description: 'Your profile, organizations and data handling.',
  },
];

export function findSection(slug: string): DashboardSection | undefined {
  return DASHBOARD_SECTIONS.find((section) => section.slug === slug);
}
