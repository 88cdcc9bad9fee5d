// A desktop notification server for the end-to-end runs: it owns
// org.freedesktop.Notifications on the test's session bus (the one the app inherits) and keeps
// every notification the app raises, so a test can count them and read their words.
import dbus from 'dbus-next';

const { Interface } = dbus.interface;

class Notifications extends Interface {
  constructor() {
    super('org.freedesktop.Notifications');
    this.received = [];
  }

  GetCapabilities() {
    return ['body'];
  }

  Notify(appName, replacesId, icon, summary, body) {
    this.received.push({ appName, summary, body });
    return this.received.length;
  }

  CloseNotification() {}

  GetServerInformation() {
    return ['visit-diary-e2e', 'Visit Diary tests', '1', '1.2'];
  }

  NotificationClosed() {}

  ActionInvoked() {}
}

Notifications.configureMembers({
  methods: {
    GetCapabilities: { outSignature: 'as' },
    Notify: { inSignature: 'susssasa{sv}i', outSignature: 'u' },
    CloseNotification: { inSignature: 'u' },
    GetServerInformation: { outSignature: 'ssss' },
  },
  signals: {
    NotificationClosed: { signature: 'uu' },
    ActionInvoked: { signature: 'us' },
  },
});

/** Starts the server; returns the notifications received so far (a live array) and a stop. */
export async function notificationServer() {
  const bus = dbus.sessionBus();
  const service = new Notifications();
  bus.export('/org/freedesktop/Notifications', service);
  const reply = await bus.requestName('org.freedesktop.Notifications', dbus.NameFlag.DO_NOT_QUEUE);
  if (reply !== dbus.RequestNameReply.PRIMARY_OWNER) {
    bus.disconnect();
    throw new Error('another notification server owns org.freedesktop.Notifications on this bus');
  }
  return { received: service.received, stop: () => bus.disconnect() };
}
