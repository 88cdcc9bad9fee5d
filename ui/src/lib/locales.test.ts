import vi from '../locales/vi.json';
import en from '../locales/en.json';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

test('Vietnamese and English have exactly the same messages', () => {
  expect(keys(en).sort()).toEqual(keys(vi).sort());
});

test('every error kind the Rust side can send has a sentence', () => {
  const kinds = [
    'not_venue_code', 'unsupported_version', 'unknown_key', 'bad_signature', 'malformed_code',
    'invalid_venue', 'invalid_trust', 'image_unreadable', 'no_qr_code', 'no_open_visit',
    'key_missing', 'key_rejected', 'key_file_damaged', 'key_store', 'data_folder', 'migration',
    'storage', 'diary_damaged', 'disk_full', 'read_only',
  ];
  for (const kind of kinds) expect(vi.errors).toHaveProperty(kind);
});
