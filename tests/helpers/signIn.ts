import type { Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../common/accounts';
import { CALL_PATH } from '../../common/liveProtocol';

/**
 * Every test that drives the console signs in first (issue 15: nothing is reachable without a
 * session). The built-in demo site has documented demo accounts (docs/security.md): tests sign
 * in as its administrator. A real site starts with no account: the first caller creates the
 * test administrator below through the product's own first-start call (setupAdministrator),
 * then every later caller signs in as it.
 */
export const TEST_ADMIN = { userName: 'kiemthu', password: 'kiem-thu-tu-dong', fullName: 'Kiểm Thử Tự Động', rank: 'Đại úy' } as const;
export const DEMO_ADMIN = DEMO_ACCOUNTS.find((account) => account.role === 'administrator')!;

export interface Credentials {
  userName: string;
  password: string;
}

type Call = (method: string, params: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;

/** Signs in through `call` (first start: creates TEST_ADMIN); throws with the reason when refused. */
export async function signInWith(call: Call, credentials?: Credentials): Promise<void> {
  const state = await call('getAuthState', {});
  if (!state.ok) throw new Error(`getAuthState failed: ${JSON.stringify(state.error)}`);
  const auth = state.value as { state: string; demoAccounts: unknown[] | null };
  if (auth.state === 'active') return;
  if (auth.state === 'setup' && !credentials) {
    const setup = await call('setupAdministrator', TEST_ADMIN);
    const outcome = (setup.value as { outcome: { status: string } | null } | undefined)?.outcome;
    if (!setup.ok || outcome?.status !== 'signedIn') throw new Error(`setupAdministrator refused: ${JSON.stringify(setup)}`);
    return;
  }
  const chosen = credentials ?? (auth.demoAccounts ? DEMO_ADMIN : TEST_ADMIN);
  const login = await call('login', { userName: chosen.userName, password: chosen.password });
  const value = login.value as { status: string; reason?: string } | undefined;
  if (!login.ok || value?.status !== 'signedIn') throw new Error(`login as ${chosen.userName} refused: ${JSON.stringify(login)}`);
}

/** Node side (LiveConsumer, integration tests): signs in over HTTP and returns the session cookie to send along. */
export async function signInHttp(baseUrl: string, token: string, credentials?: Credentials): Promise<string> {
  const origin = new URL(baseUrl);
  let cookie = '';
  const call: Call = async (method, params) => {
    const response = await fetch(`${origin.protocol}//${origin.host}${CALL_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify({ method, params }),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0] ?? '';
    return (await response.json()) as Awaited<ReturnType<Call>>;
  };
  await signInWith(call, credentials);
  if (!cookie) throw new Error('signed in but no session cookie came back');
  return cookie;
}

/** Browser side: signs the page in (its cookie) through its own transport, then reloads it. */
export async function signInPage(page: Page, credentials?: Credentials): Promise<void> {
  await page.waitForLoadState('domcontentloaded');
  const error = await page.evaluate(
    async ({ path, credentials: given, testAdmin, demoAdmin }) => {
      const bridge = (window as unknown as { consoleBridge?: { call(method: string, params: unknown): Promise<unknown> } }).consoleBridge;
      const call = async (method: string, params: unknown) => {
        if (bridge) return (await bridge.call(method, params)) as { ok: boolean; value?: unknown };
        const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method, params }), credentials: 'same-origin' });
        return (await response.json()) as { ok: boolean; value?: unknown };
      };
      const state = await call('getAuthState', {});
      const auth = state.value as { state: string; demoAccounts: unknown[] | null } | undefined;
      if (!state.ok || !auth) return `getAuthState: ${JSON.stringify(state)}`;
      if (auth.state === 'active') return null;
      if (auth.state === 'setup' && !given) {
        const setup = await call('setupAdministrator', testAdmin);
        return setup.ok && (setup.value as { outcome: { status: string } | null }).outcome?.status === 'signedIn' ? null : `setup: ${JSON.stringify(setup)}`;
      }
      const chosen = given ?? (auth.demoAccounts ? demoAdmin : testAdmin);
      const login = await call('login', { userName: chosen.userName, password: chosen.password });
      return login.ok && (login.value as { status: string }).status === 'signedIn' ? null : `login: ${JSON.stringify(login)}`;
    },
    { path: CALL_PATH, credentials: credentials ?? null, testAdmin: TEST_ADMIN, demoAdmin: { userName: DEMO_ADMIN.userName, password: DEMO_ADMIN.password } },
  );
  if (error) throw new Error(`could not sign the page in: ${error}`);
  await page.reload();
}
