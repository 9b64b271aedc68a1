import { create } from 'zustand';
import type { AuthState } from '../../common/authContract';

/** The sign-in state of this window (issue 15): what the core said last (getAuthState, sign-in answers, the socket's `session` messages). */
interface AuthStore {
  auth: AuthState | null;
  setAuth(auth: AuthState): void;
  setLocked(): void;
  /**
   * The session is locked but this window is a second screen's wall the site lets play on: the
   * wall stays, covered so nothing can be touched (the core refuses every call anyway).
   */
  wallOnly: boolean;
  setWallOnly(on: boolean): void;
}

export const useAuth = create<AuthStore>((set) => ({
  auth: null,
  setAuth: (auth) => set({ auth }),
  setLocked: () => set((state) => (state.auth && state.auth.state === 'active' ? { auth: { ...state.auth, state: 'locked' } } : state)),
  wallOnly: false,
  setWallOnly: (wallOnly) => set({ wallOnly }),
}));
