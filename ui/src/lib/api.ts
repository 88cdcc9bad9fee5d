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
};

export const isMobile = (platform: string) => platform === 'android' || platform === 'ios';
