import { render, screen, fireEvent, waitFor, within } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Door from './Door.svelte';
import DoorSetup from './DoorSetup.svelte';
import type { DoorBinding, DoorCounts, DoorRecord } from '../lib/api';

const binding: DoorBinding = {
  venue_id: '07070707-0707-0707-0707-070707070707',
  name: 'Ủy ban nhân dân Phường Thục Phán',
  address: 'Số 1 Phố Hoàng Đình Giong',
  authority: 'Sở Y tế Cao Bằng',
  usual_stay_minutes: 60,
  bound_at: '2026-12-04T01:00:00Z',
};

function counts(inside: number, today: number): DoorCounts {
  const by_hour = Array(24).fill(0);
  by_hour[8] = today;
  const by_day = Array.from({ length: 14 }, (_, i) => ({
    date: new Date(Date.UTC(2026, 10, 21 + i)).toISOString().slice(0, 10),
    entries: i === 13 ? today : 0,
  }));
  return { inside, today, by_hour, by_day };
}

const status = { binding, wait_seconds: 0, retention_days: 21, retention_choices: [14, 21, 30, 60] };

const cameIn: DoorRecord = {
  direction: 'in',
  time_in: '2026-12-04T01:05:00Z',
  time_out: null,
  check: { card: 'id-card', initials: 'N.V.D.', born_year: 1990, sex: 'male' },
};

function typeCode(text: string) {
  fireEvent.click(screen.getByText('Mã không quét được? Nhập mã'));
  fireEvent.input(screen.getByTestId('door-scan-type'), { target: { value: text } });
  fireEvent.submit(screen.getByTestId('door-scan-type').closest('form')!);
}

afterEach(() => clearMocks());

