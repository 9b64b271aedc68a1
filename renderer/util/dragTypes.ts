/** Drag-and-drop payload types: a camera from the list, or a tile being moved. */
export const CAMERA_DRAG_TYPE = 'application/x-console-camera';
export const TILE_DRAG_TYPE = 'application/x-console-tile';
