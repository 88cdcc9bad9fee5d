// What a citizen meets beyond the first scan, in the real app at phone size: the exit time a
// check-in records for the visit before it (said, not silent), when an open visit will close by
// itself, the app lock's warning and what it hides, deleting everything with the lock on, dates
// and times as people write them, a computer without a camera, and a poster's short code typed
// by hand, with and without the network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startServices, stopServices, makeAuthority, goTo, addVenue, openApp, closeApp, screenshot, text, tempDir, press, importImage, checkIn, setField,
  startPortal, openChromium, adminWithRoles, registerVenue,
} from './harness.mjs';

const A = 'Chợ Xanh Cao Bằng';
const B = 'Nhà văn hoá Tổ 5';
const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));

/** A message of vi.json with its `{placeholders}` filled. */
const say = (message, values = {}) => message.replace(/\{(\w+)\}/g, (_, k) => values[k]);

let authority;
let venueB;

before(async () => {
  await startServices();
  authority = makeAuthority('citizen', A);
  venueB = addVenue(authority, B, 'other');
});

after(stopServices);

const hhmm = (d) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

test('a check-in says the exit time it gave the visit before, and the open visit when it will close', async () => {
  const data = tempDir('citizen-checkout');
  const app = await openApp(data, authority.trust);
  try {
    await checkIn(app, authority.png, A);
    // The open visit's card: leaving is recorded by itself at the end of a usual stay.
    const auto = await text(app, '[data-testid=auto-out]');
    // Its day too when that is tomorrow (a check-in late in the evening).
    assert.match(auto, new RegExp(say(vi.home.autoOut, { time: '(\\d\\d/\\d\\d/\\d{4} )?\\d\\d:\\d\\d' })));
    await screenshot(app, '80-home-open-visit-auto-out');

    const notice = await checkIn(app, venueB.png, B);
    const out = hhmm(new Date());
    const closed = say(vi.home.checkedOut, { name: A, time: '(\\d\\d:\\d\\d)' });
    const found = new RegExp(`^${closed} ${say(vi.home.checkedIn, { name: B })}$`).exec(notice);
    assert.ok(found, notice);
    // The exit time is this minute (or the one before it, across a minute's turn).
    assert.ok([out, hhmm(new Date(Date.now() - 60_000))].includes(found[1]), `${found[1]} vs ${out}`);
    await screenshot(app, '81-home-checked-out-by-the-next-scan');
  } finally {
    await closeApp(app, data);
  }
});

