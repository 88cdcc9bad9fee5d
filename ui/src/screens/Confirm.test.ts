import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Confirm from './Confirm.svelte';

afterEach(() => clearMocks());

const scanned = {
  origin: 'vd1', signature: 'verified', venue_id: 'x', name: 'Trạm Y tế Phường Thục Phán',
  address: 'Phường Thục Phán', authority: 'Sở Y tế Cao Bằng', usual_stay_minutes: 60,
};

test('a venue link is shown and checked in only when the citizen says so', async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === 'preview_code') return scanned;
    if (cmd === 'check_in') return { ...scanned, id: 1 };
    throw new Error(`unexpected ${cmd}`);
  });
  const onclose = vi.fn();
  render(Confirm, { text: 'https://yte.example/v/1#abc', onclose });
  expect(await screen.findByTestId('confirm-name')).toHaveTextContent('Trạm Y tế Phường Thục Phán');
  expect(screen.getByTestId('confirm-badge')).toHaveTextContent('Mã do Sở Y tế Cao Bằng cấp, đã xác thực');
  expect(calls).toEqual(['preview_code']);
  await fireEvent.click(screen.getByRole('button', { name: 'Ghi nhận' }));
  await waitFor(() => expect(onclose).toHaveBeenCalled());
  expect(calls).toEqual(['preview_code', 'check_in']);
});

test('a venue whose code was withdrawn is checked in and the warning stays until closed', async () => {
  mockIPC((cmd) => {
    if (cmd === 'preview_code') return scanned;
    if (cmd === 'check_in') return { ...scanned, id: 1, withdrawn: true };
    throw new Error(`unexpected ${cmd}`);
  });
  const onclose = vi.fn();
  render(Confirm, { text: 'https://yte.example/v/1#abc', onclose });
  await screen.findByTestId('confirm-name');
  await fireEvent.click(screen.getByRole('button', { name: 'Ghi nhận' }));
  expect(await screen.findByTestId('confirm-withdrawn')).toHaveTextContent('cơ quan y tế đã thu hồi mã QR của địa điểm này');
  expect(onclose).not.toHaveBeenCalled();
  expect(screen.queryByRole('button', { name: 'Ghi nhận' })).toBeNull();
  await fireEvent.click(screen.getByRole('button', { name: 'Đóng' }));
  expect(onclose).toHaveBeenCalled();
});

test('cancel stores nothing', async () => {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    return scanned;
  });
  const onclose = vi.fn();
  render(Confirm, { text: 'https://yte.example/v/1#abc', onclose });
  await screen.findByTestId('confirm-name');
  await fireEvent.click(screen.getByRole('button', { name: 'Huỷ' }));
  expect(onclose).toHaveBeenCalled();
  expect(calls).toEqual(['preview_code']);
});

test('a link that is no venue code says so in one sentence', async () => {
  mockIPC(() => {
    throw { kind: 'not_venue_code', message: 'This is not a Visit Diary venue code.' };
  });
  render(Confirm, { text: 'https://example.com/v/1#zzz', onclose: () => {} });
  expect(await screen.findByRole('alert')).toHaveTextContent('Mã này không phải mã của địa điểm. Chưa ghi gì vào nhật ký.');
  expect(screen.queryByRole('button', { name: 'Ghi nhận' })).toBeNull();
  expect(screen.getByRole('button', { name: 'Đóng' })).toBeInTheDocument();
});
