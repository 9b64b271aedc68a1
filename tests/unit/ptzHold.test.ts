import { describe, expect, it } from 'vitest';
import { combine, gamepadVelocity } from '../../renderer/ptz/hold';

describe('PTZ input in the page: keys and gamepad to velocities', () => {
  it('combines held keys into one of the 8 directions, zoom apart', () => {
    expect(combine(['ArrowRight'])).toEqual({ pan: 1, tilt: 0, zoom: 0 });
    expect(combine(['ArrowUp', 'ArrowLeft'])).toEqual({ pan: -1, tilt: 1, zoom: 0 });
    // opposite keys cancel: the camera stops rather than guessing
    expect(combine(['ArrowLeft', 'ArrowRight'])).toEqual({ pan: 0, tilt: 0, zoom: 0 });
    expect(combine(['+', 'Shift'])).toEqual({ pan: 0, tilt: 0, zoom: 1 });
    expect(combine(['-'])).toEqual({ pan: 0, tilt: 0, zoom: -1 });
    expect(combine([])).toEqual({ pan: 0, tilt: 0, zoom: 0 });
  });

  it('reads a stick with a dead zone, up as tilt up, shoulder buttons as zoom', () => {
    const released = [{ pressed: false }, { pressed: false }, { pressed: false }, { pressed: false }, { pressed: false }, { pressed: false }];
    expect(gamepadVelocity([0.1, -0.15], released)).toEqual({ pan: 0, tilt: 0, zoom: 0 });
    expect(gamepadVelocity([0.73, -1], released)).toEqual({ pan: 0.7, tilt: 1, zoom: 0 });
    const zoomIn = released.map((button, index) => (index === 5 ? { pressed: true } : button));
    expect(gamepadVelocity([0, 0], zoomIn)).toEqual({ pan: 0, tilt: 0, zoom: 1 });
  });
});