test('the PIN warns before it is set; with the lock closed Home names no place; deleting needs the PIN', async () => {
  const data = tempDir('citizen-lock');
  const app = await openApp(data, authority.trust);
  try {
    await checkIn(app, authority.png, A);
    await goTo(app, 'settings');
    await press(app, '[data-testid=lock-on]');
    assert.equal(await text(app, '[data-testid=pin-warning]'), vi.settings.pinWarning);
    await (await app.$('[data-testid=pin-new]')).setValue('2468');
    await (await app.$('[data-testid=pin-again]')).setValue('2468');
    await screenshot(app, '82-pin-warning');
    // Not confirmed: not set.
    await press(app, '[data-testid=save-lock]');
    await app.waitUntil(async () => (await text(app, '[data-testid=lock-notice]')) === vi.settings.pinWarningNeeded, { timeout: 10000 });
    await press(app, '[data-testid=pin-understood]');
    await press(app, '[data-testid=save-lock]');
    await app.waitUntil(async () => (await text(app, '[data-testid=lock-notice]')) === vi.settings.lockSaved, { timeout: 10000 });

    // Khoá ngay: Home keeps the check-out, not the place.
    await press(app, '[data-testid=lock-now]');
    await goTo(app, 'home');
    await (await app.$('[data-testid=open-visit-hidden]')).waitForExist({ timeout: 10000 });
    assert.equal(await text(app, '[data-testid=open-visit-hidden]'), vi.home.hereHidden);
    assert.equal((await text(app, '[data-testid=open-visit]')).includes(A), false);
    await screenshot(app, '83-home-locked-no-place');

    // Locked, "delete everything" is the forgotten-PIN way, and says so; not taken here.
    await goTo(app, 'settings');
    await press(app, '[data-testid=erase]');
    assert.equal(await text(app, '[data-testid=erase-forgot]'), vi.settings.deleteForgot);
    await screenshot(app, '84-erase-forgotten-pin');
    await press(app, '[data-testid=erase-question] ~ .buttons button:not(.danger)');

    // Open, it asks for the PIN: a wrong one deletes nothing.
    await goTo(app, 'diary');
    await (await app.$('[data-testid=pin]')).setValue('2468');
    await press(app, '[data-testid=unlock]');
    await (await app.$('[data-testid=visit]')).waitForExist({ timeout: 10000 });
    await goTo(app, 'settings');
    await press(app, '[data-testid=erase]');
    await (await app.$('[data-testid=erase-pin]')).setValue('1357');
    await screenshot(app, '85-erase-asks-the-pin');
    await press(app, '[data-testid=erase-yes]');
    await app.waitUntil(async () => (await text(app, '[data-testid=erase-error]')) === vi.errors.pin_wrong, { timeout: 10000 });
    await goTo(app, 'diary');
    await (await app.$('[data-testid=visit]')).waitForExist({ timeout: 10000 });
    await goTo(app, 'settings');
    await press(app, '[data-testid=erase]');
    await (await app.$('[data-testid=erase-pin]')).setValue('2468');
    await press(app, '[data-testid=erase-yes]');
    await (await app.$('[data-testid=erase-notice]')).waitForExist({ timeout: 15000 });
    await goTo(app, 'diary');
    await (await app.$('[data-testid=diary-empty]')).waitForExist({ timeout: 10000 });
  } finally {
    await closeApp(app, data);
  }
});

test('dates and times as people write them are taken; a wrong box is pointed at and cleared once fixed', async () => {
  const data = tempDir('citizen-form');
  const app = await openApp(data, authority.trust);
  try {
    const yesterday = new Date(Date.now() - 86400_000);
    const day = `${yesterday.getDate()}/${yesterday.getMonth() + 1}`;
    await goTo(app, 'diary');
    await press(app, '[data-testid=add-visit]');
    await (await app.$('#visit-name')).setValue('Quán phở Tổ 3');
    await setField(app, '#visit-in-date', day);
    await setField(app, '#visit-in-time', '9h75');
    await setField(app, '#visit-out-date', day);
    await setField(app, '#visit-out-time', '11h');
    // Where Save sits within the form (the page may scroll to the box found wrong).
    const saveInForm = () =>
      app.execute(() => {
        const form = document.querySelector('[data-testid=visit-form]').getBoundingClientRect();
        const save = document.querySelector('[data-testid=save-visit]').getBoundingClientRect();
        return Math.round(save.top - form.top);
      });
    const before = await saveInForm();
    await press(app, '[data-testid=save-visit]');
    await app.waitUntil(async () => (await text(app, '[data-testid=wrong-in-time]')) === vi.visit.wrong.time, { timeout: 10000 });
    assert.equal(await (await app.$('#visit-in-time')).getAttribute('aria-invalid'), 'true');
    assert.equal(await (await app.$('#visit-in-date')).getAttribute('aria-invalid'), 'false');
    assert.equal(await app.execute(() => document.activeElement?.id), 'visit-in-time');
    assert.equal(await saveInForm(), before, 'Save stays where the finger is');
    await screenshot(app, '86-form-wrong-box');

    await setField(app, '#visit-in-time', '9g30');
    await app.waitUntil(async () => (await text(app, '[data-testid=wrong-in-time]')) === '', { timeout: 10000 });
    assert.equal(await (await app.$('[data-testid=form-notice]')).isExisting(), false);
    await press(app, '[data-testid=save-visit]');
    await (await app.$('[data-testid=visit-detail]')).waitForExist({ timeout: 10000 });
    assert.match(await text(app, '[data-testid=detail-in]'), /09:30/);
    assert.match(await text(app, '[data-testid=detail-out]'), /11:00/);
    await screenshot(app, '87-form-saved-from-9g30-and-11h');
  } finally {
    await closeApp(app, data);
  }
});

