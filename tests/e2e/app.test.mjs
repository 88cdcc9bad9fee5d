// The real app, driven as a citizen would use it. Each case starts from an empty data folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  startServices, stopServices, makeAuthority, goTo, openApp, closeApp, screenshot, text, tempDir, filesOf,
  APP,
} from './harness.mjs';

const NAME = 'Trạm Y tế Phường Thục Phán – Điểm tiêm chủng số 3';
const vi = JSON.parse(readFileSync(new URL('../../ui/src/locales/vi.json', import.meta.url), 'utf8'));

let ours;
let stranger;

before(async () => {
  await startServices();
  ours = makeAuthority('caobang', NAME);
  stranger = makeAuthority('stranger', 'Quầy thuốc Giả Mạo');
});

after(stopServices);

async function importImage(app, png) {
  const input = await app.$('[data-testid=import-image]');
  await input.waitForExist({ timeout: 15000 });
  await input.addValue(png);
}

test('importing a QR image of a signed venue code records the visit, name intact', async () => {
  const data = tempDir('data');
  const app = await openApp(data, ours.trust);
  try {
    await screenshot(app, '01-home-empty');
    await importImage(app, ours.png);
    assert.equal(await text(app, '[data-testid=notice]'), `Đã ghi nhận: ${NAME}`);
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
    await screenshot(app, '02-home-checked-in');

    await goTo(app, 'diary');
    assert.equal(await text(app, '[data-testid=visit] .name'), NAME);
    assert.equal(
      await text(app, '[data-testid=visit] [data-testid=verified]'),
      '✓ Mã do Sở Y tế Cao Bằng cấp, đã xác thực',
    );
    await screenshot(app, '03-diary');

    await goTo(app, 'settings');
    const key = await text(app, '[data-testid=key-location]');
    if (process.env.E2E_KEY_STORE) {
      assert.match(key, new RegExp(`\\(${process.env.E2E_KEY_STORE}\\)`));
      assert.equal(existsSync(join(data, 'diary.key')), false, 'no key file beside the diary');
    }
    await screenshot(app, '04-settings');
  } finally {
    await closeApp(app, data);
  }
});

test('a code signed by an unknown key gives one clear sentence and stores nothing; a typed code works', async () => {
  const data = tempDir('data');
  const app = await openApp(data, ours.trust);
  try {
    await importImage(app, stranger.png);
    assert.equal(await text(app, '[data-testid=notice][role=alert]'), vi.errors.unknown_key);
    assert.equal(await (await app.$('[data-testid=open-visit]')).isExisting(), false);
    await screenshot(app, '05-unknown-key');
    await goTo(app, 'diary');
    assert.equal(await text(app, '[data-testid=diary-empty]'), vi.diary.empty);

    // The same person then types a good code by hand.
    await goTo(app, 'home');
    await (await app.$(`button=${vi.home.typeCode}`)).click();
    await (await app.$('#code')).setValue(ours.code);
    await screenshot(app, '09-typed-code');
    await (await app.$(`button=${vi.home.submitCode}`)).click();
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
  } finally {
    await closeApp(app, data);
  }
});

test('the visit is still there after quitting, and the file holds no plaintext', async () => {
  const data = tempDir('data');
  let app = await openApp(data, ours.trust);
  try {
    await importImage(app, ours.png);
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
  } finally {
    await closeApp(app, data);
  }

  const files = filesOf(data);
  assert.ok(files.length >= 1, 'the diary file exists');
  for (const [file, bytes] of files) {
    assert.equal(bytes.includes(Buffer.from('SQLite format 3')), false, `${file} has a plaintext header`);
    assert.equal(bytes.includes(Buffer.from(NAME)), false, `${file} holds the venue name`);
    assert.equal(bytes.includes(Buffer.from('Thục Phán')), false, `${file} holds the address`);
  }

  app = await openApp(data, ours.trust);
  try {
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
    await goTo(app, 'diary');
    assert.equal(await text(app, '[data-testid=visit] .name'), NAME);
    assert.equal((await app.$$('[data-testid=visit]')).length, 1);
  } finally {
    await closeApp(app, data);
  }
});

test('a damaged diary is reported, not replaced', async () => {
  const data = tempDir('data');
  let app = await openApp(data, ours.trust);
  try {
    await importImage(app, ours.png);
    await text(app, '[data-testid=open-visit] h2');
  } finally {
    await closeApp(app, data);
  }
  const db = join(data, 'diary.sqlite');
  const bytes = readFileSync(db);
  bytes.fill(0x41, 0, 64);
  writeFileSync(db, bytes);

  app = await openApp(data, ours.trust);
  try {
    assert.equal(await text(app, '[data-testid=startup-error]'), vi.errors.key_rejected);
    assert.equal(await text(app, '[data-testid=startup-advice]'), vi.startup.advice.key_rejected);
    await screenshot(app, '06-startup-error');
  } finally {
    await closeApp(app, data);
  }
  assert.deepEqual(readFileSync(db), bytes, 'the damaged file is left exactly as it was');
});

test('where no key store answers, the key goes to a private file and Settings says so', async () => {
  const data = tempDir('data');
  const app = await openApp(data, ours.trust, { keyStore: false });
  try {
    await importImage(app, ours.png);
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
    await goTo(app, 'settings');
    const keyFile = join(data, 'diary.key');
    assert.equal(
      await text(app, '[data-testid=key-location] .notice'),
      vi.settings.keyInFile,
    );
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    await screenshot(app, '07-settings-key-file');
  } finally {
    await closeApp(app, data);
  }
});

