import { iconProps, type IconProps } from '@/components/ui/icons';

/** Panel chrome uses slightly smaller icons than the rest of the app. */
const svg = ({ size = 18, ...props }: IconProps) => iconProps({ size, ...props });

export const SlidesIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <rect x="3" y="4" width="18" height="12" rx="2" />
    <path d="M12 16v4M8 20h8" />
  </svg>
);
export const NotepadIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M6 3h9l4 4v14H6z" />
    <path d="M9 11h7M9 15h7M9 7h4" />
  </svg>
);
export const CodeIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M8 7l-5 5 5 5M16 7l5 5-5 5M14 4l-4 16" />
  </svg>
);
export const WhiteboardIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M4 20l4-1 11-11-3-3L5 16z" />
    <path d="M14 7l3 3" />
  </svg>
);
export const DocumentIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M7 3h7l5 5v13H7z" />
    <path d="M14 3v5h5" />
  </svg>
);
export const MinimizeIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M5 12h14" />
  </svg>
);
export const MaximizeIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
  </svg>
);
export const RestoreIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5" />
  </svg>
);
export const CloseIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M6 6l12 12M18 6L6 18" />
  </svg>
);
export const ChevronLeftIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M15 6l-6 6 6 6" />
  </svg>
);
export const ChevronRightIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M9 6l6 6-6 6" />
  </svg>
);
export const PlayIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M7 5l12 7-12 7z" />
  </svg>
);
export const UndoIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M9 14L4 9l5-5" />
    <path d="M4 9h11a5 5 0 0 1 0 10h-3" />
  </svg>
);
export const RedoIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M15 14l5-5-5-5" />
    <path d="M20 9H9a5 5 0 0 0 0 10h3" />
  </svg>
);
export const CopyIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <rect x="9" y="9" width="11" height="11" rx="2" />
    <path d="M5 15V5a2 2 0 0 1 2-2h8" />
  </svg>
);
export const TrashIcon = (p: IconProps) => (
  <svg {...svg(p)}>
    <path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3" />
  </svg>
);
export const FullscreenIcon = MaximizeIcon;
