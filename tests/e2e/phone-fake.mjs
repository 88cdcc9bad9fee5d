// The phone's plugins faked in the real app's page, at the IPC boundary where the native ones
// would answer (the barcode scanner, the app's own `phone` plugin, Android's back button), for an
// app opened with `{ asPhone: true }`. What the native halves do is for the hosted workflow and a
// real phone (docs/phones.md).

/**
 * Puts fakes of the phone's plugins in front of the app's IPC: the calls are recorded in
 * `window.__phone.calls`, a scan waits for `__phone.scanned(text)` or the plugin's cancel, and
 * `__phone.pressBack()` fires Android's back button where the app listens for it. Tauri locks its
 * own IPC functions; on Linux they send each call with `fetch` to `ipc://localhost/<command>`,
 * and the fake answers those of the phone's plugins there, as the native plugins would.
 */
export async function fakePhone(app) {
  await app.execute(() => {
    const phone = {
      calls: [],
      camera: 'granted',
      pending: null,
      /** Channel id → the next message's index. */
      listeners: new Map(),
      scanned(content) {
        this.pending?.resolve({ content, format: 'QR_CODE', bounds: null });
        this.pending = null;
      },
      pressBack() {
        const id = [...this.listeners.keys()].at(-1);
        if (id === undefined) return false;
        const index = this.listeners.get(id);
        this.listeners.set(id, index + 1);
        window.__TAURI_INTERNALS__.runCallback(id, { index, message: { canGoBack: false } });
        return true;
      },
    };
    const channel = (value) => Number(String(value).replace('__CHANNEL__:', ''));
    const answer = (cmd, args) => {
      switch (cmd) {
        case 'plugin:barcode-scanner|check_permissions':
        case 'plugin:barcode-scanner|request_permissions':
          return { camera: phone.camera };
        case 'plugin:barcode-scanner|scan':
          return new Promise((resolve, reject) => (phone.pending = { resolve, reject }));
        case 'plugin:barcode-scanner|cancel':
          phone.pending?.reject('cancelled');
          phone.pending = null;
          return null;
        case 'plugin:barcode-scanner|open_app_settings':
          return null;
        case 'plugin:phone|torch':
          return { on: args.on };
        case 'plugin:phone|set_secure':
        case 'plugin:phone|dial':
          return null;
        case 'plugin:app|register_listener':
          phone.listeners.set(channel(args.handler), 0);
          return null;
        case 'plugin:app|remove_listener':
          phone.listeners.delete(args.channelId);
          return null;
        default:
          throw new Error(`no fake for ${cmd}`);
      }
    };
    const realFetch = window.fetch.bind(window);
    window.fetch = async (url, init) => {
      const cmd = decodeURIComponent(String(url).replace(/^ipc:\/\/localhost\//, ''));
      if (!/^plugin:(barcode-scanner|phone|app)\|/.test(cmd)) return realFetch(url, init);
      const args = init?.body ? JSON.parse(init.body) : {};
      phone.calls.push([cmd, args]);
      let ok = true;
      let body;
      try {
        body = await answer(cmd, args);
      } catch (e) {
        ok = false;
        body = e instanceof Error ? e.message : e;
      }
      return new Response(JSON.stringify(body ?? null), {
        headers: { 'Content-Type': 'application/json', 'Tauri-Response': ok ? 'ok' : 'error' },
      });
    };
    window.__phone = phone;
  });
}

/** The arguments of each call of `cmd` the fake answered, oldest first. */
export const phoneCalls = (app, cmd) =>
  app.execute((c) => window.__phone.calls.filter(([name]) => name === c).map(([, args]) => args), cmd);
