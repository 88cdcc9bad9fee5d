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
  checkout: 'tap' | 'next-scan' | 'auto' | 'manual' | null;
  note: string;
  /** When the citizen last corrected it. */
  edited_at: string | null;
  /** The authority has since withdrawn the venue's code (its exposure list says so). */
  withdrawn: boolean;
  /** While open: when the app gives it a time out if nobody checks out. */
  auto_out: string | null;
}

/** A check-in's answer: the new visit, and the visit the check-in closed. */
export interface CheckedIn extends Visit {
  /** Given a time out now (`next-scan`), or at the end of its stay (`auto`). */
  closed: Visit | null;
}

/** Where a page of visits ended; the next page starts after it. */
export interface PageMark {
  time_in: number;
  id: number;
}

/** A page of the diary view, newest first, and how many visits match in all. */
export interface VisitPage {
  visits: Visit[];
  total: number;
  next: PageMark | null;
}

/** A visit written or corrected by hand (a scanned visit keeps its place). */
export interface Entry {
  name: string;
  address: string;
  time_in: string;
  time_out: string | null;
  note: string;
}

export interface Retention {
  days: number;
  choices: number[];
}

export interface LockStatus {
  enabled: boolean;
  unlocked: boolean;
  biometrics: boolean;
  wait_seconds: number;
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
  /** Four digits of the sealed diary's hash, which the portal shows too; null for older shares. */
  check_digits: string | null;
  /** The visits sealed, as they went (retention removes old ones); null for shares made before
   * the list was kept. */
  visits: SentVisit[] | null;
}

/** One visit as it went into a sealed diary (a copy, kept with its share). */
export interface SentVisit {
  name: string;
  address: string;
  unit: number | null;
  venue_id: string | null;
  origin: string;
  time_in: string;
  time_out: string | null;
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
  /** Empty while the app lock is closed; `count` says how many there are. */
  alerts: Alert[];
  count: number;
  /** The level of each alert this refresh found, each returned once: the UI announces them. */
  fresh: Alert['level'][];
  problems: AppError[];
  /** Alerts withdrawn in the last days (empty while the app lock is closed). */
  withdrawn: WithdrawnAlert[];
  /** When every list was last checked; null before the first. */
  checked_at: string | null;
  /** The lock was closed as the refresh ended: `alerts` and `withdrawn` were left out. */
  withheld: boolean;
}

/** An alert the authority withdrew, and the visit it was about. */
export interface WithdrawnAlert {
  authority: string;
  notice_id: number;
  visit: Visit;
  withdrawn_at: string;
}

/** Venue mode: the venue this device records entries for. */
export interface DoorBinding {
  venue_id: string;
  name: string;
  address: string;
  authority: string;
  usual_stay_minutes: number | null;
  bound_at: string;
}

export interface DoorStatus {
  binding: DoorBinding | null;
  /** Seconds before the next PIN to leave venue mode may be tried. */
  wait_seconds: number;
  /** How many days the guestbook keeps entries, and the choices. */
  retention_days: number;
  retention_choices: number[];
}

/** What the guard checks against the card: never a name or a number. */
export type DoorCheck =
  | { card: 'id-card'; initials: string; born_year: number; sex: 'male' | 'female' }
  | { card: 'contact-card' };

export interface DoorRecord {
  direction: 'in' | 'out';
  time_in: string;
  time_out: string | null;
  check: DoorCheck;
}

export interface DoorCounts {
  inside: number;
  today: number;
  /** Entries today by local hour, 24 of them. */
  by_hour: number[];
  /** The last 14 local days, oldest first. */
  by_day: { date: string; entries: number }[];
}

/** A tracer's request to this door, as the person in charge reads it. */
export interface DoorRequestReview {
  code: string;
  authority: string;
  department: string;
  purpose: string;
  from: string;
  to: string;
  expires: string;
  /** How many entries of the window would be sent, still sealed. */
  entries: number;
}

/** A notice the venue's owner is asked to co-sign, as the door's screen shows it. */
export interface CosignReview {
  authority: string;
  venue: string;
  from: string;
  to: string;
  level: 'monitor' | 'test';
}

export interface DoorAnswer {
  code: string;
  entries: number;
  delivered: boolean;
  problem: AppError | null;
  /** The sealed answer is kept until the app closes, to save as a file. */
  can_save: boolean;
}

/** A person's contact as a personal card holds it, with where the commune is. */
export interface ShownContact {
  name: string;
  phone: string;
  commune: number;
  commune_name: string;
  province_name: string;
}

/** A personal card's code: its QR as an SVG, and whose door key it is sealed to. */
export interface CardCode {
  text: string;
  svg: string;
  authority: string;
  contact: ShownContact;
}

export interface Province {
  code: number;
  name: string;
  communes: { code: number; name: string }[];
}

export type KeyLocation = { kind: 'key_store'; name: string } | { kind: 'file'; path: string };

export interface AppError {
  kind: string;
  message: string;
  /** What some sentences need: a place and time (`duplicate_visit`), seconds (`pin_wait`). */
  detail?: Record<string, unknown>;
}

export interface AppInfo {
  version: string;
  platform: string;
  data_dir: string;
  key_location: KeyLocation | null;
  error: AppError | null;
  authorities: string[];
  /** Each trusted authority's phone line for citizens with a question, by its name, where its
   * trust file gives one: an alert's advice names it. */
  hotlines?: Record<string, string>;
  /** The system's preferred languages, most preferred first. */
  locales: string[];
}

export function toAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'kind' in e && typeof (e as AppError).kind === 'string') {
    return e as AppError;
  }
  return { kind: 'unknown', message: String(e) };
}

