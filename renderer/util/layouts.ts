/**
 * Wall layouts as cells on a grid, so big-plus-small layouts (1+5, 1+7, 1+12) are the same kind
 * of thing as the square grids.
 */
export interface LayoutCell {
  column: number;
  row: number;
  columnSpan: number;
  rowSpan: number;
}

export interface LayoutDefinition {
  id: string;
  columns: number;
  rows: number;
  cells: LayoutCell[];
}

function grid(size: number): LayoutDefinition {
  const cells: LayoutCell[] = [];
  for (let row = 0; row < size; row++) for (let column = 0; column < size; column++) cells.push({ column, row, columnSpan: 1, rowSpan: 1 });
  return { id: `grid-${size * size}`, columns: size, rows: size, cells };
}

/**
 * One big tile of `bigSpan` x `bigSpan` cells at (`bigColumn`, `bigRow`) on a `size` x `size`
 * grid, the small tiles filling every other cell in reading order.
 */
function bigPlus(id: string, size: number, bigSpan: number, bigColumn = 0, bigRow = 0): LayoutDefinition {
  const cells: LayoutCell[] = [{ column: bigColumn, row: bigRow, columnSpan: bigSpan, rowSpan: bigSpan }];
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const insideBig = column >= bigColumn && column < bigColumn + bigSpan && row >= bigRow && row < bigRow + bigSpan;
      if (!insideBig) cells.push({ column, row, columnSpan: 1, rowSpan: 1 });
    }
  }
  return { id, columns: size, rows: size, cells };
}

export const LAYOUTS: LayoutDefinition[] = [
  grid(1),
  grid(2),
  grid(3),
  grid(4),
  grid(5),
  grid(6),
  bigPlus('big-1+5', 3, 2),
  bigPlus('big-1+7', 4, 3),
  bigPlus('big-1+12', 4, 2, 1, 1),
];
export const DEFAULT_LAYOUT_ID = 'grid-9';
/** The most tiles any layout has: a wall keeps this many camera assignments. */
export const MAX_TILES = Math.max(...LAYOUTS.map((layout) => layout.cells.length));

/** Label of a layout's button: "9", or "1+7". */
export function layoutLabel(layout: LayoutDefinition): string {
  return layout.id.startsWith('big-') ? layout.id.slice(4) : String(layout.cells.length);
}

export function layoutById(id: string): LayoutDefinition {
  return LAYOUTS.find((layout) => layout.id === id) ?? LAYOUTS[2] ?? grid(3);
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tile rectangles in CSS pixels, with a gap between tiles, whole pixels only. */
export function tileRects(layout: LayoutDefinition, width: number, height: number, gap = 2): Rect[] {
  const columnWidth = (width - gap * (layout.columns - 1)) / layout.columns;
  const rowHeight = (height - gap * (layout.rows - 1)) / layout.rows;
  return layout.cells.map((cell) => {
    const x = Math.round(cell.column * (columnWidth + gap));
    const y = Math.round(cell.row * (rowHeight + gap));
    const right = Math.round((cell.column + cell.columnSpan) * (columnWidth + gap) - gap);
    const bottom = Math.round((cell.row + cell.rowSpan) * (rowHeight + gap) - gap);
    return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
  });
}
