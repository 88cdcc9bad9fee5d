import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import DoorRequest from './DoorRequest.svelte';
import type { DoorAnswer, DoorRequestReview } from '../lib/api';
import vi from '../locales/vi.json';

const review: DoorRequestReview = {
  code: '7KQ2-M9XD-4RTA',
  authority: 'Sở Y tế Cao Bằng',
  department: 'Sở Y tế Cao Bằng',
  purpose: 'Truy vết ca 12',
  from: '2026-12-04T01:00:00Z',
  to: '2026-12-04T02:00:00Z',
  expires: '2026-12-06T01:00:00Z',
  entries: 3,
};

afterEach(() => clearMocks());

async function typeCode(code: string) {
  await fireEvent.click(screen.getByTestId('door-request-start'));
  await fireEvent.input(screen.getByTestId('door-request-code'), { target: { value: code } });
  await fireEvent.submit(screen.getByTestId('door-request-code').closest('form')!);
}

async function typePin(pin: string) {
  await fireEvent.input(await screen.findByTestId('door-request-pin'), { target: { value: pin } });
  await fireEvent.submit(screen.getByTestId('door-request-pin').closest('form')!);
}

test('the person in charge reads who asks, why and how many entries, and sends only with the PIN', async () => {
  const calls: string[] = [];
  mockIPC((cmd, payload) => {
    calls.push(cmd);
    if (cmd === 'door_request_fetch') {
      expect(payload).toEqual({ code: '7kq2 m9xd 4rta' });
      return review;
    }
    if (cmd === 'door_request_answer') {
      const { pin } = payload as { pin: string };
      if (pin !== '2468') throw { kind: 'pin_wrong', message: '', detail: { seconds: 0 } };
      return { code: review.code, entries: 3, delivered: true, problem: null, can_save: false } satisfies DoorAnswer;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(DoorRequest);
  await typeCode('7kq2 m9xd 4rta');
  expect(await screen.findByTestId('door-request-who')).toHaveTextContent('Sở Y tế Cao Bằng hỏi sổ khách');
  expect(screen.getByTestId('door-request-purpose')).toHaveTextContent('Truy vết ca 12');
  expect(screen.getByTestId('door-request-entries')).toHaveTextContent('3 lượt vào trong khoảng giờ này sẽ được gửi. Bạn và thiết bị này không đọc được chúng');
  // The window with its date, the end without it on the same day.
  expect(screen.getByTestId('door-request-window').textContent).toMatch(/^\d{2}\/\d{2}\/2026 \d{2}:\d{2} – \d{2}:\d{2}$/);
  expect(screen.getByTestId('door-request-send')).toBeDisabled();

  await typePin('1111');
  expect(await screen.findByTestId('door-request-problem')).toHaveTextContent(vi.errors.pin_wrong);
  await typePin('2468');
  expect(await screen.findByTestId('door-request-sent')).toHaveTextContent('Đã gửi 3 lượt vào tới cơ quan y tế.');
  expect(calls.filter((c) => c === 'door_request_answer')).toHaveLength(2);
});

test('a citizen\'s code, another venue\'s request and a failed upload each get their own sentence', async () => {
  let fetches = 0;
  mockIPC((cmd) => {
    if (cmd === 'door_request_fetch') {
      fetches += 1;
      if (fetches === 1) throw { kind: 'door_request_for_citizen', message: '' };
      if (fetches === 2) throw { kind: 'door_request_other_venue', message: '' };
      return review;
    }
    if (cmd === 'door_request_answer') {
      return {
        code: review.code,
        entries: 3,
        delivered: false,
        problem: { kind: 'share_upload_network', message: '' },
        can_save: true,
      } satisfies DoorAnswer;
    }
    if (cmd === 'door_request_save') return '/tai-ve/so-khach-tai-cua-7KQ2-M9XD-4RTA.vdshare';
    if (cmd === 'door_request_forget') return null;
    throw new Error(`unexpected ${cmd}`);
  });
  render(DoorRequest);
  await typeCode('7KQ2-M9XD-4RTA');
  expect(await screen.findByTestId('door-request-problem')).toHaveTextContent(vi.door.request.errors.door_request_for_citizen);
  await fireEvent.submit(screen.getByTestId('door-request-code').closest('form')!);
  await waitFor(() =>
    expect(screen.getByTestId('door-request-problem')).toHaveTextContent(vi.door.request.errors.door_request_other_venue),
  );
  await fireEvent.submit(screen.getByTestId('door-request-code').closest('form')!);
  await typePin('2468');
  expect(await screen.findByTestId('door-request-problem')).toHaveTextContent(vi.door.request.errors.share_upload_network);
  await fireEvent.click(screen.getByTestId('door-request-save'));
  expect(await screen.findByTestId('door-request-saved')).toHaveTextContent('so-khach-tai-cua-7KQ2-M9XD-4RTA.vdshare');
});
