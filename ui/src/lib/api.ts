// The app's commands, typed. Errors from Rust arrive as { kind, message }; screens translate kind.
import { invoke } from '@tauri-apps/api/core';

export interface Visit {
  id: number;
  origin: string;
  signature: 'verified' | 'unverified' | 'unsigned';
  venue_id: string | null;
  name: string;
  address: string;
  unit_code: number | null;
  sector: string | null;
  usual_stay_minutes: number | null;
  key_id: string | null;
  authority: string | null;
  time_in: string;
  time_out: string | null;
  checkout: 'tap' | 'next-scan' | 'auto' | null;
}

/** What a code says, read without storing anything. */
export interface ScannedVenue {
  origin: string;
  signature: 'verified' | 'unverified' | 'unsigned';
  venue_id: string;
  name: string;
  address: string;
  authority: string | null;
  usual_stay_minutes: number | null;
}

/** A tracer's request as the consent screen shows it, with every visit in its dates. */
export interface ShareReview {
  code: string;
  authority: string;
  department: string;
  purpose: string;
  from: string;
  to: string;
  expires: string;
  visits: Visit[];
}

/** One line of the sharing log: what left the phone, when, to whom and how. */
export interface Share {
  id: number;
  created_at: string;
  authority: string;
  department: string;
  request_id: string;
  code: string;
  purpose: string;
  date_from: string;
  date_to: string;
  visit_count: number;
  status: 'pending' | 'uploaded' | 'file' | 'refused';
  delivered_at: string | null;
  note: string | null;
  expires_at: string;
}

export interface ShareOutcome {
  share: Share;
  delivered: boolean;
  problem: AppError | null;
}

/** A visit in this diary that matched an exposure notice. */
export interface Alert {
  authority: string;
  notice_id: number;
  visit: Visit;
  window_from: string;
  window_to: string;
  level: 'monitor' | 'test';
  advice_vi: string;
  advice_en: string;
  created_at: string;
  notified: boolean;
}

export interface Refresh {
  alerts: Alert[];
  /** Alerts found by this refresh, each returned once: the UI announces them. */
  fresh: Alert[];
  problems: AppError[];
}

export type KeyLocation = { kind: 'key_store'; name: string } | { kind: 'file'; path: string };

export interface AppError {
  kind: string;
  message: string;
}

export interface AppInfo {
  version: string;
  platform: string;
  data_dir: string;
  key_location: KeyLocation | null;
  error: AppError | null;
  authorities: string[];
}

export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'kind' in e && typeof (e as AppError).kind === 'string') {
    return e as AppError;
  }
  return { kind: 'unknown', message: String(e) };
}

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  checkIn: (text: string) => invoke<Visit>('check_in', { text }),
  previewCode: (text: string) => invoke<ScannedVenue>('preview_code', { text }),
  takeLink: () => invoke<string | null>('take_link'),
  /** The image file's bytes go as the raw request body, not as JSON. */
  checkInImage: (bytes: Uint8Array) => invoke<Visit>('check_in_image', bytes),
  decodeQr: (bytes: Uint8Array) => invoke<string>('decode_qr', bytes),
  checkOut: () => invoke<Visit>('check_out'),
  openVisit: () => invoke<Visit | null>('open_visit'),
    listVisits: () => invoke<Visit[]>('list_visits'),
  fetchShareRequest: (code: string) => invoke<ShareReview>('fetch_share_request', { code }),
  shareVisits: (code: string, visitIds: number[]) =>
    invoke<ShareOutcome>('share_visits', { code, visitIds }),
  retryShare: (id: number) => invoke<ShareOutcome>('retry_share', { id }),
  saveShareFile: (id: number) => invoke<Share>('save_share_file', { id }),
    listShares: () => invoke<Share[]>('list_shares'),
    forgetShareRequest: (code: string) => invoke<void>('forget_share_request', { code }),
  refreshExposures: () => invoke<Refresh>('refresh_exposures'),
  listAlerts: () => invoke<Alert[]>('list_alerts'),
};

export const isMobile = (platform: string) => platform === 'android' || platform === 'ios';
