// New exposure alerts become one system notification. It names the level and how many visits
// matched, never the venue or the time; and it is private (Android shows only that the app has a
// notification on a secure lock screen).
import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import type { Alert } from './api';
import { onAndroid } from './phone';

/** Android: the alerts' own notification channel, named in the person's language in the phone's settings. */
export const CHANNEL = 'exposure-alerts';

type Level = Alert['level'];

export interface Announcement {
  title: string;
  body: string;
}

/** The notification for alerts found together (their levels); the more urgent speaks for all. */
export function announcement(levels: Level[]): Announcement {
  const t = get(_);
  const level = levels.includes('test') ? 'test' : 'monitor';
  return {
    title: t('alerts.notification.title'),
    body: t(`alerts.notification.${level}`, { values: { count: levels.length } }),
  };
}

/**
 * Raises the notification for alerts a refresh found for the first time. Where notifications
 * are refused or there is no notification service, the Alerts tab and its badge still show them.
 */
export async function announce(levels: Level[]): Promise<void> {
  if (levels.length === 0) return;
  try {
    const notification = await import('@tauri-apps/plugin-notification');
    let granted = await notification.isPermissionGranted();
    if (!granted) granted = (await notification.requestPermission()) === 'granted';
    if (!granted) return;
    if (onAndroid()) {
      // Without a channel of its own, Android files the alerts under one named "Default".
      const t = get(_);
      await notification.createChannel({
        id: CHANNEL,
        name: t('alerts.channel.name'),
        description: t('alerts.channel.description'),
        importance: notification.Importance.High,
        visibility: notification.Visibility.Private,
        vibration: true,
      });
    }
    notification.sendNotification({
      ...announcement(levels),
      visibility: notification.Visibility.Private,
      ...(onAndroid() ? { channelId: CHANNEL } : {}),
    });
  } catch (e) {
    console.warn('notifications are unavailable', e);
  }
}
