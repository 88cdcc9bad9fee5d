// The venue co-signature across the two real programs: a registrar registers a venue whose owner
// co-signs, and prints the owner sheet the portal shows once; the venue's device is bound to its
// poster; a supervisor drafts a notice for the venue, which nobody can publish until the owner,
// on the venue's device, scans the request on the supervisor's screen and then the owner sheet;
// then a second supervisor publishes it, and the list carries it with the owner's signature.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import QRCode from 'qrcode';
import {
  startServices, stopServices, startPortal, openChromium, openApp, closeApp, screenshot, screenshots, text,
  tempDir, press, waitForDownload, adminWithRoles, signInAsNewStaff, bindDoor, registerVenue,
} from './harness.mjs';

const VENUE = 'Quán cà phê Bản Giốc';

let site;
let browser;
let downloads;

before(async () => {
  await startServices();
  site = await startPortal('cosign');
  downloads = tempDir('cosign-downloads');
  browser = await openChromium(downloads);
});

after(async () => {
  await browser?.deleteSession();
  stopServices();
});

const go = (path) => browser.url(`${site.url}${path}`);

/** A time as staff type it in the portal, dd/mm/yyyy hh:mm in Vietnam's time. */
function vietnamInput(ms) {
  const [day, time] = new Date(ms + 7 * 3600 * 1000).toISOString().slice(0, 16).split('T');
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y} ${time}`;
}

/** `text` as a QR image the app's "choose a photo" input takes, as a phone camera would see it. */
async function qrFile(dir, name, content) {
  const path = join(dir, `${name}.png`);
  await QRCode.toFile(path, content, { width: 700, margin: 4, errorCorrectionLevel: 'M' });
  return path;
}

test('a co-signing venue\'s notice is published only after its owner signs on the venue\'s device', async () => {
  await adminWithRoles(browser, site, ['registrar', 'tracer', 'supervisor']);
  await registerVenue(browser, site, {
    name: VENUE, address: 'Số 5 Phố Kim Đồng, Phường Thục Phán, Cao Bằng', sector: 'restaurant-cafe',
    contact: 'Hoàng Thị Mai', phone: '0912 345 678', cosigns: true,
  });
  // The owner sheet, shown once.
  const sheetFigure = await browser.$('#owner-sheet');
  await sheetFigure.waitForExist({ timeout: 10000 });
  const sheet = await sheetFigure.getAttribute('data-sheet');
  assert.match(sheet, /^VDOWNER1\.[A-Za-z0-9_-]{64}$/);
  await screenshot(browser, 'portal-50-owner-sheet');
  await (await browser.$('#to-venue')).click();
  await (await browser.$('#owner-cosigns')).waitForExist({ timeout: 10000 });
  const venueId = new URL(await browser.getUrl()).pathname.split('/')[2];
  // Version 8: the id is the owner's key.
  assert.equal(venueId.charAt(14), '8');
  assert.ok(!(await browser.getPageSource()).includes(sheet), 'the sheet is not shown again');
  await (await browser.$('#poster-png')).click();
  const poster = await waitForDownload(downloads, '.png');

  // A supervisor drafts a notice for the venue, saying why (no shared visit names it).
  await go('/cases');
  await (await browser.$('#label')).setValue('Ca 31 – Quán cà phê');
  await (await browser.$('#open-case')).click();
  await (await browser.$('#notice-other')).waitForExist({ timeout: 10000 });
  const casePath = new URL(await browser.getUrl()).pathname;
  await (await browser.$('#notice-other')).click();
  await (await browser.$('#venue_id')).waitForExist({ timeout: 10000 });
  await (await browser.$('#venue_id')).setValue(venueId);
  const to = Math.floor(Date.now() / 60000) * 60000 - 3600_000;
  await (await browser.$('#from')).setValue(vietnamInput(to - 2 * 3600_000));
  await (await browser.$('#to')).setValue(vietnamInput(to));
  await (await browser.$('#reason')).setValue('Chủ quán báo có nhân viên là ca bệnh');
  await screenshots(browser, 'portal-50b-notice-other-venue', '#reason');
  await (await browser.$('#save-draft')).click();
  await (await browser.$('.exposure-notice [data-cosign=waiting]')).waitForExist({ timeout: 10000 });

  // A second supervisor, who could approve anyone else's draft, cannot approve this one yet.
  await signInAsNewStaff(browser, site, 'hoa', ['supervisor']);
  await go(casePath);
  await (await browser.$('.exposure-notice [data-cosign=waiting]')).waitForExist({ timeout: 10000 });
  assert.equal(await (await browser.$('.exposure-notice a.publish')).isExisting(), false);
  assert.match(await text(browser, '.exposure-notice .awaiting'), /sau khi chủ địa điểm ký xác nhận/);
  const request = await (await browser.$('.exposure-notice .cosign-qr')).getAttribute('data-request');
  await (await browser.$('.exposure-notice')).scrollIntoView();
  await screenshot(browser, 'portal-51-cosign-waiting');

  const dir = tempDir('cosign-codes');
  const requestPng = await qrFile(dir, 'request', request);
  const sheetPng = await qrFile(dir, 'sheet', sheet);
  const data = tempDir('cosign-data');
  const app = await openApp(data, site.trust);
  try {
    // The venue's device, in venue mode with the venue's poster.
    await bindDoor(app, poster);
    assert.equal(await text(app, '[data-testid=door-venue]'), VENUE);

    // The owner scans the request on the supervisor's screen and reads it.
    await press(app, '[data-testid=cosign-start]');
    const requestInput = await app.$('[data-testid=cosign-request-image]');
    await requestInput.waitForExist({ timeout: 15000 });
    // The owner sheet scanned first by mistake: a sentence, nothing signed.
    await requestInput.addValue(sheetPng);
    await (await app.$('[data-testid=cosign-problem]')).waitForExist({ timeout: 15000 });
    assert.match(await text(app, '[data-testid=cosign-problem]'), /không phải đề nghị ký xác nhận/);
    await (await app.$('[data-testid=cosign-request-image]')).addValue(requestPng);
    await (await app.$('[data-testid=cosign-review]')).waitForExist({ timeout: 15000 });
    assert.match(await text(app, '[data-testid=cosign-review]'), new RegExp(VENUE));
    assert.equal(await text(app, '[data-testid=cosign-level]'), 'Đi xét nghiệm');
    await (await app.$('[data-testid=cosign]')).scrollIntoView();
    await screenshot(app, '70-cosign-review');
    // And agrees with the owner sheet.
    await (await app.$('[data-testid=cosign-sheet-image]')).addValue(sheetPng);
    await (await app.$('[data-testid=cosign-sent]')).waitForExist({ timeout: 15000 });
    await screenshot(app, '71-cosign-sent');
  } finally {
    await closeApp(app, data);
  }

  // The second supervisor's page says the owner signed, and now offers to publish it.
  await go(casePath);
  await (await browser.$('.exposure-notice [data-cosign=cosigned]')).waitForExist({ timeout: 10000 });
  await (await browser.$('.exposure-notice a.publish')).click();
  await (await browser.$('#confirm')).click();
  await (await browser.$('.exposure-notice[data-state=published]')).waitForExist({ timeout: 10000 });
  await screenshot(browser, 'portal-52-cosigned-published');

  // The list phones download carries the notice with the owner's public key (and signature,
  // which the portal's own tests verify); the secret on the sheet appears nowhere in it.
  const list = await (await fetch(`${site.url}/api/v1/exposures`)).json();
  const bytes = Buffer.from(list.signed, 'base64url');
  const { owner, secret } = ownerKeys(sheet);
  assert.ok(bytes.includes(owner), 'the list names the owner\'s key');
  assert.ok(!bytes.includes(secret), 'the list does not hold the owner\'s secret');
});

/** The owner's public key and secret seed from an owner sheet's text (venue id ‖ seed). */
function ownerKeys(sheet) {
  const secret = Buffer.from(sheet.slice('VDOWNER1.'.length), 'base64url').subarray(16);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secret]);
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const owner = Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x, 'base64url');
  return { owner, secret };
}
