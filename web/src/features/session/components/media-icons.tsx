import { iconProps, type IconProps } from '@/components/ui/icons';

export const CameraIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <rect x="2" y="6" width="14" height="12" rx="2" />
    <path d="M16 10l6-3v10l-6-3" />
  </svg>
);
export const CameraOffIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <path d="M2 2l20 20M16 16v0a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h2M10 6h4a2 2 0 0 1 2 2v3l6-4v10" />
  </svg>
);
export const ScreenIcon = (p: IconProps) => (
  <svg {...iconProps(p)}>
    <rect x="2" y="4" width="20" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M12 13V8M9.5 10.5L12 8l2.5 2.5" />
  </svg>
);
