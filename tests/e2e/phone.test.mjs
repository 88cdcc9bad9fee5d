// The phone's paths of the real app at phone size: the native scanner under the app's own
// overlay (hint, torch, Cancel), a refused camera and the way to Settings, Android's back button,
// and the diary's screens kept out of screenshots. The app runs with `--as-phone` (debug builds:
// the UI is told it runs on Android); the phone's plugins (the barcode scanner, the app's `phone`
// plugin, the back button) are faked in the page at the IPC boundary, where the native ones would
// answer; everything else (checking in, the diary) is the real app. What the native halves do is
// for the hosted workflow and a real phone (docs/phones.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startServices, stopServices, makeAuthority, goTo, openApp, closeApp, text, tempDir, press, screenshot,
} from './harness.mjs';
import { accessibilityProblems } from './a11y.mjs';
import { fakePhone, phoneCalls as calls } from './phone-fake.mjs';

const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));
const VENUE = 'Chợ Trung tâm Trùng Khánh';

let authority;
const problems = [];

before(async () => {
  await startServices();
  authority = makeAuthority('phone', VENUE);
});

after(stopServices);

test('scanning on a phone: the overlay, the torch, Cancel, a refused camera, back and hidden screens', async () => {
  const data = tempDir('phone');
  const app = await openApp(data, authority.trust, { asPhone: true });
  try {
    await fakePhone(app);

    // The scanner: the app's overlay over the camera, the native scanner windowed under it.
    await press(app, '[data-testid=scan-phone]');
    assert.equal(await text(app, '#scanner-hint'), vi.scanner.hint);
    assert.ok(await app.execute(() => document.documentElement.classList.contains('scanning')));
    assert.deepEqual(await calls(app, 'plugin:barcode-scanner|scan'), [{ windowed: true, formats: ['QR_CODE'] }]);
    await accessibilityProblems(app, 'scanner', 'vi', problems);
    await screenshot(app, '70-phone-scanner-vi');

    // The torch, switched on; the poster read; the visit recorded, the torch off again.
    await press(app, '[data-testid=scanner-torch]');
    await app.waitUntil(async () => (await (await app.$('[data-testid=scanner-torch]')).getAttribute('aria-pressed')) === 'true');
    await screenshot(app, '71-phone-scanner-torch-vi');
    await app.execute((code) => window.__phone.scanned(code), authority.code);
    assert.equal(await text(app, '[data-testid=notice]'), `Đã ghi nhận: ${VENUE}`);
    assert.equal(await (await app.$('[data-testid=scanner]')).isExisting(), false);
    assert.deepEqual((await calls(app, 'plugin:phone|torch')).map((a) => a.on), [true, false]);

    // Cancel: back to Home, no in-app camera instead, nothing said.
    await press(app, '[data-testid=scan-phone]');
    await (await app.$('[data-testid=scanner]')).waitForExist({ timeout: 15000 });
    await press(app, '[data-testid=scanner-cancel]');
    await (await app.$('[data-testid=scanner]')).waitForExist({ reverse: true, timeout: 15000 });
    assert.equal((await calls(app, 'plugin:barcode-scanner|cancel')).length, 1);
    assert.equal(await (await app.$('video')).isExisting(), false);
    assert.ok(!(await app.execute(() => document.documentElement.classList.contains('scanning'))));

    // Android's back button while scanning cancels the scan too.
    await press(app, '[data-testid=scan-phone]');
    await (await app.$('[data-testid=scanner]')).waitForExist({ timeout: 15000 });
    await app.waitUntil(() => app.execute(() => window.__phone.listeners.size > 0));
    assert.ok(await app.execute(() => window.__phone.pressBack()));
    await (await app.$('[data-testid=scanner]')).waitForExist({ reverse: true, timeout: 15000 });
    assert.equal((await calls(app, 'plugin:barcode-scanner|cancel')).length, 2);

    // A refused camera: one sentence and the way to Settings; no scan, no in-app camera.
    await app.execute(() => (window.__phone.camera = 'denied'));
    await press(app, '[data-testid=scan-phone]');
    assert.equal(await text(app, '#denied-text'), vi.scanner.denied);
    await accessibilityProblems(app, 'camera-denied', 'vi', problems);
    await screenshot(app, '72-phone-camera-denied-vi');
    await press(app, '[data-testid=open-settings]');
    await app.waitUntil(async () => (await calls(app, 'plugin:barcode-scanner|open_app_settings')).length === 1);
    await press(app, '[data-testid=denied-close]');
    await (await app.$('[data-testid=camera-denied]')).waitForExist({ reverse: true, timeout: 15000 });
    assert.equal((await calls(app, 'plugin:barcode-scanner|scan')).length, 3);
    assert.equal(await (await app.$('video')).isExisting(), false);

    // Home: nothing to go back to, so the app does not take the back button (Android leaves it).
    await app.waitUntil(() => app.execute(() => window.__phone.listeners.size === 0));
    // The diary: kept out of screenshots; back goes Home, where the screen may be captured again.
    await goTo(app, 'diary');
    await app.waitUntil(async () => (await calls(app, 'plugin:phone|set_secure')).length === 1);
    assert.deepEqual(await calls(app, 'plugin:phone|set_secure'), [{ on: true }]);
    await app.waitUntil(() => app.execute(() => window.__phone.listeners.size > 0));
    await screenshot(app, '73-phone-diary-vi');
    assert.ok(await app.execute(() => window.__phone.pressBack()));
    await app.waitUntil(async () => (await (await app.$('[data-tab=home]')).getAttribute('aria-current')) === 'page');
    await app.waitUntil(async () => (await calls(app, 'plugin:phone|set_secure')).length === 2);
    assert.deepEqual((await calls(app, 'plugin:phone|set_secure')).at(-1), { on: false });
  } finally {
    await closeApp(app, data);
  }
  assert.deepEqual(problems, []);
});
