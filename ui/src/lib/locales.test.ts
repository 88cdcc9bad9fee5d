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
    'venue_host_elsewhere', 'venue_code_expired', 'key_retired', 'invalid_venue', 'invalid_trust', 'image_unreadable', 'no_qr_code', 'no_open_visit',
    'key_missing', 'key_rejected', 'key_file_damaged', 'key_store', 'data_folder', 'migration',
    'storage', 'diary_damaged', 'disk_full', 'read_only',
  ];
  for (const kind of kinds) expect(vi.errors).toHaveProperty(kind);
});

test('every venue-mode kind the Rust side can send has a sentence in both languages', () => {
  // crates/protocol (the ID card and personal card readers, read_door_scan), crates/diary's
  // door.rs and crates/app's door.rs.
  const kinds = [
    'venue_mode', 'door_poster_not_ours', 'door_poster_no_door_key', 'door_already_bound',
    'door_not_bound', 'door_duplicate', 'not_id_card', 'id_card_too_long', 'id_card_truncated',
    'id_card_number', 'id_card_name', 'id_card_born', 'id_card_sex', 'id_card_address',
    'id_card_issued', 'not_contact_card', 'contact_card_damaged', 'contact_card_elsewhere',
    'invalid_contact', 'door_venue_poster', 'door_share_code', 'door_unknown',
  ];
  for (const kind of kinds) {
    expect(vi.errors).toHaveProperty(kind);
    expect(en.errors).toHaveProperty(kind);
  }
});

test('every problem of a tracer\'s request to a door has a sentence in both languages', () => {
  // crates/app's door_request.rs: the share kinds it reuses, and its own.
  const kinds = [
    'share_code_invalid', 'share_code_mistyped', 'share_unknown_code', 'share_expired', 'share_answered', 'share_network',
    'share_portal_garbage', 'share_portal_error', 'share_untrusted', 'share_throttled',
    'share_no_authority', 'share_newer_version', 'share_not_fetched', 'share_consent_expired',
    'share_upload_network', 'share_upload_failed', 'share_upload_answered', 'share_upload_expired',
    'share_upload_untrusted', 'share_file', 'door_request_for_citizen', 'door_request_other_venue',
  ];
  for (const kind of kinds) {
    expect(vi.door.request.errors).toHaveProperty(kind);
    expect(en.door.request.errors).toHaveProperty(kind);
  }
  expect(vi.share.errors).toHaveProperty('share_for_door');
  expect(en.share.errors).toHaveProperty('share_for_door');
});

test('every problem of co-signing a notice has a sentence in both languages', () => {
  // crates/app's cosign.rs, and the owner sheet's reader in crates/protocol.
  const kinds = [
    'not_cosign_request', 'cosign_untrusted', 'cosign_expired', 'cosign_other_venue',
    'cosign_not_fetched', 'not_owner_sheet', 'owner_sheet_other_venue', 'cosign_refused',
    'cosign_network',
  ];
  for (const kind of kinds) {
    expect(vi.door.cosign.errors).toHaveProperty(kind);
    expect(en.door.cosign.errors).toHaveProperty(kind);
  }
});

test('every sharing problem kind the Rust side can send has a sentence in both languages', () => {
  // crates/app's share.rs (app::Error): fetching a request, then consent and delivery (which have their own
  // sentences: after consent the sealed diary may have left the phone); and the Share screen's
  // own share_not_request_qr.
  const kinds = [
    'share_code_invalid', 'share_code_mistyped', 'share_unknown_code', 'share_expired', 'share_answered', 'share_network',
    'share_portal_garbage', 'share_portal_error', 'share_untrusted', 'share_throttled',
    'share_no_authority', 'nothing_chosen', 'share_file', 'share_consent_expired',
    'share_not_fetched', 'share_upload_network', 'share_upload_failed', 'share_upload_answered',
    'share_upload_expired', 'share_upload_untrusted', 'share_newer_version', 'share_not_request_qr',
  ];
  for (const kind of kinds) {
    expect(vi.share.errors).toHaveProperty(kind);
    expect(en.share.errors).toHaveProperty(kind);
  }
  // Fetch-time sentences may say nothing was sent; upload-time ones must not.
  for (const kind of kinds.filter((k) => k.startsWith('share_upload_'))) {
    const sentence = (en.share.errors as Record<string, string>)[kind];
    expect(sentence).not.toMatch(/Nothing was sent/);
  }
});

