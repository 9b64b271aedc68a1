/** Small line icons drawn as inline SVG (no icon font, no emoji: both may be missing offline). */
const PATHS = {
  camera: 'M4 8h3l2-3h6l2 3h3v11H4z M12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  maximize: 'M4 9V4h5 M20 9V4h-5 M4 15v5h5 M20 15v5h-5',
  restore: 'M9 4v5H4 M15 4v5h5 M9 20v-5H4 M15 20v-5h5',
  fullscreen: 'M3 3h7 M3 3v7 M21 3h-7 M21 3v7 M3 21h7 M3 21v-7 M21 21h-7 M21 21v-7',
  zoomReset: 'M10 17a7 7 0 1 0 0-14 7 7 0 0 0 0 14z M15 15l6 6 M7 10h6',
  tour: 'M4 12a8 8 0 0 1 14-5 M20 4v5h-5 M20 12a8 8 0 0 1-14 5 M4 20v-5h5',
  close: 'M6 6l12 12 M18 6L6 18',
  list: 'M4 6h16 M4 12h16 M4 18h16',
  screen: 'M3 5h18v11H3z M8 20h8 M12 16v4',
  save: 'M5 4h11l3 3v13H5z M8 4v5h8V4 M8 20v-6h8v6',
  trash: 'M5 7h14 M10 7V4h4v3 M7 7l1 13h8l1-13',
  chart: 'M4 20h16 M7 16v-5 M12 16V8 M17 16v-9',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={PATHS[name]} />
    </svg>
  );
}
