// A diary people keep, in the real app: check-out by the next scan, the same place again, entries
// by hand, corrections and deletion, retention, the app lock, deleting everything; and every
// screen walked in both languages with axe-core, touch-target and 200 % text checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startServices, stopServices, makeAuthority, goTo, addVenue, openApp, closeApp, screenshot, text, tempDir, press, importImage, checkIn, setField,
} from './harness.mjs';
import { axeFindings, smallTargets, largeTextProblems } from './a11y.mjs';

const A = 'Chợ Xanh Cao Bằng';
const B = 'Trạm Y tế Phường Hợp Giang';
const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));
const en = JSON.parse(readFileSync(new URL('../../ui/src/locales/en.json', import.meta.url), 'utf8'));

let authority;
let venueB;

before(async () => {
  await startServices();
  authority = makeAuthority('diary', A);
  venueB = addVenue(authority, B, 'health-facility');
});

after(stopServices);

/** The form's date (`dd/mm/yyyy`) and time (`hh:mm`), `days` days and `hours` hours ago, local. */
function ago(days, hours = 0) {
  const d = new Date(Date.now() - days * 86400_000 - hours * 3600_000);
  const pad = (n) => String(n).padStart(2, '0');
  return { date: `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`, time: `${pad(d.getHours())}:${pad(d.getMinutes())}` };
}

async function setTime(app, which, when) {
  await setField(app, `#visit-${which}-date`, when.date);
  await setField(app, `#visit-${which}-time`, when.time);
}

async function addByHand(app, { name, address = 'Tổ 5, Phường Sông Hiến', from, to, note = '' }) {
  await goTo(app, 'diary');
  await press(app, '[data-testid=add-visit]');
  await (await app.$('#visit-name')).setValue(name);
  await (await app.$('#visit-address')).setValue(address);
  await setTime(app, 'in', from);
  await setTime(app, 'out', to);
  if (note) await (await app.$('#visit-note')).setValue(note);
  await press(app, '[data-testid=save-visit]');
  await (await app.$('[data-testid=visit-detail]')).waitForExist({ timeout: 10000 });
}

async function visitNames(app) {
  const names = [];
  for (const el of await app.$$('[data-testid=visit] .name')) names.push(await el.getText());
  return names;
}

test('checking in at A and then at B closes A at the moment of B; the same place again asks first', async () => {
  const data = tempDir('diary-ab');
  const app = await openApp(data, authority.trust);
  try {
    await checkIn(app, authority.png, A);
    // The same poster again, a moment later: asked, not recorded.
    await importImage(app, authority.png);
    const ask = await app.$('[data-testid=duplicate]');
    await ask.waitForExist({ timeout: 15000 });
    assert.match(await ask.getText(), new RegExp(`Bạn vừa ghi nhận ${A} lúc \\d\\d:\\d\\d\\. Ghi nhận thêm một lượt nữa\\?`));
    await screenshot(app, '40-home-duplicate');
    await press(app, '[data-testid=duplicate-no]');

    await checkIn(app, venueB.png, B);

    await goTo(app, 'diary');
    await (await app.$('[data-testid=visit]')).waitForExist({ timeout: 10000 });
    assert.deepEqual(await visitNames(app), [B, A]);
    await screenshot(app, '41-diary');

    // B's time in is A's time out.
    const visits = await app.$$('[data-testid=visit]');
    await visits[0].click();
    const bIn = await text(app, '[data-testid=detail-in]');
    await press(app, 'button.back');
    await app.waitUntil(async () => (await visitNames(app)).length === 2, { timeout: 10000 });
    await (await app.$$('[data-testid=visit]'))[1].click();
    const aOut = await text(app, '[data-testid=detail-out]');
    assert.equal(aOut, `${bIn} (${vi.diary.checkoutBy['next-scan']})`);
    await screenshot(app, '42-visit-detail');

    // Searching without accents finds the market only.
    await press(app, 'button.back');
    await app.waitUntil(async () => (await visitNames(app)).length === 2, { timeout: 10000 });
    await (await app.$('[data-testid=diary-search]')).setValue('cho xanh');
    await app.waitUntil(async () => (await visitNames(app)).length === 1, { timeout: 10000 });
    assert.deepEqual(await visitNames(app), [A]);
    await screenshot(app, '43-diary-search');
  } finally {
    await closeApp(app, data);
  }
});

