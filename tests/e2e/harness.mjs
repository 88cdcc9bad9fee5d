// Starts what the end-to-end tests need: Xvfb (unless a display is set), tauri-driver (which
// drives WebKitWebDriver), a throwaway health authority made with the real `portal` binary, and
// the real desktop app, built with the custom-protocol feature so it serves its bundled UI.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { remote } from 'webdriverio';
import dbus from 'dbus-next';

export const ROOT = resolve(import.meta.dirname, '../..');
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
export const APP = process.env.VISIT_DIARY_APP ?? join(TARGET, 'debug', 'visit-diary');
export const PORTAL = join(TARGET, 'debug', 'portal');
export const SHOTS = process.env.E2E_SCREENSHOTS ?? join(ROOT, 'tests', 'e2e', 'out');

const children = [];

function freePort() {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function waitForPort(port, what, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const open = await new Promise((ok) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        ok(true);
      });
      s.on('error', () => ok(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start listening on ${port}`);
}

function start(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

const tempDirs = [];

/** A fresh folder under the system's temporary folder, removed by `stopServices`. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `visit-diary-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

let driverPort;
let noKeyStoreDriverPort;
let englishDriverPort;

export async function startServices() {
  for (const [file, what] of [[APP, 'the app (make app)'], [PORTAL, 'portal']]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build ${what} first`);
  }
  mkdirSync(SHOTS, { recursive: true });
  if (!process.env.DISPLAY) {
    // -displayfd picks a free display and tells us which; -noreset keeps the server up while
    // no app is connected between two cases.
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp', '-noreset'], {
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    });
    children.push(xvfb);
    const display = await new Promise((ok, fail) => {
      let out = '';
      xvfb.stdio[3].on('data', (d) => {
        out += d;
        if (out.includes('\n')) ok(out.trim());
      });
      xvfb.on('exit', (code) => fail(new Error(`Xvfb exited with ${code}`)));
    });
    process.env.DISPLAY = `:${display}`;
  }
  // The app follows the system's language on first start: these phones speak Vietnamese. (The
  // locales need not be installed: WebKit reads the names from the environment.)
  const vietnamese = { LANGUAGE: 'vi', LANG: 'vi_VN.UTF-8', LC_ALL: 'vi_VN.UTF-8' };
  driverPort = await startDriver({ ...process.env, ...vietnamese });
  // A second driver whose apps find no Secret Service, as on a machine without a key store.
  noKeyStoreDriverPort = await startDriver({
    ...process.env,
    ...vietnamese,
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/visit-diary-test-bus',
  });
  // A third whose system speaks English.
  englishDriverPort = await startDriver({ ...process.env, LANGUAGE: 'en_GB:en', LANG: 'en_GB.UTF-8', LC_ALL: 'en_GB.UTF-8' });
}

async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  start('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], env);
  await waitForPort(port, 'tauri-driver');
  return port;
}

export function stopServices() {
  for (const child of children.reverse()) child.kill('SIGTERM');
  // The children may still write a file while they stop: retry, and never fail the run for it.
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (e) {
      console.warn(`could not remove ${dir}: ${e.message}`);
    }
  }
}

/** The portal's first admin password in every test authority. */
export const ADMIN_PASSWORD = 'mật khẩu quản trị thử nghiệm';

/** The portal's environment: the data folder's own master key and SQLite database. */
function portalEnv() {
  const env = { ...process.env, PORTAL_ADMIN_PASSWORD: ADMIN_PASSWORD };
  delete env.PORTAL_MASTER_KEY;
  delete env.DATABASE_URL;
  return env;
}

/** Runs the real `portal` binary; returns its standard output. */
export function portal(...args) {
  return execFileSync(PORTAL, args, { encoding: 'utf8', env: portalEnv() });
}

/**
 * A real portal server (`portal serve`) on a fresh authority, on a free port.
 * Returns its data folder, trust file and address, and `stop()`, which ends the server (the
 * phone then meets no portal, as offline). With `publicUrl`, the portal is reached at that
 * address (a proxy the test runs) and `direct` is where it listens.
 */
export async function startPortal(label, { publicUrl } = {}) {
  const dir = tempDir(`portal-${label}`);
  const port = await freePort();
  const direct = `http://127.0.0.1:${port}`;
  const url = publicUrl ?? direct;
  portal('init', '--data-dir', dir, '--host', `yte.${label}.example`, '--portal-url', url);
  const server = start(PORTAL, ['serve', '--data-dir', dir, '--listen', `127.0.0.1:${port}`], portalEnv());
  await waitForPort(port, 'portal serve');
  const stop = async () => {
    const exited = new Promise((ok) => server.once('exit', ok));
    server.kill('SIGTERM');
    await exited;
  };
  return { dir, trust: join(dir, 'trust.json'), url, direct, stop };
}

/**
 * Headless Chromium from Debian, through chromedriver, at phone size. Downloads go to
 * `downloads` without asking.
 */
export async function openChromium(downloads) {
  if (!chromedriverPort) {
    chromedriverPort = await freePort();
    start('chromedriver', [`--port=${chromedriverPort}`]);
    await waitForPort(chromedriverPort, 'chromedriver');
  }
  return remote({
    hostname: '127.0.0.1',
    port: chromedriverPort,
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: {
      browserName: 'chrome',
      'wdio:enforceWebDriverClassic': true,
      'goog:chromeOptions': {
        binary: process.env.CHROMIUM ?? '/usr/bin/chromium',
        // A phone's screen: 390 × 844 CSS pixels, as the app's window.
        mobileEmulation: { deviceMetrics: { width: 390, height: 844, pixelRatio: 1 } },
        args: [
          '--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
          '--disable-background-networking', '--disable-sync',
          '--no-first-run', '--disable-component-update', '--disable-default-apps',
          '--lang=vi',
        ],
        prefs: {
          'download.default_directory': downloads,
          'download.prompt_for_download': false,
          'intl.accept_languages': 'vi',
        },
      },
    },
  });
}

let chromedriverPort;

/** A health authority in a fresh folder, and a signed venue code drawn as a QR PNG. */
export function makeAuthority(label, venueName) {
  const dir = tempDir(`authority-${label}`);
  portal('init', '--data-dir', dir, '--host', `yte.${label}.example`);
  const png = join(dir, 'venue.png');
  const out = portal(
    'venue-code', 'make', '--data-dir', dir,
    '--name', venueName,
    '--address', 'Số 2 Phố Hoàng Đình Giong, Phường Thục Phán, Cao Bằng',
    '--unit', '1273', '--sector', 'health-facility', '--png', png,
  );
  const code = out.trim().split('\n').at(-1);
  return { dir, trust: join(dir, 'trust.json'), png, code };
}

/** Opens one of the app's tabs (home, diary, alerts, share, settings). */
export async function goTo(app, tab) {
  await (await app.$(`[data-tab=${tab}]`)).click();
}

/** Another venue of an authority made by `makeAuthority`: its poster image and code. */
export function addVenue(authority, venueName, sector = 'market') {
  const png = join(authority.dir, `venue-${authority.venues = (authority.venues ?? 0) + 1}.png`);
  const out = portal(
    'venue-code', 'make', '--data-dir', authority.dir,
    '--name', venueName,
    '--address', 'Phố Xuân Trường, Phường Hợp Giang, Cao Bằng',
    '--unit', '1273', '--sector', sector, '--png', png,
  );
  return { png, code: out.trim().split('\n').at(-1) };
}

/**
 * Starts the app on `dataDir`, trusting `trustFile`, and waits for its first screen. With
 * `{ keyStore: false }` the app runs where no key store answers; with `{ mockCamera: true }` the
 * webview has WebKit's test camera; with `{ link }` the app is opened by a venue link; with
 * `{ asPhone: true }` the UI is told it runs on a phone (see phone.test.mjs).
 */
export async function openApp(dataDir, trustFile, { keyStore = true, mockCamera = false, link, english = false, asPhone = false } = {}) {
  const args = ['--data-dir', dataDir, '--trust', trustFile];
  if (mockCamera) args.push('--mock-camera');
  if (asPhone) args.push('--as-phone');
  // As a desktop URL handler starts the app: the link as a plain argument.
  if (link) args.push(link);
  const browser = await remote({
    hostname: '127.0.0.1',
    port: english ? englishDriverPort : keyStore ? driverPort : noKeyStoreDriverPort,
    logLevel: 'warn',
    connectionRetryCount: 0,
    capabilities: {
      // WebKitWebDriver refuses WebdriverIO's BiDi capabilities.
      'wdio:enforceWebDriverClassic': true,
      'tauri:options': { application: APP, args },
    },
  });
  await browser.waitUntil(
    async () =>
      (await browser.$('nav').isExisting()) ||
      (await browser.$('[data-testid=startup-error]').isExisting()) ||
      // A device in venue mode shows the door, without tabs.
      (await browser.$('[data-testid=door-venue]').isExisting()),
    { timeout: 30000, timeoutMsg: 'the app showed no screen' },
  );
  return browser;
}

/** The processes of the app running on `dataDir`. */
function appPids(dataDir) {
  try {
    return execFileSync('pgrep', ['-f', '--', `--data-dir ${dataDir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch (e) {
    if (e.status === 1) return []; // no such process
    throw e;
  }
}

/**
 * The app's names on the session bus (its single-instance name, `state::instance_id`), each with
 * the process holding it. Apps started where no bus answers hold none.
 */
async function appBusNames() {
  let bus;
  const ask = async () => {
    bus = dbus.sessionBus();
    const failed = new Promise((_, reject) => bus.on('error', reject));
    failed.catch(() => {}); // an error after the answer is nobody's
    const daemon = (
      await Promise.race([bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus'), failed])
    ).getInterface('org.freedesktop.DBus');
    const held = new Map();
    for (const name of await Promise.race([daemon.ListNames(), failed])) {
      if (!name.startsWith('org.visitdiary.app.')) continue;
      const pid = await Promise.race([daemon.GetConnectionUnixProcessID(name), failed]).catch(() => null);
      if (pid !== null) held.set(name, pid);
    }
    return held;
  };
  // A bus that does not answer (dbus-next leaves its calls pending then) is none: the wait for
  // the process still holds.
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), 3000)));
  try {
    return await Promise.race([ask(), timeout]);
  } catch (e) {
    console.warn(`the session bus did not list the app's names: ${e.message}`);
    return new Map();
  } finally {
    clearTimeout(timer);
    bus?.disconnect();
  }
}

/**
 * Ends the session and waits until the app's process has exited (it closes the diary then) and
 * the bus has let its single-instance name go: a process whose command line is gone can still
 * hold the name for a moment, and an app started on the same folder then hands its arguments to
 * that one and fails.
 */
export async function closeApp(browser, dataDir) {
  const pids = appPids(dataDir);
  const names = [...(await appBusNames())].filter(([, pid]) => pids.includes(pid)).map(([name]) => name);
  await browser.deleteSession();
  const until = Date.now() + 15000;
  while (Date.now() < until) {
    if (appPids(dataDir).length === 0) {
      const held = await appBusNames();
      if (!names.some((name) => held.has(name))) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app on ${dataDir} did not exit`);
}

export async function screenshot(browser, name) {
  await browser.saveScreenshot(join(SHOTS, `${name}.png`));
}

/**
 * A portal page at both sizes its staff use: `${name}.png` at a phone's 390 × 844 and
 * `${name}-desktop.png` at a desk's 1366 × 900 (Chromium's own device emulation, changed for the
 * one picture and put back). `selector`, if given, is scrolled to the middle of the wider page.
 */
export async function screenshots(browser, name, selector) {
  await screenshot(browser, name);
  const metrics = (width, height, mobile) =>
    browser.sendCommandAndGetResult('Emulation.setDeviceMetricsOverride', {
      width, height, deviceScaleFactor: 1, mobile,
    });
  await metrics(1366, 900, false);
  try {
    // The wider page is shorter: bring back into view what the picture is of.
    if (selector) await (await browser.$(selector)).scrollIntoView({ block: 'center' });
    await screenshot(browser, `${name}-desktop`);
  } finally {
    await metrics(390, 844, true);
  }
}

/**
 * The page as Chromium prints it, A4: `${name}.pdf`, and its first page drawn at 60 dpi by
 * poppler's `pdftoppm` as `${name}.png`, to look at.
 */
export async function printed(browser, name) {
  const { data } = await browser.sendCommandAndGetResult('Page.printToPDF', {
    paperWidth: 8.27, paperHeight: 11.69, printBackground: true,
  });
  const pdf = join(SHOTS, `${name}.pdf`);
  writeFileSync(pdf, Buffer.from(data, 'base64'));
  execFileSync('pdftoppm', ['-png', '-r', '60', '-singlefile', '-f', '1', pdf, join(SHOTS, name)]);
  return pdf;
}

export async function text(browser, selector) {
  const el = await browser.$(selector);
  await el.waitForExist({ timeout: 15000 });
  return (await el.getText()).trim();
}

export function filesOf(dir) {
  return ['diary.sqlite', 'diary.sqlite-wal']
    .map((f) => join(dir, f))
    .filter(existsSync)
    .map((f) => [f, readFileSync(f)]);
}

/**
 * Activates a button as a tap would, after scrolling it to the middle of the screen. (WebKit's
 * driver reports a click near the fixed tab bar as intercepted even when the button is visible.)
 */
export async function press(app, selector) {
  const el = await app.$(selector);
  await el.waitForExist({ timeout: 15000 });
  await el.scrollIntoView({ block: 'center' });
  await app.execute((b) => b.click(), el);
}

/**
 * Turns venue mode on in the app from Settings with the poster image at `poster` and the PIN
 * `pin`; returns when the door's screen names the venue.
 */
export async function bindDoor(app, poster, pin = '2468') {
  await goTo(app, 'settings');
  await press(app, '[data-testid=door-setup-start]');
  const input = await app.$('[data-testid=door-poster-image]');
  await input.waitForExist({ timeout: 15000 });
  await input.addValue(poster);
  await (await app.$('[data-testid=door-pin]')).setValue(pin);
  await (await app.$('[data-testid=door-pin-again]')).setValue(pin);
  await press(app, '[data-testid=door-turn-on]');
  await (await app.$('[data-testid=door-venue]')).waitForExist({ timeout: 15000 });
}

/** Waits for a new, non-empty file ending in `suffix` in `dir` (not one of `seen`). */
export async function waitForDownload(dir, suffix, seen = []) {
  const until = Date.now() + 30000;
  while (Date.now() < until) {
    const done = readdirSync(dir).find(
      (f) => f.endsWith(suffix) && !seen.includes(f) && statSync(join(dir, f)).size > 0,
    );
    if (done) return join(dir, done);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${suffix} was downloaded to ${dir}`);
}

/**
 * Fills the portal's form for a new venue in Phường Thục Phán and sends it, as a registrar
 * signed in does; `cosigns` ticks "the owner co-signs its notices". The caller waits for what
 * the portal answers.
 */
export async function registerVenue(browser, site, { name, address, sector, contact = 'Nông Văn Tổ', phone = '0206 3852 123', cosigns = false }) {
  await browser.url(`${site.url}/venues/new`);
  await (await browser.$('#name')).setValue(name);
  await (await browser.$('#address')).setValue(address);
  await (await browser.$('#commune')).selectByVisibleText('Phường Thục Phán');
  await (await browser.$('#sector')).selectByAttribute('value', sector);
  await (await browser.$('#contact_name')).setValue(contact);
  await (await browser.$('#contact_phone')).setValue(phone);
  if (cosigns) await (await browser.$('#owner_cosigns')).click();
  await (await browser.$('#save')).click();
}

/** Signs in to the portal as its first admin and gives that account `roles` as well. */
export async function adminWithRoles(browser, site, roles) {
  await browser.url(`${site.url}/login`);
  await (await browser.$('#username')).setValue('admin');
  await (await browser.$('#password')).setValue(ADMIN_PASSWORD);
  await (await browser.$('main button[type=submit]')).click();
  await (await browser.$('main a[href="/admin/users"]')).waitForExist({ timeout: 10000 });
  await browser.url(`${site.url}/admin/users/1`);
  for (const role of roles) await (await browser.$(`#role_${role}`)).click();
  await (await browser.$('main form[action="/admin/users/1"] button[type=submit]')).click();
  await (await browser.$('main .notice.ok')).waitForExist({ timeout: 10000 });
}

/**
 * Signs out of the portal and waits for the sign-in page the portal answers with, so that the
 * next page is not opened while the old session still holds.
 */
export async function signOutOfPortal(browser) {
  await (await browser.$('form[action="/logout"] button')).click();
  await (await browser.$('#username')).waitForExist({ timeout: 10000 });
}

/**
 * The admin signed in now makes a member of staff named `username` with `roles`; the browser
 * then signs in as them, changing the temporary password as the portal asks the first time.
 */
export async function signInAsNewStaff(browser, site, username, roles) {
  await browser.url(`${site.url}/admin/users/new`);
  await (await browser.$('#username')).setValue(username);
  await (await browser.$('#display_name')).setValue(username);
  for (const role of roles) await (await browser.$(`#role_${role}`)).click();
  await (await browser.$('main form[action="/admin/users/new"] button[type=submit]')).click();
  const temporary = await text(browser, '#temporary-password');
  await signOutOfPortal(browser);
  await browser.url(`${site.url}/login`);
  await (await browser.$('#username')).setValue(username);
  await (await browser.$('#password')).setValue(temporary);
  await (await browser.$('main button[type=submit]')).click();
  await (await browser.$('#current')).waitForExist({ timeout: 10000 });
  const chosen = `${ADMIN_PASSWORD} của ${username}`;
  await (await browser.$('#current')).setValue(temporary);
  await (await browser.$('#new')).setValue(chosen);
  await (await browser.$('#confirm')).setValue(chosen);
  await (await browser.$('main form button[type=submit]')).click();
  // The password page says it was changed.
  await (await browser.$('main .notice.ok')).waitForExist({ timeout: 10000, timeoutMsg: `${username}'s new password was not taken` });
}

/** Home's image import, given a poster image's path. */
export async function importImage(app, png) {
  await goTo(app, 'home');
  const input = await app.$('[data-testid=import-image]');
  await input.waitForExist({ timeout: 15000 });
  await input.addValue(png);
}

/** Checks in with a poster image, waits for the app to say so, and returns what it said. */
export async function checkIn(app, png, name) {
  await importImage(app, png);
  await app.waitUntil(async () => (await text(app, '[data-testid=notice]')).includes(name), { timeout: 15000 });
  return text(app, '[data-testid=notice]');
}

/** Sets an input's value as typing would (for inputs WebDriver cannot type into, like dates). */
export async function setField(app, selector, value) {
  await (await app.$(selector)).waitForExist({ timeout: 10000 });
  await app.execute(
    (sel, v) => {
      const el = document.querySelector(sel);
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    selector,
    value,
  );
}