// The word list (src/locales/GLOSSARY.md): its technical words, and the spelling convention,
// which the portal's Vietnamese (crates/portal/locales/vi.ftl) follows too.

/** A file of the repository as text, by its path from this file (read as Node does). */
async function readText(path: string): Promise<string> {
  const fs = 'node:fs';
  const { readFileSync } = await import(/* @vite-ignore */ fs);
  return readFileSync(new URL(path, import.meta.url), 'utf8');
}
const glossary = await readText('../locales/GLOSSARY.md');
const portalVi = await readText('../../../crates/portal/locales/vi.ftl');

/** Every message of a locale file, with its key: `errors.bad_signature`. */
function messages(o: object, prefix = ''): [string, string][] {
  return Object.entries(o).flatMap(([k, v]): [string, string][] =>
    typeof v === 'object' ? messages(v, `${prefix}${k}.`) : [[`${prefix}${k}`, String(v)]],
  );
}

/** The words of the glossary's "Technical words citizens should not meet" table: column 1 Vietnamese, 2 English. */
function technicalWords(): { vi: string[]; en: string[] } {
  const section = glossary.split(/^## Technical words citizens should not meet$/m)[1]?.split(/^#{2,3} /m)[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('|') && !/^\|\s*(-|Không dùng)/.test(line));
  const words = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1].normalize('NFC'));
  return {
    vi: rows.flatMap((row) => words(row.split('|')[1])),
    en: rows.flatMap((row) => words(row.split('|')[2])),
  };
}

/** `word` as a whole word (not inside another), in any case. */
const wholeWord = (word: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu');

/**
 * Messages that must keep a technical word, with why. Keep it tiny: a citizen should meet none.
 * Each entry is `locale:key`.
 */
const ALLOWED = new Set<string>([]);

function technicalIn(locale: 'vi' | 'en', file: object, words: string[]): string[] {
  return messages(file).flatMap(([key, text]) =>
    words
      .filter((word) => wholeWord(word).test(text.normalize('NFC')) && !ALLOWED.has(`${locale}:${key}`))
      .map((word) => `${locale}:${key} uses “${word}”: ${text}`),
  );
}

test('the glossary lists technical words in both languages', () => {
  const { vi: viWords, en: enWords } = technicalWords();
  expect(viWords).toEqual(expect.arrayContaining(['chữ ký', 'PNG', 'JPEG', 'WebP', 'kho khoá', 'HPKE', 'niêm phong']));
  expect(enWords).toEqual(expect.arrayContaining(['signature', 'PNG', 'key store', 'sealed']));
});

test('no Vietnamese message uses a word the glossary marks as technical', () => {
  expect(technicalIn('vi', vi, technicalWords().vi)).toEqual([]);
});

test('no English message uses a word the glossary marks as technical', () => {
  expect(technicalIn('en', en, technicalWords().en)).toEqual([]);
});

// GLOSSARY.md, "Spelling convention": the tone mark of a syllable ending in oa, oe, uy goes on the
// second vowel (hoá, khoá, xoá, hoà, khoẻ, thuỷ), never the first (hóa, khóa, xóa, hòa, khỏe, thủy).
const OLD_STYLE = /(?<!q)(?:[óòỏõọ][ae]|[úùủũụ]y)(?![\p{L}])/iu;

test('the Vietnamese of the app writes oa, oe, uy the one way the glossary chooses', () => {
  const found = messages(vi)
    .map(([key, text]) => [key, text.normalize('NFC').match(new RegExp(`[\\p{L}]*${OLD_STYLE.source}`, 'giu'))] as const)
    .filter(([, words]) => words)
    .map(([key, words]) => `${key}: ${words!.join(', ')}`);
  expect(found).toEqual([]);
});

test("the portal's Vietnamese writes oa, oe, uy the same way", () => {
  const found = portalVi
    .normalize('NFC')
    .split('\n')
    .filter((line) => !line.startsWith('#') && OLD_STYLE.test(line));
  expect(found).toEqual([]);
});