test('a visit added by hand round-trips, is corrected and deleted', async () => {
  const data = tempDir('diary-manual');
  const app = await openApp(data, authority.trust);
  try {
    await addByHand(app, {
      name: 'Nhà văn hóa tổ 5',
      from: ago(1, 3),
      to: ago(1, 1),
      note: 'Họp tổ dân phố',
    });
    assert.equal(await text(app, '[data-testid=detail-source]'), vi.diary.manual);
    assert.equal(await text(app, '[data-testid=detail-note]'), 'Họp tổ dân phố');
    await screenshot(app, '44-visit-manual');

    // Back in the list: one visit, marked as entered by hand.
    await press(app, 'button.back');
    await app.waitUntil(async () => (await visitNames(app)).length === 1, { timeout: 10000 });
    assert.deepEqual(await visitNames(app), ['Nhà văn hóa tổ 5']);
    assert.match(await text(app, '[data-testid=visit]'), new RegExp(vi.diary.manual));

    // Corrected: it ended half an hour later.
    await (await app.$('[data-testid=visit]')).click();
    await press(app, '[data-testid=edit-visit]');
    await setTime(app, 'out', ago(1, 0.5));
    await screenshot(app, '45-visit-form');
    await press(app, '[data-testid=save-visit]');
    await app.waitUntil(async () => (await text(app, '[data-testid=visit-detail]')).includes(vi.visit.edited), {
      timeout: 10000,
    });

    // Deleted, after the question.
    await press(app, '[data-testid=delete-visit]');
    assert.match(await text(app, '[role=alertdialog]'), /Xoá lượt ghé ở Nhà văn hóa tổ 5\?/);
    await press(app, '[data-testid=confirm-delete]');
    await (await app.$('[data-testid=diary-empty]')).waitForExist({ timeout: 10000 });
    assert.equal(await text(app, '[data-testid=diary-notice]'), 'Đã xoá lượt ghé ở Nhà văn hóa tổ 5.');
  } finally {
    await closeApp(app, data);
  }
});

test('a shorter retention deletes the visits older than it at once', async () => {
  const data = tempDir('diary-retention');
  const app = await openApp(data, authority.trust);
  try {
    await addByHand(app, { name: 'Quán phở hai mươi ngày trước', from: ago(20, 2), to: ago(20, 1) });
    await addByHand(app, { name: 'Quán cà phê hôm qua', from: ago(1, 2), to: ago(1, 1) });
    await goTo(app, 'diary');
    assert.equal(await text(app, '[data-testid=retention-note]'), vi.diary.keeps.replace('{days}', '21'));
    assert.equal((await visitNames(app)).length, 2);

    await goTo(app, 'settings');
    await (await app.$('[data-testid=retention]')).selectByAttribute('value', '14');
    // Shorter, with an older visit: asked first.
    await (await app.$('[data-testid=retention-question]')).waitForExist({ timeout: 10000 });
    assert.match(await text(app, '[data-testid=retention-question]'), /^Giữ 14 ngày sẽ xoá ngay 1 lượt ghé cũ hơn\./);
    await screenshot(app, '46-settings-retention-question');
    await press(app, '[data-testid=retention-yes]');
    await (await app.$('[data-testid=retention-notice]')).waitForExist({ timeout: 10000 });
    assert.equal(await text(app, '[data-testid=retention-notice]'), 'Đã lưu và đã xoá 1 lượt ghé cũ hơn.');
    await screenshot(app, '46-settings-retention');

    await goTo(app, 'diary');
    await app.waitUntil(async () => (await visitNames(app)).length === 1, { timeout: 10000 });
    assert.deepEqual(await visitNames(app), ['Quán cà phê hôm qua']);
    assert.equal(await text(app, '[data-testid=retention-note]'), vi.diary.keeps.replace('{days}', '14'));
  } finally {
    await closeApp(app, data);
  }
});

