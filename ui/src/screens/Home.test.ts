import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Home from './Home.svelte';
import { scanNative } from '../lib/scan';

vi.mock('../lib/scan', async (original) => ({
  ...(await original<typeof import('../lib/scan')>()),
  scanNative: vi.fn(),
}));
import type { Visit } from '../lib/api';
import { visit as fixture } from '../test-fixtures';

/** A visit checked in today at 08:05 in Vietnam. */
const visit = (name: string): Visit => ({ ...fixture(1, name), time_in: '2026-11-29T01:05:00Z' });

function chooseImage(bytes: number[]) {
  const input = screen.getByTestId('import-image') as HTMLInputElement;
  // jsdom's File has no arrayBuffer(); the webview's does.
  const file = { name: 'code.png', type: 'image/png', arrayBuffer: async () => new Uint8Array(bytes).buffer };
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
}

afterEach(() => clearMocks());

test('an imported image is sent as raw bytes and the visit is shown as open', async () => {
  let received: unknown = null;
  mockIPC((cmd, payload) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in_image') {
      received = payload;
      return visit('Chợ Xanh Cao Bằng');
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  chooseImage([1, 2, 3]);
  const notice = await screen.findByTestId('notice');
  expect(notice).toHaveTextContent('Đã ghi nhận: Chợ Xanh Cao Bằng');
  expect(notice).toHaveAttribute('role', 'status');
  expect(screen.getByTestId('open-visit')).toHaveTextContent('Chợ Xanh Cao Bằng');
  expect(Array.from(received as Uint8Array)).toEqual([1, 2, 3]);
});

test('a check-in at a venue whose code was withdrawn is kept, with a warning', async () => {
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in_image') return { ...visit('Chợ Xanh Cao Bằng'), withdrawn: true };
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  chooseImage([1, 2, 3]);
  const notice = await screen.findByTestId('notice');
  expect(notice).toHaveTextContent('Đã ghi nhận: Chợ Xanh Cao Bằng. Lưu ý: cơ quan y tế đã thu hồi mã QR');
  expect(notice).toHaveClass('warn');
  expect(screen.getByTestId('open-visit')).toHaveTextContent('Chợ Xanh Cao Bằng');
});

test('a refused code shows one Vietnamese sentence and keeps the open visit', async () => {
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return visit('Bưu điện tỉnh');
    if (cmd === 'check_in_image') throw { kind: 'unknown_key', message: 'signed by key 0011' };
    if (cmd === 'my_contact') return null;
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  await screen.findByText('Bưu điện tỉnh');
  chooseImage([9]);
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent(
    'Mã này không do cơ quan y tế mà ứng dụng tin cậy cấp. Chưa ghi gì vào nhật ký.',
  );
  expect(alert).not.toHaveTextContent('0011');
  expect(screen.getByTestId('open-visit')).toHaveTextContent('Bưu điện tỉnh');
});

test('an error kind the UI does not know still reads as a sentence', async () => {
  mockIPC((cmd) => {
    if (cmd === 'open_visit' || cmd === 'my_contact') return null;
    throw { kind: 'something_new', message: 'SQLITE_IOERR: disk I/O error' };
  });
  render(Home, { platform: 'linux' });
  chooseImage([1]);
  expect(await screen.findByRole('alert')).toHaveTextContent('Đã có lỗi xảy ra, hãy thử lại.');
});

test('check out closes the visit and says when', async () => {
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return visit('Nhà thuốc Minh Châu');
    if (cmd === 'check_out')
      // Today at 09:30: the time alone is said (another day would be said with its date).
      return { ...visit('Nhà thuốc Minh Châu'), time_out: new Date(new Date().setHours(9, 30, 0, 0)).toISOString(), checkout: 'tap' };
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  await fireEvent.click(await screen.findByRole('button', { name: 'Ra về' }));
  await waitFor(() => expect(screen.queryByTestId('open-visit')).toBeNull());
  expect(screen.getByTestId('notice')).toHaveTextContent(/Đã ghi giờ ra khỏi Nhà thuốc Minh Châu lúc \d\d:30\./);
});

test('phones get the Scan button, desktops the image import', async () => {
  mockIPC(() => null);
  const { unmount } = render(Home, { platform: 'android' });
  expect(screen.getByRole('button', { name: /Quét mã QR/ })).toBeInTheDocument();
  expect(screen.queryByTestId('import-image')).toBeNull();
  unmount();
  render(Home, { platform: 'linux' });
  expect(screen.getByTestId('import-image')).toBeInTheDocument();
});

test('on a phone whose native scanner fails, the in-app camera takes over', async () => {
  vi.mocked(scanNative).mockRejectedValueOnce(new Error('Google Play services unavailable'));
  mockIPC(() => null);
  render(Home, { platform: 'android' });
  await fireEvent.click(screen.getByRole('button', { name: /Quét mã QR/ }));
  // jsdom has no camera, so the in-app camera reports that in one sentence (a phone has no
  // picture to choose instead, as a computer does).
  expect(await screen.findByRole('alert')).toHaveTextContent(
    'Không mở được camera. Hãy cho phép ứng dụng dùng camera, hoặc nhập mã bằng tay.',
  );
});

test('closing the native scanner is not an error', async () => {
  vi.mocked(scanNative).mockRejectedValueOnce('User cancelled the scan');
  mockIPC(() => null);
  render(Home, { platform: 'ios' });
  await fireEvent.click(screen.getByRole('button', { name: /Quét mã QR/ }));
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.queryByRole('alert')).toBeNull();
  expect(screen.queryByText('Đang mở camera…')).toBeNull();
});