test('the in-app camera opens the camera and shows its view', async () => {
  const data = tempDir('data');
  const app = await openApp(data, ours.trust, { mockCamera: true });
  try {
    const ask = (constraints) =>
      app.executeAsync((c, done) => {
        if (!navigator.mediaDevices?.getUserMedia) return done('no getUserMedia');
        navigator.mediaDevices.getUserMedia(c).then((stream) => {
          stream.getTracks().forEach((t) => t.stop());
          done('granted');
        }, (e) => done(e.name));
      }, constraints);
    // WebKit's test camera skips the permission prompt, so this proves the API is on, not the
    // permission handler (which a machine with a real camera would exercise).
    assert.equal(await ask({ video: true, audio: false }), 'granted');

    await (await app.$('button=Dùng camera')).click();
    await (await app.$('video')).waitForExist({ timeout: 15000 });
    await app.waitUntil(async () => (await text(app, '#camera-title')) === vi.camera.title, {
      timeout: 15000,
      timeoutMsg: 'the camera view did not start',
    });
    await screenshot(app, '08-camera');
    await (await app.$('button=Đóng camera')).click();
    assert.equal(await (await app.$('video')).isExisting(), false);
  } finally {
    await closeApp(app, data);
  }
});

test('a venue link opens a confirmation; Check in puts it in the diary, Cancel does not', async () => {
  const data = tempDir('data');
  let app = await openApp(data, ours.trust, { link: ours.code });
  try {
    assert.equal(await text(app, '[data-testid=confirm-name]'), NAME);
    assert.equal(await text(app, '[data-testid=confirm-badge]'), 'Mã do Sở Y tế Cao Bằng cấp, đã xác thực');
    await screenshot(app, '10-confirm-link');
    await (await app.$(`button=${vi.confirm.checkIn}`)).click();
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
    await goTo(app, 'diary');
    assert.equal(await text(app, '[data-testid=visit] .name'), NAME);
  } finally {
    await closeApp(app, data);
  }

  const other = tempDir('data');
  app = await openApp(other, ours.trust, { link: stranger.code });
  try {
    assert.equal(await text(app, '[data-testid=confirm-error]'), vi.errors.unknown_key);
    await (await app.$(`button=${vi.confirm.close}`)).click();
    await goTo(app, 'diary');
    assert.equal(await text(app, '[data-testid=diary-empty]'), vi.diary.empty);
  } finally {
    await closeApp(app, other);
  }
});

test('a venue link opened while the app runs goes to it, not to a second window', async () => {
  const data = tempDir('data');
  const app = await openApp(data, ours.trust);
  try {
    await (await app.$('nav')).waitForExist({ timeout: 15000 });
    // As the desktop's URL handler starts the app again: the link as its argument, the same diary.
    const second = spawnSync(APP, ['--data-dir', data, '--trust', ours.trust, ours.code], {
      timeout: 30000,
      env: process.env,
    });
    assert.equal(second.status, 0, `the second launch did not hand over and exit: ${second.stderr}`);
    assert.equal(await text(app, '[data-testid=confirm-name]'), NAME);
    await screenshot(app, '11-confirm-second-launch');
    await (await app.$(`button=${vi.confirm.checkIn}`)).click();
    assert.equal(await text(app, '[data-testid=open-visit] h2'), NAME);
  } finally {
    await closeApp(app, data);
  }
});

test('the webview loads nothing from outside: remote scripts, images, frames, fetches and inline scripts are refused', async () => {
  // A server that counts every request: nothing the page tries may reach it.
  const { createServer } = await import('node:http');
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    res.setHeader('Content-Type', req.url.endsWith('.js') ? 'text/javascript' : 'image/png');
    res.end(req.url.endsWith('.js') ? 'window.__remote = true;' : '');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const data = tempDir('data');
  const app = await openApp(data, ours.trust);
  try {
    await text(app, 'h1');
    const outcome = await app.executeAsync((origin, done) => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const script = document.createElement('script');
      script.src = `${origin}/remote.js`;
      document.head.append(script);
      const inline = document.createElement('script');
      inline.textContent = 'window.__inline = true;';
      document.head.append(inline);
      const img = document.createElement('img');
      img.src = `${origin}/pixel.png`;
      document.body.append(img);
      const frame = document.createElement('iframe');
      frame.src = `${origin}/frame`;
      document.body.append(frame);
      let fetched = 'no';
      fetch(`${origin}/data`).then(() => { fetched = 'yes'; }, () => { fetched = 'refused'; });
      setTimeout(() => {
        script.remove(); inline.remove(); img.remove(); frame.remove();
        done({ remote: window.__remote === true, inline: window.__inline === true, fetched, violations });
      }, 1500);
    }, origin);
    assert.equal(outcome.remote, false, 'a remote script ran');
    assert.equal(outcome.inline, false, 'an inline script ran');
    assert.equal(outcome.fetched, 'refused');
    for (const directive of ['script-src', 'img-src', 'connect-src']) {
      assert.ok(outcome.violations.some((v) => v.startsWith(directive)), `no ${directive} violation: ${outcome.violations}`);
    }
    assert.equal(hits, 0, 'a request reached the outside server');
  } finally {
    await closeApp(app, data);
    server.close();
  }
});
