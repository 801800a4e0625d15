import type { SVGProps } from 'react';

export type IconProps = SVGProps<SVGSVGElement> & { size?: number };

/** The shared look of every line icon in the app (24-unit grid, stroke in currentColor). */
export function iconProps({ size = 20, ...props }: IconProps): SVGProps<SVGSVGElement> {
  return {
    width: size,
    height: size,
    viewBox: '0 0 24 24',
    fill: 'none',
    stroke: 'currentColor',
    strokeWidth: 1.8,
    strokeLinecap: 'round',
    strokeLinejoin: 'round',
    'aria-hidden': true,
    focusable: false,
    ...props,
  };
}

export const SunIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <circle cx="12" cy="12" r="4" />
    <path d="M12 2v2M12 20v2M4.93 4.93l1.41 1.41M17.66 17.66l1.41 1.41M2 12h2M20 12h2M6.34 17.66l-1.41 1.41M19.07 4.93l-1.41 1.41" />
  </svg>
);
export const MoonIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z" />
  </svg>
);
export const MicIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <rect x="9" y="2" width="6" height="12" rx="3" />
    <path d="M5 10a7 7 0 0 0 14 0M12 19v3" />
  </svg>
);
export const MicOffIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M2 2l20 20M9 9v1a3 3 0 0 0 5.12 2.12M15 9.34V5a3 3 0 0 0-5.94-.6" />
    <path d="M17 16.95A7 7 0 0 1 5 10M19 10a7 7 0 0 1-.11 1.23M12 19v3" />
  </svg>
);
export const PhoneOffIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M10.68 13.31a16 16 0 0 0 3.41 2.6l1.27-1.27a2 2 0 0 1 2.11-.45c.91.34 1.85.57 2.81.7A2 2 0 0 1 22 16.92v3a2 2 0 0 1-2.18 2 19.79 19.79 0 0 1-8.63-3.07 19.5 19.5 0 0 1-3.33-2.67M5.1 13.9A19.79 19.79 0 0 1 2.08 4.18 2 2 0 0 1 4.07 2h3a2 2 0 0 1 2 1.72c.13.96.36 1.9.7 2.81a2 2 0 0 1-.45 2.11L8.05 9.91" />
    <path d="M22 2L2 22" />
  </svg>
);
export const SpeakerIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M11 5L6 9H2v6h4l5 4V5zM15.54 8.46a5 5 0 0 1 0 7.07M19.07 4.93a10 10 0 0 1 0 14.14" />
  </svg>
);
export const HomeIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M3 10.5L12 3l9 7.5V21a1 1 0 0 1-1 1h-5v-7H9v7H4a1 1 0 0 1-1-1z" />
  </svg>
);
export const BotIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <rect x="4" y="8" width="16" height="12" rx="3" />
    <path d="M12 4v4M9 14h.01M15 14h.01M2 13v3M22 13v3" />
  </svg>
);
export const TopologyIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <circle cx="5" cy="12" r="2.5" />
    <circle cx="19" cy="5" r="2.5" />
    <circle cx="19" cy="19" r="2.5" />
    <path d="M7.3 11l9.4-4.8M7.3 13l9.4 4.8" />
  </svg>
);
export const ToolIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z" />
  </svg>
);
export const BookIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20V3H6.5A2.5 2.5 0 0 0 4 5.5z" />
    <path d="M4 19.5A2.5 2.5 0 0 0 6.5 22H20v-5" />
  </svg>
);
export const TemplateIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <rect x="3" y="3" width="18" height="18" rx="2" />
    <path d="M3 9h18M9 21V9" />
  </svg>
);
export const SessionsIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z" />
  </svg>
);
export const UsageIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M3 3v18h18M7 15l4-4 3 3 6-6" />
  </svg>
);
export const StatusIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M22 12h-4l-3 9L9 3l-3 9H2" />
  </svg>
);
export const SettingsIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <circle cx="12" cy="12" r="3" />
    <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09a1.65 1.65 0 0 0-1-1.51 1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09a1.65 1.65 0 0 0 1.51-1 1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33h0a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51h0a1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82v0a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
  </svg>
);
export const MenuIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M3 6h18M3 12h18M3 18h18" />
  </svg>
);
export const AlertIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M10.29 3.86L1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0zM12 9v4M12 17h.01" />
  </svg>
);
export const ArrowRightIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M5 12h14M12 5l7 7-7 7" />
  </svg>
);
export const MembersIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <circle cx="9" cy="8" r="3.5" />
    <path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 7M18 14.5a6.5 6.5 0 0 1 3.5 5.5" />
  </svg>
);
export const KeyIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <circle cx="8" cy="15" r="4" />
    <path d="M10.8 12.2 20 3M16 7l3 3M18 5l2 2" />
  </svg>
);
export const AuditIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9z" />
    <path d="M14 3v6h6M8 13h8M8 17h5" />
  </svg>
);
export const WebhookIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <circle cx="6" cy="17" r="3" />
    <circle cx="18" cy="17" r="3" />
    <circle cx="12" cy="6" r="3" />
    <path d="M10.5 8.6 7.5 14.4M9 17h6M13.5 8.6l3 5.8" />
  </svg>
);
export const ExperimentIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M9 3h6M10 3v6L4.5 18.5A1.7 1.7 0 0 0 6 21h12a1.7 1.7 0 0 0 1.5-2.5L14 9V3" />
    <path d="M7 15h10" />
  </svg>
);
export const SimulationIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <rect x="3" y="4" width="18" height="13" rx="2" />
    <path d="m10 8.5 4 2-4 2zM8 21h8M12 17v4" />
  </svg>
);
export const PlayIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M7 4.5v15l12-7.5z" />
  </svg>
);
export const ChevronUpIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="m6 15 6-6 6 6" />
  </svg>
);
export const CheckIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M20 6 9 17l-5-5" />
  </svg>
);
