import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import App from './App.svelte';
import { fakePhone } from './lib/fakePhone';
import { resetBack } from './lib/back';
import { resetPhone } from './lib/phone';
import { alert } from './test-fixtures';

afterEach(() => clearMocks());

const info = {
  version: '0.1.0', platform: 'linux', data_dir: '/d', key_location: null, error: null,
  authorities: ['Sở Y tế Cao Bằng'], locales: ['vi-VN'],
};

test('a device in venue mode starts on the door and never shows or calls the citizen part', async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === 'app_info') return info;
    if (cmd === 'door_status') {
      return {
        binding: { venue_id: 'v', name: 'Chợ Xanh', address: 'Phường Thục Phán', authority: 'Sở Y tế Cao Bằng',
          usual_stay_minutes: 60, bound_at: '2026-12-04T01:00:00Z' },
        wait_seconds: 0,
        retention_days: 21,
        retention_choices: [14, 21, 30, 60],
      };
    }
    if (cmd === 'door_counts') {
      const by_day = Array.from({ length: 14 }, (_, i) => ({
        date: new Date(Date.UTC(2026, 10, 21 + i)).toISOString().slice(0, 10),
        entries: 0,
      }));
      return { inside: 0, today: 0, by_hour: Array(24).fill(0), by_day };
    }
    throw { kind: 'venue_mode', message: cmd };
  });
  render(App);
  expect(await screen.findByTestId('door-venue')).toHaveTextContent('Chợ Xanh');
  expect(document.querySelector('nav')).toBeNull();
  expect(calls.filter((c) => !['app_info', 'door_status', 'door_counts'].includes(c))).toEqual([]);
});

/** What the citizen part asks for as it starts on `platform`; `undefined` for anything else. */
const starting = (platform: string) => (cmd: string) => {
  if (cmd === 'app_info') return { ...info, platform };
  if (cmd === 'door_status') return { binding: null, wait_seconds: 0 };
  if (cmd === 'take_link') return null;
  if (cmd === 'lock_status') return { enabled: false, unlocked: false, biometrics: false, wait_seconds: 0 };
  if (cmd === 'list_alerts') return [];
  if (cmd === 'refresh_exposures') return { alerts: [], count: 0, fresh: [], problems: [] };
  if (cmd === 'open_visit') return null;
  return undefined;
};

test('without venue mode the citizen part starts with its tabs', async () => {
  mockIPC((cmd) => {
    const answer = starting('linux')(cmd);
    if (answer === undefined) throw new Error(`unexpected ${cmd}`);
    return answer;
  });
  render(App);
  await screen.findByRole('navigation');
  expect(screen.queryByTestId('door-venue')).toBeNull();
});

describe('on a phone', () => {
  const citizen = (cmd: string) => {
    const answer = starting('android')(cmd);
    if (answer !== undefined) return answer;
    if (cmd === 'list_visits') return { visits: [], total: 0, next: null };
    if (cmd === 'get_retention') return { days: 21, choices: [14, 21, 30, 60] };
    if (cmd === 'my_contact') return null;
    if (cmd.startsWith('plugin:deep-link|')) return [];
    if (cmd === 'plugin:event|listen') return 1;
    return undefined;
  };

  afterEach(() => {
    resetBack();
    resetPhone();
  });

  test('Android\'s back goes from a tab to Home, and from Home leaves the app', async () => {
    const phone = fakePhone(citizen);
    render(App);
    await screen.findByRole('navigation');
    // At Home, nothing is open: the app does not take the back button, so Android leaves it.
    expect(phone.pressBack()).toBe(false);
    await fireEvent.click(document.querySelector<HTMLElement>('[data-tab="diary"]')!);
    await waitFor(() => expect(phone.names()).toContain('plugin:app|register_listener'));
    expect(phone.pressBack()).toBe(true);
    await waitFor(() => expect(document.querySelector('[data-tab="home"]')).toHaveAttribute('aria-current', 'page'));
    await waitFor(() => expect(phone.pressBack()).toBe(false));
  });

  test('the diary\'s screens are kept out of screenshots and the app switcher, Home and Settings are not', async () => {
    const phone = fakePhone(citizen);
    render(App);
    await screen.findByRole('navigation');
    const secure = () => phone.calls.filter((c) => c.cmd === 'plugin:phone|set_secure').map((c) => c.args.on);
    expect(secure()).toEqual([]);
    for (const [tab, expected] of [
      ['diary', [true]],
      ['alerts', [true]],
      ['share', [true]],
      ['settings', [true, false]],
      ['home', [true, false]],
      ['alerts', [true, false, true]],
    ] as const) {
      await fireEvent.click(document.querySelector<HTMLElement>(`[data-tab="${tab}"]`)!);
      await waitFor(() => expect(secure()).toEqual(expected));
    }
  });
});

