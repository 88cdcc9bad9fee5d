import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import Scanner from './Scanner.svelte';
import { scanNative, handled } from './scan';
import { resetBack, listenOnPhones } from './back';
import { fakePhone } from './fakePhone';

afterEach(() => {
  clearMocks();
  resetBack();
});

test('the native scanner runs windowed under the app\'s overlay, and Cancel cancels it', async () => {
  const phone = fakePhone();
  render(Scanner);
  const scanning = scanNative();
  const overlay = await screen.findByTestId('scanner');
  expect(overlay).toHaveTextContent('Đưa mã QR vào giữa khung');
  // The camera's picture is under the webview: the page lets it through.
  expect(document.documentElement).toHaveClass('scanning');
  const scan = phone.calls.find((c) => c.cmd === 'plugin:barcode-scanner|scan');
  expect(scan?.args).toMatchObject({ windowed: true, formats: ['QR_CODE'] });

  await fireEvent.click(screen.getByRole('button', { name: 'Huỷ' }));
  const error = await scanning.catch((e) => e);
  expect(phone.names()).toContain('plugin:barcode-scanner|cancel');
  // Cancelled by the person: the caller neither complains nor falls back to the in-app camera.
  expect(handled(error)).toBe(true);
  await waitFor(() => expect(screen.queryByTestId('scanner')).toBeNull());
  expect(document.documentElement).not.toHaveClass('scanning');
});

test('the torch is switched through the phone plugin and off again when the scan ends', async () => {
  const phone = fakePhone();
  render(Scanner);
  const scanning = scanNative();
  const torch = await screen.findByRole('button', { name: 'Bật đèn' });
  expect(torch).toHaveAttribute('aria-pressed', 'false');
  await fireEvent.click(torch);
  await waitFor(() => expect(screen.getByRole('button', { name: 'Tắt đèn' })).toHaveAttribute('aria-pressed', 'true'));
  expect(phone.calls.filter((c) => c.cmd === 'plugin:phone|torch').map((c) => c.args.on)).toEqual([true]);

  phone.scanned('https://yte.example/v/1#abc');
  expect(await scanning).toBe('https://yte.example/v/1#abc');
  expect(phone.calls.filter((c) => c.cmd === 'plugin:phone|torch').map((c) => c.args.on)).toEqual([true, false]);
  await waitFor(() => expect(screen.queryByTestId('scanner')).toBeNull());
});

test('a phone whose torch cannot be switched says so instead of offering it again', async () => {
  const phone = fakePhone();
  phone.hasTorch = false;
  render(Scanner);
  const scanning = scanNative();
  await fireEvent.click(await screen.findByRole('button', { name: 'Bật đèn' }));
  expect(await screen.findByRole('status')).toHaveTextContent('Không bật được đèn');
  expect(screen.queryByRole('button', { name: 'Bật đèn' })).toBeNull();
  await fireEvent.click(screen.getByRole('button', { name: 'Huỷ' }));
  await scanning.catch(() => {});
});

test('a torch asked for while the camera is still being bound is asked again', async () => {
  const phone = fakePhone();
  phone.torchNotReady = 2;
  render(Scanner);
  const scanning = scanNative();
  await fireEvent.click(await screen.findByRole('button', { name: 'Bật đèn' }));
  await waitFor(() => expect(screen.getByRole('button', { name: 'Tắt đèn' })).toBeInTheDocument(), { timeout: 3000 });
  expect(phone.calls.filter((c) => c.cmd === 'plugin:phone|torch')).toHaveLength(3);
  await fireEvent.click(screen.getByRole('button', { name: 'Huỷ' }));
  await scanning.catch(() => {});
});

test('a refused camera leads to Settings, and the scan goes on once the camera is allowed there', async () => {
  const phone = fakePhone();
  phone.camera = 'denied';
  phone.asked = 'denied';
  render(Scanner);
  const scanning = scanNative();
  const panel = await screen.findByTestId('camera-denied');
  expect(panel).toHaveTextContent('Ứng dụng chưa được dùng camera');
  expect(phone.names()).not.toContain('plugin:barcode-scanner|scan');

  // The person allows the camera in the phone's settings and comes back.
  phone.asked = 'granted';
  const settings = screen.getByRole('button', { name: 'Mở Cài đặt' });
  phone.camera = 'granted';
  await fireEvent.click(settings);
  expect(phone.names()).toContain('plugin:barcode-scanner|open_app_settings');
  await screen.findByTestId('scanner');
  expect(screen.queryByTestId('camera-denied')).toBeNull();
  phone.scanned('VDSHARE:ABCD-EFGH');
  expect(await scanning).toBe('VDSHARE:ABCD-EFGH');
});

test('a refused camera, closed: the scan ends without the in-app camera or an error', async () => {
  const phone = fakePhone();
  phone.camera = 'denied';
  phone.asked = 'denied';
  render(Scanner);
  const scanning = scanNative();
  await fireEvent.click(await screen.findByRole('button', { name: 'Đóng' }));
  expect(handled(await scanning.catch((e) => e))).toBe(true);
  expect(screen.queryByTestId('camera-denied')).toBeNull();
  expect(phone.names()).not.toContain('plugin:barcode-scanner|scan');
});

test('Android\'s back button cancels the scanner', async () => {
  const phone = fakePhone();
  listenOnPhones();
  render(Scanner);
  const scanning = scanNative();
  await screen.findByTestId('scanner');
  await waitFor(() => expect(phone.names()).toContain('plugin:app|register_listener'));
  expect(phone.pressBack()).toBe(true);
  expect(handled(await scanning.catch((e) => e))).toBe(true);
  expect(phone.names()).toContain('plugin:barcode-scanner|cancel');
  // Nothing open any more: the app stops listening, and Android's own back applies again.
  await waitFor(() => expect(phone.names()).toContain('plugin:app|remove_listener'));
  expect(phone.pressBack()).toBe(false);
});