export const api = {
  appInfo: () => invoke<AppInfo>('app_info'),
  /** `again`: record the same venue even within 10 minutes (the citizen said yes). */
  /** `typed`: the citizen typed `text` (a venue's short code is then looked up at its portal). */
  checkIn: (text: string, again = false, typed = false) => invoke<CheckedIn>('check_in', { text, again, typed }),
  previewCode: (text: string) => invoke<ScannedVenue>('preview_code', { text }),
  takeLink: () => invoke<string | null>('take_link'),
  /** The image file's bytes go as the raw request body, not as JSON. */
  checkInImage: (bytes: Uint8Array, again = false) =>
    invoke<CheckedIn>('check_in_image', bytes, { headers: { 'x-again': again ? '1' : '0' } }),
  decodeQr: (bytes: Uint8Array) => invoke<string>('decode_qr', bytes),
  checkOut: () => invoke<Visit>('check_out'),
  openVisit: () => invoke<Visit | null>('open_visit'),
  /** A page of the diary view: `after` is the page before's `next`. */
  listVisits: (query = '', after: PageMark | null = null) =>
    invoke<VisitPage>('list_visits', after ? { query, after } : { query }),
  /** How many visits there are; with `before` (an ISO time), those that began before it. */
  countVisits: (before?: string) => invoke<number>('count_visits', before ? { before } : {}),
  getVisit: (id: number) => invoke<Visit>('get_visit', { id }),
  addManual: (entry: Entry) => invoke<Visit>('add_manual', { entry }),
  updateVisit: (id: number, entry: Entry) => invoke<Visit>('update_visit', { id, entry }),
  deleteVisit: (id: number) => invoke<void>('delete_visit', { id }),
  getRetention: () => invoke<Retention>('get_retention'),
  setRetention: (days: number) => invoke<number>('set_retention', { days }),
  /** With the app lock on: its PIN, or, with the lock closed, `forgotten` (the way back). */
  deleteAllData: (how: { pin?: string; forgotten?: boolean } = {}) => invoke<void>('delete_all_data', how),
  lockStatus: () => invoke<LockStatus>('lock_status'),
  setPin: (pin: string, current?: string) => invoke<void>('set_pin', { pin, current }),
  disableLock: (pin: string) => invoke<void>('disable_lock', { pin }),
  unlock: (pin: string) => invoke<void>('unlock', { pin }),
  unlockWithBiometrics: (reason: string) => invoke<void>('unlock_with_biometrics', { reason }),
  lockApp: () => invoke<void>('lock_app'),
  fetchShareRequest: (code: string) => invoke<ShareReview>('fetch_share_request', { code }),
  shareVisits: (code: string, visitIds: number[]) =>
    invoke<ShareOutcome>('share_visits', { code, visitIds }),
  retryShare: (id: number) => invoke<ShareOutcome>('retry_share', { id }),
  saveShareFile: (id: number) => invoke<Share>('save_share_file', { id }),
  listShares: () => invoke<Share[]>('list_shares'),
  forgetShareRequest: (code: string) => invoke<void>('forget_share_request', { code }),
  refreshExposures: () => invoke<Refresh>('refresh_exposures'),
  listWithdrawnAlerts: () => invoke<WithdrawnAlert[]>('list_withdrawn_alerts'),
  listAlerts: () => invoke<Alert[]>('list_alerts'),
  doorStatus: () => invoke<DoorStatus>('door_status'),
  doorPreview: (text: string) => invoke<ScannedVenue>('door_preview', { text }),
  doorTurnOn: (poster: string, pin: string) => invoke<DoorBinding>('door_turn_on', { poster, pin }),
  doorTurnOff: (pin: string) => invoke<void>('door_turn_off', { pin }),
  /** `again`: record leaving although the card came in less than 10 minutes ago (the guard said yes). */
  doorScan: (text: string, again = false) => invoke<DoorRecord>('door_scan', { text, again }),
  doorCounts: () => invoke<DoorCounts>('door_counts'),
  /** Needs the venue mode's PIN; returns how many entries went. */
  doorSetRetention: (days: number, pin: string) => invoke<number>('door_set_retention', { days, pin }),
  doorRequestFetch: (code: string) => invoke<DoorRequestReview>('door_request_fetch', { code }),
  /** The person in charge agreed, with the venue mode's PIN. */
  doorRequestAnswer: (code: string, pin: string) => invoke<DoorAnswer>('door_request_answer', { code, pin }),
  /** Returns the saved file's path. */
  doorRequestSave: (code: string) => invoke<string>('door_request_save', { code }),
  doorRequestForget: (code: string) => invoke<void>('door_request_forget', { code }),
  cosignRead: (text: string) => invoke<CosignReview>('cosign_read', { text }),
  cosignSign: (sheet: string) => invoke<void>('cosign_sign', { sheet }),
  cosignCancel: () => invoke<void>('cosign_cancel'),
  cardProvinces: () => invoke<Province[]>('card_provinces'),
  cardAuthorities: () => invoke<string[]>('card_authorities'),
  myContact: () => invoke<ShownContact | null>('my_contact'),
  setMyContact: (name: string, phone: string, commune: number) =>
    invoke<ShownContact>('set_my_contact', { name, phone, commune }),
  forgetMyContact: () => invoke<void>('forget_my_contact'),
  /** Sealed afresh on every call: two showings cannot be linked. */
  myCode: (authority: string | null = null) => invoke<CardCode | null>('my_code', { authority }),
  familyCard: (name: string, phone: string, commune: number, authority: string | null = null) =>
    invoke<CardCode>('family_card', { name, phone, commune, authority }),
  /** Returns the saved SVG's path. */
  saveFamilyCard: (name: string, phone: string, commune: number, authority: string | null = null) =>
    invoke<string>('save_family_card', { name, phone, commune, authority }),
};

export const isMobile = (platform: string) => platform === 'android' || platform === 'ios';
