// Scanning on phones: the plugin's native scanner in windowed mode, the camera's picture under
// the transparent webview and the app's own overlay above it (Scanner.svelte: a hint, the torch,
// Cancel). On Android the scanner relies on Google Play services (ML Kit); where it fails for any
// reason but the person cancelling or refusing the camera, the caller falls back to the in-app
// camera (Camera.svelte), which decodes frames in Rust.
import { writable, get } from 'svelte/store';
import {
  scan,
  cancel,
  Format,
  checkPermissions,
  requestPermissions,
  openAppSettings,
} from '@tauri-apps/plugin-barcode-scanner';
import { torch } from './phone';

export interface ScannerState {
  /** `scanning`: the overlay over the camera; `denied`: the camera was refused, and the way to Settings. */
  view: 'off' | 'scanning' | 'denied';
  torch: boolean;
  /** The torch could not be switched on (no flash, or the phone refused): its button goes. */
  noTorch: boolean;
}

export const scanner = writable<ScannerState>({ view: 'off', torch: false, noTorch: false });

/** The answer to the refused-camera panel: true once the camera is allowed, false when closed. */
let answerDenied: ((granted: boolean) => void) | null = null;

export async function scanNative(): Promise<string> {
  let permission = await checkPermissions();
  if (permission !== 'granted') permission = await requestPermissions();
  if (permission !== 'granted') {
    // Asking again shows nothing once refused: the panel says so and leads to Settings; the scan
    // goes on if the camera is allowed there.
    const granted = await new Promise<boolean>((resolve) => {
      answerDenied = resolve;
      scanner.set({ view: 'denied', torch: false, noTorch: false });
    });
    if (!granted) throw { kind: 'camera_denied', message: 'camera permission refused' };
  }
  scanner.set({ view: 'scanning', torch: false, noTorch: false });
  document.documentElement.classList.add('scanning');
  try {
    const result = await scan({ windowed: true, formats: [Format.QRCode] });
    return result.content;
  } finally {
    document.documentElement.classList.remove('scanning');
    if (get(scanner).torch) await torch(false).catch(() => {});
    scanner.set({ view: 'off', torch: false, noTorch: false });
  }
}

/** Cancel on the overlay, or back: the scan promise rejects as cancelled. */
export async function cancelScan() {
  await cancel().catch((e) => console.warn('cancel', e));
}

export async function toggleTorch() {
  const on = !get(scanner).torch;
  // Just after the scan starts, Android's camera may still be being bound: asked again shortly.
  for (let attempt = 0; ; attempt++) {
    try {
      await torch(on);
      scanner.update((s) => ({ ...s, torch: on }));
      return;
    } catch (e) {
      if (/not ready/i.test(String(e)) && attempt < 3 && get(scanner).view === 'scanning') {
        await new Promise((r) => setTimeout(r, 300));
        continue;
      }
      scanner.update((s) => ({ ...s, torch: false, noTorch: true }));
      return;
    }
  }
}

/** "Mở Cài đặt": the app's page in the phone's settings; the scan goes on once the camera is allowed. */
export async function openSettings() {
  await openAppSettings().catch((e) => console.warn('openAppSettings', e));
  await recheckCamera();
}

/** Back from Settings (the app comes to the front again): is the camera allowed now? */
export async function recheckCamera() {
  if (!answerDenied) return;
  if ((await checkPermissions().catch(() => 'denied')) === 'granted') closeDenied(true);
}

export function closeDenied(granted = false) {
  const answer = answerDenied;
  answerDenied = null;
  if (!granted) scanner.set({ view: 'off', torch: false, noTorch: false });
  answer?.(granted);
}

/** True when the person closed the scanner or the refused-camera panel: nothing more to say or try. */
export function handled(e: unknown): boolean {
  if ((e as { kind?: string })?.kind === 'camera_denied') return true;
  const text = typeof e === 'string' ? e : String((e as { message?: string })?.message ?? e);
  return /cancel/i.test(text);
}

/**
 * The code in a share request's QR (`VDSHARE:` then the code), or null for any other text. A
 * request's QR scanned where venues are scanned is sent to the Share screen instead.
 */
export function requestCode(text: string): string | null {
  const match = /^VDSHARE:([0-9A-Za-z -]{1,40})$/i.exec(text.trim());
  return match ? match[1].trim() : null;
}