// Either way round: begun locked and answered after the PIN, or begun open, the app locked in the
// app switcher meanwhile (the core then leaves the alerts out), and answered after the PIN.
for (const startsOpen of [false, true]) {
  test(`a check for exposures that ended while the app was locked does not empty the alerts that unlocking showed (begun ${startsOpen ? 'open' : 'locked'})`, async () => {
    const found = alert('Sở Y tế Cao Bằng', 4);
    let open = startsOpen;
    // Every pending refresh (an App of an earlier test still listens to the document too).
    const answerRefresh: ((r: unknown) => void)[] = [];
    mockIPC((cmd) => {
      if (cmd === 'lock_status') return { enabled: true, unlocked: open, biometrics: false, wait_seconds: 0 };
      if (cmd === 'unlock') {
        open = true;
        return null;
      }
      if (cmd === 'lock_app') {
        open = false;
        return null;
      }
      // Locked, the core leaves the alerts themselves out of what it lists and refreshes.
      if (cmd === 'list_alerts') return open ? [found] : [];
      if (cmd === 'list_withdrawn_alerts') return [];
      if (cmd === 'refresh_exposures') {
        // The first one (at start) is answered only after the PIN was taken.
        return new Promise((resolve) => answerRefresh.push(resolve));
      }
      const answer = starting('linux')(cmd);
      if (answer === undefined) throw new Error(`unexpected ${cmd}`);
      return answer;
    });
    render(App);
    await screen.findByRole('navigation');
    // The app listens for going out of sight once it has asked for the lists.
    await waitFor(() => expect(answerRefresh).not.toEqual([]));
    if (startsOpen) {
      // Out of sight in the app switcher: locked again.
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
      await waitFor(() => expect(open).toBe(false));
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }
    await fireEvent.click(document.querySelector<HTMLElement>('[data-tab="alerts"]')!);
    await fireEvent.input(await screen.findByTestId('pin'), { target: { value: '2468' } });
    await fireEvent.click(screen.getByTestId('unlock'));
    expect(await screen.findByTestId('alert')).toHaveTextContent('Chợ Xanh Cao Bằng');

    // The core says it left the alerts out: the lock was closed as it ended.
    for (const answer of answerRefresh) {
      answer({
        alerts: [], withdrawn: [], count: 1, fresh: [], problems: [], checked_at: '2026-11-24T06:00:00Z', withheld: true,
      });
    }
    // The check is over (its button is back) before the list is looked at.
    await waitFor(() => expect(screen.getByTestId('check-exposures')).toBeEnabled());
    expect(screen.queryByTestId('no-alerts')).toBeNull();
    expect(screen.getByTestId('alert')).toHaveTextContent('Chợ Xanh Cao Bằng');
  });
}

test('a visit corrected into an exposure window shows its alert and the badge at once', async () => {
  const found = alert('Sở Y tế Cao Bằng', 4);
  let corrected = false;
  mockIPC((cmd, args) => {
    if (cmd === 'list_visits') return { visits: [found.visit], total: 1, next: null };
    if (cmd === 'get_retention') return { days: 21, choices: [14, 21, 30, 60] };
    if (cmd === 'update_visit') {
      corrected = true;
      return { ...found.visit, ...(args as { entry: object }).entry, edited_at: '2026-11-24T06:00:00Z' };
    }
    // The core matched again as it saved the correction: the alert is there from then on.
    if (cmd === 'list_alerts') return corrected ? [found] : [];
    if (cmd === 'list_withdrawn_alerts') return [];
    const answer = starting('linux')(cmd);
    if (answer === undefined) throw new Error(`unexpected ${cmd}`);
    return answer;
  });
  render(App);
  await screen.findByRole('navigation');
  await fireEvent.click(document.querySelector<HTMLElement>('[data-tab="diary"]')!);
  await fireEvent.click(await screen.findByTestId('visit'));
  await fireEvent.click(await screen.findByTestId('edit-visit'));
  await fireEvent.input(document.querySelector('#visit-out-date')!, { target: { value: '24/11/2026' } });
  await fireEvent.input(document.querySelector('#visit-out-time')!, { target: { value: '10h' } });
  await fireEvent.submit(screen.getByTestId('visit-form'));
  await screen.findByTestId('visit-detail');
  await waitFor(() => expect(screen.getByTestId('alert-count')).toHaveTextContent('1'));
  await fireEvent.click(document.querySelector<HTMLElement>('[data-tab="alerts"]')!);
  expect(await screen.findByTestId('alert')).toHaveTextContent('Chợ Xanh Cao Bằng');
});
