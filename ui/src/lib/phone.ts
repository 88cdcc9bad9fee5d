// What only a phone does, through the app's own `phone` plugin (crates/phone): keeping the
// diary's screens out of screenshots and the app switcher, the torch while scanning, the dialler
// with an alert's hotline; and what the UI says about a file once the share sheet has it.
import { invoke } from '@tauri-apps/api/core';
import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';

let phone = false;
let android = false;

/** Called once at start with the platform the app runs on (`AppInfo.platform`). */
export function setPlatform(platform: string) {
  android = platform === 'android';
  phone = android || platform === 'ios';
  void sync();
}

/** Phones: what a desktop cannot do (the dialler, the share sheet). */
export function onPhone(): boolean {
  return phone;
}

/** Android: notification channels, the back button. */
export function onAndroid(): boolean {
  return android;
}

let holds = 0;
let secure = false;

/**
 * While the caller shows the diary's content, the screen stays out of sight: on Android
 * `FLAG_SECURE` (no screenshot, no recording, a blank card among recent apps); on iOS a cover over
 * the window in the app switcher. Nothing on desktops. Call the returned function when it no
 * longer shows.
 */
export function holdOutOfSight(): () => void {
  holds += 1;
  schedule();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holds -= 1;
    schedule();
  };
}

let scheduled = false;

/** Once the screens have settled: going from one kept screen to the next never lets go between. */
function schedule() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    void sync();
  });
}

async function sync() {
  const on = holds > 0;
  if (!phone || secure === on) return;
  try {
    await invoke('plugin:phone|set_secure', { on });
    secure = on;
  } catch (e) {
    console.warn('set_secure', e);
  }
}

/** Switches the torch of the camera the scanner holds; rejects where there is none. */
export async function torch(on: boolean): Promise<void> {
  await invoke('plugin:phone|torch', { on });
}

/**
 * Opens the phone's dialler with `number` filled in; the citizen still presses call (iOS asks
 * first). Rejects where the device cannot call.
 */
export async function dial(number: string): Promise<void> {
  await invoke('plugin:phone|dial', { number });
}

/**
 * What to say once a file was written: on desktops where it was saved (`key` takes `{path}`);
 * on phones that the share sheet is open for it.
 */
export function fileSentence(key: string, path: string): string {
  const t = get(_);
  if (!phone) return t(key, { values: { path } });
  const name = path.split(/[\\/]/).pop() ?? path;
  return t('phone.shared', { values: { name } });
}

/** Tests: back to a desktop with nothing set. */
export function resetPhone() {
  phone = false;
  android = false;
  holds = 0;
  secure = false;
}