test('a long diary shows 50 visits, the count of all, and the older ones on asking', async () => {
  const data = tempDir('diary-pages');
  const app = await openApp(data, authority.trust);
  try {
    // 57 visits by hand, one an hour, through the app's own command (typing 57 forms adds nothing).
    const added = await app.executeAsync((done) => {
      const hour = 3600_000;
      const now = Date.now();
      const jobs = [];
      for (let i = 0; i < 57; i++) {
        const at = now - (i + 2) * hour;
        jobs.push(window.__TAURI_INTERNALS__.invoke('add_manual', { entry: {
          name: `Quán số ${i + 1}`, address: 'Tổ 5, Phường Sông Hiến', note: '',
          time_in: new Date(at).toISOString(), time_out: new Date(at + hour / 2).toISOString(),
        } }));
      }
      Promise.all(jobs).then((v) => done(v.length), (e) => done(String(e?.message ?? e)));
    });
    assert.equal(added, 57);
    await goTo(app, 'diary');
    await app.waitUntil(async () => (await visitNames(app)).length === 50, { timeout: 10000 });
    assert.equal((await visitNames(app))[0], 'Quán số 1');
    assert.equal((await visitNames(app))[49], 'Quán số 50');
    assert.ok(await (await app.$('p*=57 lượt ghé')).isExisting(), 'the count of all visits');
    const more = await app.$('[data-testid=more-visits]');
    await more.scrollIntoView();
    assert.equal(await more.getText(), 'Xem thêm (còn 7 lượt ghé cũ hơn)');
    await screenshot(app, '47-diary-more');
    await press(app, '[data-testid=more-visits]');
    await app.waitUntil(async () => (await visitNames(app)).length === 57, { timeout: 10000 });
    assert.equal((await visitNames(app))[56], 'Quán số 57');
    assert.equal(await (await app.$('[data-testid=more-visits]')).isExisting(), false);
    // The reader goes on from the first of the older visits.
    assert.equal(await app.execute(() => document.activeElement?.querySelector('.name')?.textContent), 'Quán số 51');
    await screenshot(app, '47-diary-more-shown');
  } finally {
    await closeApp(app, data);
  }
});

test('the app lock asks for the PIN before the diary, refuses a wrong one, never blocks a scan; delete all starts again', async () => {
  const data = tempDir('diary-lock');
  let app = await openApp(data, authority.trust);
  try {
    await checkIn(app, authority.png, A);
    await goTo(app, 'settings');
    await press(app, '[data-testid=lock-on]');
    await (await app.$('[data-testid=pin-new]')).setValue('2468');
    await (await app.$('[data-testid=pin-again]')).setValue('2468');
    await press(app, '[data-testid=pin-understood]');
    await press(app, '[data-testid=save-lock]');
    await (await app.$('[data-testid=lock-notice]')).waitForExist({ timeout: 10000 });
    assert.equal(await text(app, '[data-testid=lock-notice]'), vi.settings.lockSaved);
    await closeApp(app, data);

    app = await openApp(data, authority.trust);
    await goTo(app, 'diary');
    await (await app.$('[data-testid=lock]')).waitForExist({ timeout: 10000 });
    assert.equal(await (await app.$('[data-testid=visit]')).isExisting(), false);
    await screenshot(app, '47-lock');
    await (await app.$('[data-testid=pin]')).setValue('1357');
    await press(app, '[data-testid=unlock]');
    await (await app.$('[data-testid=lock-error]')).waitForExist({ timeout: 10000 });
    assert.equal(await text(app, '[data-testid=lock-error]'), vi.errors.pin_wrong);
    // Scanning needs no PIN.
    await checkIn(app, venueB.png, B);
    await goTo(app, 'diary');
    await (await app.$('[data-testid=pin]')).setValue('2468');
    await press(app, '[data-testid=unlock]');
    await (await app.$('[data-testid=visit]')).waitForExist({ timeout: 10000 });
    assert.deepEqual(await visitNames(app), [B, A]);

    // Delete all my data: the question names what goes; afterwards the diary is empty and unlocked.
    await goTo(app, 'settings');
    await press(app, '[data-testid=erase]');
    await (await app.$('[data-testid=erase-question]')).waitForExist({ timeout: 10000 });
    assert.equal(
      await text(app, '[data-testid=erase-question]'),
      'Xoá 2 lượt ghé, 0 lần chia sẻ, 0 cảnh báo và mọi cài đặt? Sau khi xoá, không lấy lại được.',
    );
    await screenshot(app, '48-erase-question');
    // The lock is on: the PIN is asked again.
    await (await app.$('[data-testid=erase-pin]')).setValue('2468');
    await press(app, '[data-testid=erase-yes]');
    await (await app.$('[data-testid=erase-notice]')).waitForExist({ timeout: 15000 });
    assert.equal(await text(app, '[data-testid=erase-notice]'), vi.settings.deleted);
    await goTo(app, 'diary');
    await (await app.$('[data-testid=diary-empty]')).waitForExist({ timeout: 10000 });
  } finally {
    await closeApp(app, data);
  }
});

