// Tests: a phone's plugins at the IPC boundary (the barcode scanner, the app's `phone` plugin,
// the Android back button), recording every call, for the UI's side of scanning, the back button
// and screens kept out of sight. The real plugins are Kotlin and Swift, proven on phones only.
import { mockIPC } from '@tauri-apps/api/mocks';
import type { Channel } from '@tauri-apps/api/core';

export interface FakePhone {
  calls: { cmd: string; args: Record<string, unknown> }[];
  /** The camera permission as the plugin reports it. */
  camera: 'granted' | 'denied' | 'prompt';
  /** What asking for the camera answers. */
  asked: 'granted' | 'denied';
  /** Whether the torch can be switched. */
  hasTorch: boolean;
  /** How many more torch calls answer that the camera is still being bound. */
  torchNotReady: number;
  /** Whether the device has a dialler (not an iPad, not a tablet without a phone). */
  canCall: boolean;
  /** Ends the running scan with this text. */
  scanned(text: string): void;
  /** Presses Android's back button; false when the app does not listen (Android leaves it). */
  pressBack(): boolean;
  names(): string[];
}

export function fakePhone(other: (cmd: string, args: Record<string, unknown>) => unknown = () => undefined): FakePhone {
  let pending: { resolve: (v: unknown) => void; reject: (e: unknown) => void } | null = null;
  const listeners = new Map<number, Channel<unknown>>();
  const phone: FakePhone = {
    calls: [],
    camera: 'granted',
    asked: 'granted',
    hasTorch: true,
    torchNotReady: 0,
    canCall: true,
    scanned(text) {
      pending?.resolve({ content: text, format: 'QR_CODE', bounds: null });
      pending = null;
    },
    pressBack() {
      const [channel] = [...listeners.values()].slice(-1);
      if (!channel) return false;
      channel.onmessage({ canGoBack: false });
      return true;
    },
    names() {
      return phone.calls.map((c) => c.cmd);
    },
  };
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    phone.calls.push({ cmd, args });
    switch (cmd) {
      case 'plugin:barcode-scanner|check_permissions':
        return { camera: phone.camera };
      case 'plugin:barcode-scanner|request_permissions':
        phone.camera = phone.asked;
        return { camera: phone.camera };
      case 'plugin:barcode-scanner|scan':
        return new Promise((resolve, reject) => (pending = { resolve, reject }));
      case 'plugin:barcode-scanner|cancel':
        pending?.reject('cancelled');
        pending = null;
        return null;
      case 'plugin:barcode-scanner|open_app_settings':
        return null;
      case 'plugin:phone|torch':
        if (phone.torchNotReady > 0) {
          phone.torchNotReady -= 1;
          throw 'not ready';
        }
        if (!phone.hasTorch) throw 'no torch';
        return { on: args.on };
      case 'plugin:phone|set_secure':
        return null;
      case 'plugin:phone|dial':
        if (!phone.canCall) throw 'no dialler';
        return null;
      case 'plugin:app|register_listener': {
        const channel = args.handler as Channel<unknown>;
        listeners.set(channel.id, channel);
        return null;
      }
      case 'plugin:app|remove_listener':
        listeners.delete(args.channelId as number);
        return null;
      default:
        return other(cmd, args);
    }
  });
  return phone;
}