test('"Dùng camera" on a computer without one says what to do instead', async () => {
  const data = tempDir('citizen-camera');
  const app = await openApp(data, authority.trust);
  try {
    await goTo(app, 'home');
    await press(app, '[data-testid=open-camera]');
    await (await app.$('[data-testid=notice]')).waitForExist({ timeout: 15000 });
    const said = await text(app, '[data-testid=notice]');
    // Under Xvfb there is no camera; WebKitGTK says so, or refuses the permission it would ask.
    assert.ok([vi.errors.camera_missing, vi.errors.camera_denied].includes(said), said);
    await screenshot(app, '88-no-camera');
  } finally {
    await closeApp(app, data);
  }
});

test('a short code typed from the poster checks in as the QR code would; a typo and no network each say what to do', async () => {
  // A venue registered on the portal, as staff do: its page shows the short code its poster
  // prints.
  const site = await startPortal('typed');
  const browser = await openChromium(tempDir('typed-downloads'));
  const C = 'Trạm Y tế Phường Thục Phán';
  let short;
  try {
    await adminWithRoles(browser, site, ['registrar']);
    await registerVenue(browser, site, {
      name: C, address: 'Số 9 Phố Xuân Trường, Phường Thục Phán, Cao Bằng', sector: 'health-facility',
      contact: 'Hoàng Văn Sơn', phone: '0206 3852 456',
    });
    short = await text(browser, '#short-code');
    await screenshot(browser, 'portal-13-venue-short-code');
  } finally {
    await browser.deleteSession();
  }
  // The portal's first venue: its tag, number 1, a secret and a check character.
  assert.match(short, /^[0-9A-Y]{2}0-001[0-9A-Y]-[0-9A-Y]{4}$/);

  const data = tempDir('citizen-typed');
  const app = await openApp(data, site.trust);
  const type = async (code) => {
    if (!(await (await app.$('#code')).isExisting())) {
      await press(app, `button=${vi.home.typeCode}`);
    }
    await setField(app, '#code', code);
    await press(app, `form.type button[type=submit]`);
  };
  try {
    await goTo(app, 'home');
    // Two characters swapped (the number's 0 and 1): a typo, said before anyone is asked.
    const plain = short.replaceAll('-', '');
    await type(plain.slice(0, 4) + plain[5] + plain[4] + plain.slice(6));
    await (await app.$('[data-testid=notice]')).waitForExist({ timeout: 15000 });
    assert.equal(await text(app, '[data-testid=notice]'), vi.errors.venue_short_mistyped);
    await screenshot(app, '89-home-short-code-typo');

    // Typed in small letters without hyphens, as people do: checked in, the code verified as a
    // scanned poster's.
    await type(short.toLowerCase().replaceAll('-', ''));
    await app.waitUntil(async () => (await text(app, '[data-testid=notice]')) === say(vi.home.checkedIn, { name: C }), {
      timeout: 15000, timeoutMsg: 'the typed short code did not check in',
    });
    await screenshot(app, '90-home-short-code-checked-in');
    await goTo(app, 'diary');
    assert.match(await text(app, '[data-testid=visit] [data-testid=verified]'), /^✓ /);

    // Offline: the portal is gone. Nothing is recorded, and the person is told to scan instead.
    await site.stop();
    await goTo(app, 'home');
    await type(short);
    await app.waitUntil(async () => (await text(app, '[data-testid=notice]')) === vi.errors.venue_short_network, {
      timeout: 30000, timeoutMsg: 'no sentence for a short code typed offline',
    });
    await screenshot(app, '91-home-short-code-offline');
    await goTo(app, 'diary');
    await (await app.$('[data-testid=visit]')).waitForExist({ timeout: 15000 });
    assert.equal((await app.$$('[data-testid=visit]')).length, 1, 'nothing recorded offline');
  } finally {
    await closeApp(app, data);
  }
});
