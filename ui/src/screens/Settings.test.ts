import { render, screen, fireEvent } from '@testing-library/svelte';
import { locale } from 'svelte-i18n';
import Settings from './Settings.svelte';
import type { AppInfo } from '../lib/api';

const info = (key_location: AppInfo['key_location']): AppInfo => ({
  version: '0.1.0',
  platform: 'linux',
  data_dir: '/data',
  key_location,
  error: null,
  authorities: ['Sở Y tế Cao Bằng'],
});

afterEach(() => locale.set('vi'));

test('a key in a file instead of a key store is said plainly', () => {
  render(Settings, { info: info({ kind: 'file', path: '/data/diary.key' }) });
  expect(screen.getByTestId('key-location')).toHaveTextContent(
    'Máy này không có kho khoá của hệ thống, nên khoá được lưu trong một tệp riêng tư cạnh nhật ký',
  );
});

test('a key in the key store names the store', () => {
  render(Settings, { info: info({ kind: 'key_store', name: 'Secret Service' }) });
  expect(screen.getByTestId('key-location')).toHaveTextContent('kho khoá của hệ thống (Secret Service)');
});

test('switching to English translates the screen', async () => {
  render(Settings, { info: info({ kind: 'key_store', name: 'Secret Service' }) });
  expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Cài đặt và thông tin');
  await fireEvent.change(screen.getByLabelText('Ngôn ngữ'), { target: { value: 'en' } });
  expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('Settings and about');
  expect(document.documentElement.lang).toBe('en');
});
