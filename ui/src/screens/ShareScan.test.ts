// A share request's QR reaches the Share screen however it is scanned: with the Share screen's
// own scanner, or by habit on the Scan tab, which hands the code over instead of refusing it.
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Share from './Share.svelte';
import Home from './Home.svelte';
import { requestCode, scanNative } from '../lib/scan';
import { review as fixture, visit } from '../test-fixtures';

vi.mock('../lib/scan', async (original) => ({
  ...(await original<typeof import('../lib/scan')>()),
  scanNative: vi.fn(),
}));

const review = fixture([]);


afterEach(() => {
  clearMocks();
  vi.mocked(scanNative).mockReset();
});

test('only a request QR gives a code', () => {
  expect(requestCode('VDSHARE:7KQ2-M9XD-4RTA')).toBe('7KQ2-M9XD-4RTA');
  expect(requestCode(' vdshare:7kq2 m9xd 4rta\n')).toBe('7kq2 m9xd 4rta');
  expect(requestCode('https://yte.caobang.gov.vn/v/1#abc')).toBeNull();
  expect(requestCode('VDSHARE:')).toBeNull();
  expect(requestCode('VDSHARE:<script>')).toBeNull();
});

test("the Share screen's scanner reads a request QR and looks the request up", async () => {
  vi.mocked(scanNative).mockResolvedValueOnce('VDSHARE:7KQ2-M9XD-4RTA');
  const asked: unknown[] = [];
  mockIPC((cmd, args) => {
    if (cmd === 'fetch_share_request') {
      asked.push(args);
      return review;
    }
  });
  render(Share, { platform: 'android' });
  await fireEvent.click(screen.getByTestId('scan-request'));
  expect(await screen.findByTestId('share-purpose')).toHaveTextContent('Truy vết ca bệnh số 12');
  expect(asked).toEqual([{ code: '7KQ2-M9XD-4RTA' }]);
});

test("a venue's QR scanned on the Share screen is not taken for a request; nothing is asked", async () => {
  vi.mocked(scanNative).mockResolvedValueOnce('https://yte.caobang.gov.vn/v/1#abc');
  let asked = false;
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') asked = true;
  });
  render(Share, { platform: 'ios' });
  await fireEvent.click(screen.getByTestId('scan-request'));
  expect(await screen.findByTestId('share-notice')).toHaveTextContent(
    'Mã QR này không phải yêu cầu chia sẻ.',
  );
  expect(asked).toBe(false);
});

test('on a desktop the Share screen scans with the in-app camera', async () => {
  // A camera that is still starting: jsdom has none.
  const getUserMedia = vi.fn(() => new Promise<MediaStream>(() => {}));
  Object.defineProperty(navigator, 'mediaDevices', { value: { getUserMedia }, configurable: true });
  try {
    mockIPC(() => null);
    render(Share, { platform: 'linux' });
    await fireEvent.click(screen.getByTestId('scan-request'));
    expect(await screen.findByTestId('close-camera')).toBeInTheDocument();
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(scanNative).not.toHaveBeenCalled();
  } finally {
    Reflect.deleteProperty(navigator, 'mediaDevices');
  }
});

test('a code handed over from the Scan tab is looked up at once, and only once', async () => {
  let asked = 0;
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') {
      asked += 1;
      return review;
    }
  });
  const consumed = vi.fn();
  render(Share, { initialCode: '7KQ2-M9XD-4RTA', onconsumed: consumed });
  expect(await screen.findByTestId('share-department')).toHaveTextContent('Sở Y tế Cao Bằng');
  expect(consumed).toHaveBeenCalledTimes(1);
  expect(asked).toBe(1);
});

test('a request QR scanned on the Scan tab goes to Share, and nothing is checked in', async () => {
  vi.mocked(scanNative).mockResolvedValueOnce('VDSHARE:7KQ2-M9XD-4RTA');
  let checkedIn = false;
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in') checkedIn = true;
  });
  const onsharecode = vi.fn();
  render(Home, { platform: 'android', onsharecode });
  await fireEvent.click(screen.getByText('Quét mã QR'));
  await waitFor(() => expect(onsharecode).toHaveBeenCalledWith('7KQ2-M9XD-4RTA'));
  expect(checkedIn).toBe(false);
  expect(screen.queryByTestId('notice')).toBeNull();
});

/** A photo chosen on the Scan tab whose QR holds `text`, which is no venue code. */
async function photoOnScanTab(text: string) {
  mockIPC((cmd) => {
    if (cmd === 'open_visit') return null;
    if (cmd === 'check_in_image') throw { kind: 'not_venue_code', message: text };
    if (cmd === 'decode_qr') return text;
  });
  const onsharecode = vi.fn();
  render(Home, { platform: 'linux', onsharecode });
  const input = screen.getByTestId('import-image') as HTMLInputElement;
  const file = { name: 'qr.png', type: 'image/png', arrayBuffer: async () => new Uint8Array([1]).buffer };
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  await fireEvent.change(input);
  return onsharecode;
}

test('a photo of a request QR chosen on the Scan tab goes to Share instead of an error', async () => {
  const onsharecode = await photoOnScanTab('VDSHARE:7KQ2-M9XD-4RTA');
  await waitFor(() => expect(onsharecode).toHaveBeenCalledWith('7KQ2-M9XD-4RTA'));
  expect(screen.queryByTestId('notice')).toBeNull();
});

test('a photo of some other QR on the Scan tab still says it is not a venue code', async () => {
  const onsharecode = await photoOnScanTab('https://example.com');
  expect(await screen.findByTestId('notice')).toHaveTextContent('Mã này không phải mã của địa điểm');
  expect(onsharecode).not.toHaveBeenCalled();
});

test('a request that expired while the citizen read it goes back to the code, with the reason', async () => {
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') return fixture([visit(1, 'Chợ Xanh')]);
    if (cmd === 'share_visits') throw { kind: 'share_consent_expired', message: 'expired' };
  });
  render(Share, { initialCode: '7KQ2-M9XD-4RTA' });
  await fireEvent.click(await screen.findByTestId('consent'));
  expect(await screen.findByTestId('share-notice')).toHaveTextContent(
    'Yêu cầu này đã hết hạn trước khi bạn đồng ý.',
  );
  expect(screen.queryByTestId('consent')).toBeNull();
  expect(screen.getByTestId('fetch-request')).toBeInTheDocument();
});
