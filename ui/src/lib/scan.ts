// Scanning on phones: the plugin's native scanner. On Android it relies on Google Play services
// (ML Kit); where that fails for any reason but the user cancelling, the caller falls back to
// the in-app camera (Camera.svelte), which decodes frames in Rust.
import {
  scan,
  Format,
  checkPermissions,
  requestPermissions,
} from '@tauri-apps/plugin-barcode-scanner';

export async function scanNative(): Promise<string> {
  let permission = await checkPermissions();
  if (permission !== 'granted') permission = await requestPermissions();
  if (permission !== 'granted') throw { kind: 'camera_unavailable', message: 'permission denied' };
  const result = await scan({ windowed: false, formats: [Format.QRCode] });
  return result.content;
}

/** True when the user closed the native scanner themselves. */
export function isCancelled(e: unknown): boolean {
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
