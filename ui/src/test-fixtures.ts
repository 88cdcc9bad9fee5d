// What the screens' tests share: a visit as the diary returns it, an alert about one, and a share
// request as the app shows it for review.
import type { Alert, ShareReview, Visit } from './lib/api';

/** A verified visit at Phường Thục Phán on 2026-11-2`id`, 08:05 in Vietnam. */
export const visit = (id: number, name: string): Visit => ({
  id,
  origin: 'vd1',
  signature: 'verified',
  venue_id: `v${id}`,
  name,
  address: 'Phường Thục Phán',
  unit_code: 1273,
  sector: 'market',
  usual_stay_minutes: 60,
  key_id: 'k',
  authority: 'Sở Y tế Cao Bằng',
  time_in: `2026-11-2${id}T01:05:00Z`,
  time_out: null,
  checkout: null,
  note: '',
  edited_at: null,
  withdrawn: false,
  auto_out: `2026-11-2${id}T02:05:00Z`,
});

/** An alert of `authority`'s notice `notice_id` ("get tested") about the visit of that number. */
export const alert = (authority: string, notice_id: number): Alert => ({
  authority,
  notice_id,
  visit: visit(notice_id, 'Chợ Xanh Cao Bằng'),
  window_from: '2026-11-24T01:00:00Z',
  window_to: '2026-11-24T03:00:00Z',
  level: 'test',
  advice_vi: 'Hãy đi xét nghiệm.',
  advice_en: 'Get tested.',
  created_at: '2026-11-24T05:00:00Z',
  notified: true,
});

/** The request of case 12, covering `visits`. */
export const review = (visits: Visit[]): ShareReview => ({
  code: '7KQ2-M9XD-4RTA',
  authority: 'Sở Y tế Cao Bằng',
  department: 'Sở Y tế Cao Bằng',
  purpose: 'Truy vết ca bệnh số 12',
  from: '2026-11-09',
  to: '2026-11-29',
  expires: '2026-12-01T00:00:00Z',
  visits,
});