/** Every screen, in order, and how to reach it. */
const SCREENS = [
  ['home', async (app) => goTo(app, 'home')],
  ['home-duplicate', async (app) => {
    await importImage(app, authority.png);
    await (await app.$('[data-testid=duplicate]')).waitForExist({ timeout: 15000 });
  }],
  ['diary', async (app) => {
    await goTo(app, 'diary');
    await (await app.$('[data-testid=visit]')).waitForExist({ timeout: 10000 });
  }],
  ['visit-detail', async (app) => {
    await (await app.$('[data-testid=visit]')).click();
    await (await app.$('[data-testid=visit-detail]')).waitForExist({ timeout: 10000 });
  }],
  ['visit-form', async (app) => {
    await press(app, '[data-testid=edit-visit]');
    await (await app.$('[data-testid=visit-form]')).waitForExist({ timeout: 10000 });
  }],
  ['visit-new', async (app) => {
    await goTo(app, 'diary');
    await press(app, '[data-testid=add-visit]');
    await (await app.$('[data-testid=visit-form]')).waitForExist({ timeout: 10000 });
  }],
  ['alerts', async (app) => {
    await goTo(app, 'alerts');
    await (await app.$('[data-testid=check-exposures]')).waitForExist({ timeout: 10000 });
  }],
  ['share', async (app) => {
    await goTo(app, 'share');
    await (await app.$('#share-code')).waitForExist({ timeout: 10000 });
  }],
  ['settings', async (app) => {
    await goTo(app, 'settings');
    await (await app.$('[data-testid=retention]')).waitForExist({ timeout: 10000 });
  }],
];