test('a code from the native scanner is checked in', async () => {
  vi.mocked(scanNative).mockResolvedValueOnce('https://yte.example/v/1#abc');
  let sent: unknown = null;
  mockIPC((cmd, payload) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in') {
      sent = payload;
      return visit('Bưu điện tỉnh');
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'android' });
  await fireEvent.click(screen.getByRole('button', { name: /Quét mã QR/ }));
  expect(await screen.findByTestId('notice')).toHaveTextContent('Đã ghi nhận: Bưu điện tỉnh');
  // Scanned, not typed: never looked up as a short code.
  expect(sent).toEqual({ text: 'https://yte.example/v/1#abc', again: false, typed: false });
});

test('the same venue again within ten minutes is asked about, and recorded only on yes', async () => {
  const calls: unknown[] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in') {
      calls.push(payload);
      if (!(payload as { again: boolean }).again) {
        throw {
          kind: 'duplicate_visit',
          message: 'duplicate',
          detail: { name: 'Chợ Xanh Cao Bằng', time_in: '2026-11-29T01:05:00Z' },
        };
      }
      return visit('Chợ Xanh Cao Bằng');
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  await fireEvent.click(screen.getByRole('button', { name: 'Không quét được? Nhập mã ngắn' }));
  await fireEvent.input(screen.getByLabelText('Mã ngắn in dưới mã QR trên áp phích'), { target: { value: 'https://x/v/1#a' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Ghi nhận' }));
  const ask = await screen.findByTestId('duplicate');
  expect(ask).toHaveTextContent(/Bạn vừa ghi nhận Chợ Xanh Cao Bằng lúc \d\d:05\. Ghi nhận thêm một lượt nữa\?/);
  expect(screen.queryByTestId('open-visit')).toBeNull();
  await fireEvent.click(screen.getByTestId('duplicate-yes'));
  expect(await screen.findByTestId('open-visit')).toHaveTextContent('Chợ Xanh Cao Bằng');
  expect(calls).toEqual([
    { text: 'https://x/v/1#a', again: false, typed: true },
    { text: 'https://x/v/1#a', again: true, typed: true },
  ]);
});

test('typed text that is no venue code is told apart from a scanned one, and a short code goes to the core as typed', async () => {
  const sent: unknown[] = [];
  mockIPC((cmd, payload) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in') {
      sent.push((payload as { text: string }).text);
      if ((payload as { text: string }).text === 'HS0-01D3-KQ2A') {
        throw { kind: 'venue_short_mistyped', message: 'mistyped' };
      }
      throw { kind: 'not_venue_code', message: 'not a venue code' };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Home, { platform: 'linux' });
  await fireEvent.click(screen.getByRole('button', { name: 'Không quét được? Nhập mã ngắn' }));
  const field = screen.getByLabelText('Mã ngắn in dưới mã QR trên áp phích');
  expect(field).toHaveAccessibleDescription(/Cần có mạng\. .*Không gửi gì về bạn\./);
  await fireEvent.input(field, { target: { value: 'xin chào' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Ghi nhận' }));
  expect(await screen.findByTestId('notice')).toHaveTextContent(
    'Mã bạn nhập không phải mã của địa điểm. Chưa ghi gì vào nhật ký. Hãy nhập mã ngắn in dưới mã QR trên áp phích, ví dụ HS0-01D3-KQ2A.',
  );
  await fireEvent.input(field, { target: { value: 'HS0-01D3-KQ2A' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Ghi nhận' }));
  await waitFor(() =>
    expect(screen.getByTestId('notice')).toHaveTextContent(/^Mã ngắn có một ký tự sai hoặc hai ký tự bị đổi chỗ\./),
  );
  expect(sent).toEqual(['xin chào', 'HS0-01D3-KQ2A']);
});