test('a scanned ID card shows a big green IN with only initials, year and sex, and the counts move', async () => {
  let scans = 0;
  mockIPC((cmd, payload) => {
    if (cmd === 'door_status') return status;
    if (cmd === 'door_counts') return counts(scans, scans);
    if (cmd === 'door_scan') {
      scans += 1;
      expect(payload).toEqual({ text: 'the card', again: false });
      return cameIn;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Door, { platform: 'linux', binding, onleft: () => {} });
  expect(await screen.findByTestId('door-venue')).toHaveTextContent(binding.name);
  await waitFor(() => expect(screen.getByTestId('door-inside')).toHaveTextContent('0'));
  typeCode('the card');
  const result = await screen.findByTestId('door-result');
  expect(result).toHaveAttribute('data-direction', 'in');
  expect(result).toHaveAttribute('role', 'status');
  expect(result).toHaveTextContent('VÀO ✓');
  expect(screen.getByTestId('door-check')).toHaveTextContent('N.V.D. · 1990 · Nam');
  await waitFor(() => expect(screen.getByTestId('door-inside')).toHaveTextContent('1'));
  expect(screen.getByTestId('door-today')).toHaveTextContent('1');
});

test('a second scan within minutes asks before recording the person leaving', async () => {
  const calls: unknown[] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'door_status') return status;
    if (cmd === 'door_counts') return counts(1, 1);
    if (cmd === 'door_scan') {
      calls.push(payload);
      if (!(payload as { again: boolean }).again) {
        throw { kind: 'door_duplicate', message: 'x', detail: { time_in: '2026-12-04T01:05:00Z' } };
      }
      return { ...cameIn, direction: 'out', time_out: '2026-12-04T01:09:00Z' };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Door, { platform: 'linux', binding, onleft: () => {} });
  typeCode('the card');
  const question = await screen.findByTestId('door-duplicate');
  expect(question).toHaveTextContent(/^Thẻ này vừa được ghi vào lúc \d\d:05\. Ghi là người này ra về\?/);
  expect(screen.queryByTestId('door-result')).toBeNull();
  fireEvent.click(screen.getByTestId('door-duplicate-yes'));
  const result = await screen.findByTestId('door-result');
  expect(result).toHaveAttribute('data-direction', 'out');
  expect(result).toHaveTextContent('RA ✓');
  expect(calls).toEqual([
    { text: 'the card', again: false },
    { text: 'the card', again: true },
  ]);
});

test('anything else is a big red NOT RECORDED with one sentence', async () => {
  mockIPC((cmd) => {
    if (cmd === 'door_status') return status;
    if (cmd === 'door_counts') return counts(0, 0);
    if (cmd === 'door_scan') throw { kind: 'door_venue_poster', message: 'a poster' };
    throw new Error(`unexpected ${cmd}`);
  });
  render(Door, { platform: 'linux', binding, onleft: () => {} });
  typeCode('https://yte.caobang.example/v/1#x');
  const result = await screen.findByTestId('door-result');
  expect(result).toHaveAttribute('role', 'alert');
  expect(result).toHaveTextContent('KHÔNG GHI');
  expect(screen.getByTestId('door-problem')).toHaveTextContent(
    'Đây là áp phích của một địa điểm: khách tự quét bằng điện thoại của mình. Chưa ghi gì.',
  );
});

test('leaving venue mode needs its PIN', async () => {
  let left = false;
  mockIPC((cmd, payload) => {
    if (cmd === 'door_status') return status;
    if (cmd === 'door_counts') return counts(0, 0);
    if (cmd === 'door_turn_off') {
      if ((payload as { pin: string }).pin !== '2468') throw { kind: 'pin_wrong', message: 'x', detail: { seconds: 0 } };
      return null;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Door, { platform: 'linux', binding, onleft: () => (left = true) });
  fireEvent.click(await screen.findByTestId('door-leave'));
  fireEvent.input(screen.getByTestId('door-leave-pin'), { target: { value: '1111' } });
  fireEvent.click(screen.getByTestId('door-leave-confirm'));
  expect(await screen.findByTestId('door-leave-notice')).toHaveTextContent(/PIN/);
  expect(left).toBe(false);
  fireEvent.input(screen.getByTestId('door-leave-pin'), { target: { value: '2468' } });
  fireEvent.click(screen.getByTestId('door-leave-confirm'));
  await waitFor(() => expect(left).toBe(true));
});

test("turning venue mode on shows the poster's venue and needs the PIN twice", async () => {
  const turnedOn: unknown[] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'door_preview') {
      return { origin: 'vd1', signature: 'verified', venue_id: binding.venue_id, name: binding.name,
        address: binding.address, authority: binding.authority, usual_stay_minutes: 60 };
    }
    if (cmd === 'door_turn_on') {
      turnedOn.push(payload);
      return binding;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  let done = false;
  render(DoorSetup, { platform: 'linux', onturnedon: () => (done = true) });
  fireEvent.click(screen.getByTestId('door-setup-start'));
  fireEvent.click(screen.getByText('Mã không quét được? Nhập mã'));
  fireEvent.input(screen.getByTestId('door-poster-type'), { target: { value: 'the poster' } });
  fireEvent.submit(screen.getByTestId('door-poster-type').closest('form')!);
  expect(await screen.findByTestId('door-venue-name')).toHaveTextContent(binding.name);
  fireEvent.input(screen.getByTestId('door-pin'), { target: { value: '2468' } });
  fireEvent.input(screen.getByTestId('door-pin-again'), { target: { value: '2469' } });
  fireEvent.click(screen.getByTestId('door-turn-on'));
  expect(await screen.findByTestId('door-setup-notice')).toHaveTextContent('không giống nhau');
  expect(turnedOn).toEqual([]);
  fireEvent.input(screen.getByTestId('door-pin-again'), { target: { value: '2468' } });
  fireEvent.click(screen.getByTestId('door-turn-on'));
  await waitFor(() => expect(done).toBe(true));
  expect(turnedOn).toEqual([{ poster: 'the poster', pin: '2468' }]);
});

test('a shorter retention needs the PIN, and says how many entries went', async () => {
  const asked: unknown[] = [];
  let days = 21;
  mockIPC((cmd, payload) => {
    if (cmd === 'door_status') return { ...status, retention_days: days };
    if (cmd === 'door_counts') return counts(0, 0);
    if (cmd === 'door_set_retention') {
      asked.push(payload);
      const { pin } = payload as { days: number; pin: string };
      if (pin !== '2468') throw { kind: 'pin_wrong', message: 'x', detail: { seconds: 0 } };
      days = (payload as { days: number }).days;
      return 3;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Door, { platform: 'linux', binding, onleft: () => {} });
  expect(await screen.findByTestId('door-retention')).toHaveTextContent('Các lượt vào được giữ 21 ngày');
  fireEvent.click(screen.getByTestId('door-retention-change'));
  fireEvent.change(screen.getByTestId('door-retention-days'), { target: { value: '14' } });
  fireEvent.input(screen.getByTestId('door-retention-pin'), { target: { value: '1111' } });
  fireEvent.click(screen.getByTestId('door-retention-save'));
  expect(await screen.findByTestId('door-retention-notice')).toHaveTextContent('Mã PIN không đúng.');
  fireEvent.input(screen.getByTestId('door-retention-pin'), { target: { value: '2468' } });
  fireEvent.click(screen.getByTestId('door-retention-save'));
  await waitFor(() => expect(screen.getByTestId('door-retention-notice')).toHaveTextContent('Đã lưu. Đã xoá 3 lượt vào cũ.'));
  expect(screen.getByTestId('door-retention')).toHaveTextContent('Các lượt vào được giữ 14 ngày');
  expect(asked).toEqual([{ days: 14, pin: '1111' }, { days: 14, pin: '2468' }]);
});

test('the answer goes after 15 seconds, so the next visitor does not see it', async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  try {
    mockIPC((cmd) => {
      if (cmd === 'door_status') return status;
      if (cmd === 'door_counts') return counts(1, 1);
      if (cmd === 'door_scan') return cameIn;
      throw new Error(`unexpected ${cmd}`);
    });
    render(Door, { platform: 'linux', binding, onleft: () => {} });
    typeCode('the card');
    await screen.findByTestId('door-result');
    vi.advanceTimersByTime(14_000);
    expect(screen.queryByTestId('door-result')).not.toBeNull();
    vi.advanceTimersByTime(2_000);
    await waitFor(() => expect(screen.queryByTestId('door-result')).toBeNull());
  } finally {
    vi.useRealTimers();
  }
});

test('a tracer\'s code scanned at the door opens the request, not a refusal', async () => {
  mockIPC((cmd, payload) => {
    if (cmd === 'door_status') return status;
    if (cmd === 'door_counts') return counts(0, 0);
    if (cmd === 'door_scan') throw { kind: 'door_share_code', message: '' };
    if (cmd === 'door_request_forget') return null;
    if (cmd === 'door_request_fetch') {
      expect(payload).toEqual({ code: '7KQ2-M9XD-4RTA' });
      return {
        code: '7KQ2-M9XD-4RTA', authority: binding.authority, department: binding.authority,
        purpose: 'Truy vết ca 12', from: '2026-12-04T01:00:00Z', to: '2026-12-04T02:00:00Z',
        expires: '2026-12-06T01:00:00Z', entries: 4,
      };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Door, { platform: 'linux', binding, onleft: () => {} });
  await screen.findByTestId('door-venue');
  typeCode('VDSHARE:7KQ2-M9XD-4RTA');
  expect(await screen.findByTestId('door-request-purpose')).toHaveTextContent('Truy vết ca 12');
  expect(screen.queryByTestId('door-result')).toBeNull();
  // Declined, then the same code scanned again: the request opens again.
  await fireEvent.click(screen.getByTestId('door-request-decline'));
  await screen.findByTestId('door-request-start');
  fireEvent.input(screen.getByTestId('door-scan-type'), { target: { value: 'VDSHARE:7KQ2-M9XD-4RTA' } });
  fireEvent.submit(screen.getByTestId('door-scan-type').closest('form')!);
  expect(await screen.findByTestId('door-request-purpose')).toHaveTextContent('Truy vết ca 12');
});

test('a co-signing venue\'s owner reads the notice, then signs with the sheet; others see no such card', async () => {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'door_status') return status;
    if (cmd === 'door_counts') return counts(0, 0);
    calls.push([cmd, payload]);
    if (cmd === 'cosign_read') {
      return {
        authority: 'Sở Y tế Cao Bằng',
        venue: 'Quán cà phê Bản Giốc',
        from: '2026-12-04T01:00:00Z',
        to: '2026-12-04T03:00:00Z',
        level: 'test',
      };
    }
    if (cmd === 'cosign_sign') {
      if ((payload as { sheet: string }).sheet === 'wrong sheet') {
        throw { kind: 'owner_sheet_other_venue', message: 'x' };
      }
      return null;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  const { unmount } = render(Door, { platform: 'linux', binding, onleft: () => {} });
  await screen.findByTestId('door-venue');
  // A venue whose id is not version 8 (not derived from an owner's key): nothing to co-sign.
  expect(screen.queryByTestId('cosign')).toBeNull();
  unmount();

  const owned = { ...binding, venue_id: '4440e603-30ae-8bb8-a9d9-802fb390cefb' };
  render(Door, { platform: 'linux', binding: owned, onleft: () => {} });
  fireEvent.click(await screen.findByTestId('cosign-start'));
  const typeInto = async (testid: string, text: string) => {
    const card = screen.getByTestId('cosign');
    // The typing box stays open after a code that was refused.
    if (!screen.queryByTestId(`${testid}-type`)) {
      fireEvent.click(within(card).getByText('Mã không quét được? Nhập mã'));
    }
    fireEvent.input(await screen.findByTestId(`${testid}-type`), { target: { value: text } });
    fireEvent.submit(screen.getByTestId(`${testid}-type`).closest('form')!);
  };
  await typeInto('cosign-request', 'the request');
  // Two hours on one day, shown in the device's own time zone (the end without its date).
  const window = (await screen.findByTestId('cosign-window')).textContent!;
  expect(window).toMatch(/^\d{2}\/12\/2026 (\d{2}):00 – (\d{2}):00$/);
  const [, from, to] = window.match(/(\d{2}):00 – (\d{2}):00/)!;
  expect((Number(to) - Number(from) + 24) % 24).toBe(2);
  expect(screen.getByTestId('cosign-level')).toHaveTextContent('Đi xét nghiệm');
  await typeInto('cosign-sheet', 'wrong sheet');
  expect(await screen.findByTestId('cosign-problem')).toHaveTextContent('Giấy này của một địa điểm khác');
  await typeInto('cosign-sheet', 'the sheet');
  expect(await screen.findByTestId('cosign-sent')).toHaveTextContent('Đã gửi xác nhận');
  expect(calls).toEqual([
    ['cosign_read', { text: 'the request' }],
    ['cosign_sign', { sheet: 'wrong sheet' }],
    ['cosign_sign', { sheet: 'the sheet' }],
  ]);
});
