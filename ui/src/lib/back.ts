// The Android back button. Each screen that can be left backwards (a visit's details, a form, the
// scanner, a venue link's confirmation, any tab but Home) adds what "back" does there while it
// shows; the newest runs. With nothing added (Home, nothing open) the app does not listen, so
// Android's own back leaves the app, as from any app's first screen. Other platforms have no back
// button: `listenOnPhones` is called only on phones.
import { onBackButtonPress } from '@tauri-apps/api/app';
import type { PluginListener } from '@tauri-apps/api/core';

type Handler = () => void;

const handlers: Handler[] = [];
let phone = false;
let listener: Promise<PluginListener | null> | null = null;

/** Phones: the back button is heard from now on, whenever a screen has added a handler. */
export function listenOnPhones() {
  phone = true;
  sync();
}

/** What back does while the caller shows; call the returned function when it no longer does. */
export function onBack(handler: Handler): () => void {
  handlers.push(handler);
  sync();
  return () => {
    const at = handlers.lastIndexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
    sync();
  };
}

/** Runs what back does now; false when nothing is open (Android then leaves the app). */
export function back(): boolean {
  const handler = handlers.at(-1);
  handler?.();
  return handler !== undefined;
}

function sync() {
  const wanted = phone && handlers.length > 0;
  if (wanted && !listener) {
    listener = onBackButtonPress(() => back()).catch((e) => {
      console.warn('the back button is unavailable', e);
      return null;
    });
  } else if (!wanted && listener) {
    const stale = listener;
    listener = null;
    void stale.then((l) => l?.unregister());
  }
}

/** Tests: forget every handler and stop listening. */
export function resetBack() {
  handlers.length = 0;
  phone = false;
  sync();
}