/** Translated strings long enough to be recognised, with their placeholders cut out. */
function phrases(messages) {
  const out = [];
  const walk = (v) => {
    if (typeof v === 'string') {
      for (const part of v.split(/\{[^}]*\}|#/)) if (part.trim().length >= 12) out.push(part.trim());
    } else Object.values(v).forEach(walk);
  };
  walk(messages);
  return out;
}

const KEY = /\b(app|nav|home|camera|diary|visit|settings|lock|errors|alerts|share|confirm|startup|history)\.[a-zA-Z]/;

/** Checks the screen on show, saves its screenshot, and returns its text. */
async function check(app, name, lang, problems) {
  await app.pause(200);
  const body = await app.execute(() => document.body.innerText);
  if (KEY.test(body)) problems.push(`${name} (${lang}) shows an untranslated key: ${body.match(KEY)[0]}`);
  for (const finding of await axeFindings(app)) problems.push(`${name} (${lang}) axe: ${finding}`);
  for (const small of await smallTargets(app)) problems.push(`${name} (${lang}) small target: ${small}`);
  for (const p of await largeTextProblems(app)) problems.push(`${name} (${lang}) at 200 % text: ${p}`);
  await screenshot(app, `50-${name}-${lang}`);
  return body;
}

async function walk(app, lang) {
  const texts = {};
  const problems = [];
  for (const [name, reach] of SCREENS) {
    await reach(app);
    texts[name] = await check(app, name, lang, problems);
  }
  return { texts, problems };
}

test('every screen in Vietnamese and English: all text changes, no key shows, axe finds nothing serious', async () => {
  const data = tempDir('diary-walk');
  const app = await openApp(data, authority.trust);
  try {
    await checkIn(app, authority.png, A);
    await addByHand(app, { name: 'Nhà văn hóa tổ 5', from: ago(1, 3), to: ago(1, 1), note: 'Họp tổ' });

    const viWalk = await walk(app, 'vi');
    await goTo(app, 'settings');
    await (await app.$('#language')).selectByAttribute('value', 'en');
    await app.waitUntil(async () => (await text(app, 'h1')) === en.settings.title, { timeout: 10000 });
    const enWalk = await walk(app, 'en');

    const problems = [...viWalk.problems, ...enWalk.problems];
    // No Vietnamese sentence of the app is left on an English screen.
    const viPhrases = phrases(vi).filter((p) => !phrases(en).includes(p));
    for (const [name, body] of Object.entries(enWalk.texts)) {
      for (const p of viPhrases) if (body.includes(p)) problems.push(`${name} (en) still says "${p}"`);
      if (body === viWalk.texts[name]) problems.push(`${name} did not change language`);
    }
    assert.deepEqual(problems, []);
  } finally {
    // The language choice outlives the app (the webview's storage): leave it unchosen.
    await app.execute(() => localStorage.removeItem('visit-diary.language')).catch(() => {});
    await closeApp(app, data);
  }
});

test('the screens that need a fresh start, in both languages: confirmation, camera, lock, start-up error', async () => {
  // Vietnamese from a Vietnamese system, English from an English one (no language chosen).
  const texts = { vi: {}, en: {} };
  const problems = [];
  for (const lang of ['vi', 'en']) {
    const english = lang === 'en';
    // A venue link opening the app: the confirmation.
    let data = tempDir(`screens-${lang}`);
    let app = await openApp(data, authority.trust, { english, link: authority.code });
    try {
      await (await app.$('[data-testid=confirm]')).waitForExist({ timeout: 15000 });
      texts[lang].confirm = await check(app, 'confirm', lang, problems);
    } finally {
      await closeApp(app, data);
    }
    // The in-app camera (WebKit's test camera), then the lock after a restart.
    app = await openApp(data, authority.trust, { english, mockCamera: true });
    try {
      await press(app, '[data-testid=open-camera]');
      await (await app.$('#camera-title')).waitForExist({ timeout: 15000 });
      texts[lang].camera = await check(app, 'camera', lang, problems);
      await press(app, '[data-testid=close-camera]');
      await goTo(app, 'settings');
      await press(app, '[data-testid=lock-on]');
      await (await app.$('[data-testid=pin-new]')).setValue('2468');
      await (await app.$('[data-testid=pin-again]')).setValue('2468');
      await press(app, '[data-testid=pin-understood]');
      await press(app, '[data-testid=save-lock]');
      await (await app.$('[data-testid=lock-notice]')).waitForExist({ timeout: 10000 });
    } finally {
      await closeApp(app, data);
    }
    app = await openApp(data, authority.trust, { english });
    try {
      await goTo(app, 'diary');
      await (await app.$('[data-testid=lock]')).waitForExist({ timeout: 10000 });
      texts[lang].lock = await check(app, 'lock', lang, problems);
    } finally {
      await closeApp(app, data);
    }
    // A damaged diary: the start-up error, the file left as it was.
    data = tempDir(`screens-damaged-${lang}`);
    app = await openApp(data, authority.trust, { english });
    await closeApp(app, data);
    const db = join(data, 'diary.sqlite');
    const bytes = readFileSync(db);
    bytes.fill(0x41, 0, 64);
    writeFileSync(db, bytes);
    app = await openApp(data, authority.trust, { english });
    try {
      await (await app.$('[data-testid=startup-error]')).waitForExist({ timeout: 15000 });
      texts[lang].startup = await check(app, 'startup-error', lang, problems);
    } finally {
      await closeApp(app, data);
    }
  }
  const viPhrases = phrases(vi).filter((p) => !phrases(en).includes(p));
  for (const [name, body] of Object.entries(texts.en)) {
    for (const p of viPhrases) if (body.includes(p)) problems.push(`${name} (en) still says "${p}"`);
    if (body === texts.vi[name]) problems.push(`${name} did not change language`);
  }
  assert.deepEqual(problems, []);
});

test('on first start the app speaks the system language: English here', async () => {
  const data = tempDir('diary-english');
  const app = await openApp(data, authority.trust, { english: true });
  try {
    assert.equal(await text(app, 'h1'), en.home.title);
    assert.equal(await text(app, '[data-tab=diary] span'), en.nav.diary);
    await screenshot(app, '51-home-system-english');
  } finally {
    await closeApp(app, data);
  }
});
