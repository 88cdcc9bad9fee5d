import { render, screen } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import Diary from './Diary.svelte';

afterEach(() => clearMocks());

test('an empty diary says what to do', async () => {
  mockIPC(() => []);
  render(Diary);
  expect(await screen.findByTestId('diary-empty')).toHaveTextContent('Khi bạn quét mã QR');
});

test('visits are listed in the order given, with times and whether they were verified', async () => {
  mockIPC(() => [
    {
      id: 2, origin: 'vd1', signature: 'verified', venue_id: 'b', name: 'Nhà thuốc Minh Châu', address: 'Hợp Giang',
      unit_code: 1273, sector: 'shop', usual_stay_minutes: 30, key_id: 'k', authority: 'Sở Y tế Cao Bằng',
      time_in: '2026-11-29T02:30:00Z', time_out: null, checkout: null,
    },
    {
      id: 1, origin: 'nhs-covid19', signature: 'unverified', venue_id: '4WT59M5Y',
      name: 'Bưu điện tỉnh', address: 'Sông Hiến', unit_code: null, sector: null,
      usual_stay_minutes: null, key_id: '3', authority: null,
      time_in: '2026-11-28T01:00:00Z', time_out: '2026-11-28T01:45:00Z', checkout: 'tap',
    },
  ]);
  render(Diary);
  const items = await screen.findAllByTestId('visit');
  expect(items.map((i) => i.querySelector('h2')!.textContent)).toEqual(['Nhà thuốc Minh Châu', 'Bưu điện tỉnh']);
  expect(items[0]).toHaveTextContent('Chưa ra');
  expect(items[0]).toHaveTextContent('Mã do Sở Y tế Cao Bằng cấp, đã xác thực');
  expect(items[1]).toHaveTextContent('Mã NHS COVID-19 (Anh và xứ Wales), không xác thực được chữ ký');
  expect(items[1]).toHaveTextContent('28/11/2026');
  expect(items[1]).toHaveTextContent('(bạn bấm Ra về)');
  expect(screen.getByText('2 lần ra vào')).toBeInTheDocument();
});

test('a diary that cannot be read shows a sentence, not database text', async () => {
  mockIPC(() => {
    throw { kind: 'storage', message: 'error returned from database: (code: 11) database disk image is malformed' };
  });
  render(Diary);
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('Không đọc hoặc ghi được nhật ký.');
  expect(alert).not.toHaveTextContent('malformed');
});

test('a code unsigned by design says so, without alarm', async () => {
  mockIPC(() => [
    {
      id: 3, origin: 'nz-covid-tracer', signature: 'unsigned', venue_id: '7000000243950',
      name: 'Blue Stone Table 1', address: 'Leeston', unit_code: null, sector: null,
      usual_stay_minutes: null, key_id: null, authority: null,
      time_in: '2026-11-28T01:00:00Z', time_out: null, checkout: null,
    },
  ]);
  render(Diary);
  const badge = await screen.findByTestId('verified');
  expect(badge).toHaveTextContent('Mã NZ COVID Tracer (New Zealand), loại mã này không có chữ ký');
  expect(badge).toHaveClass('plain');
  expect(badge).not.toHaveTextContent('!');
});
