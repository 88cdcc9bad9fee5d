// What a check-in tells about the visit it closed: the exit time nobody tapped.
import type { Visit } from './api';
import { formatTimeToday } from './i18n';

type Translate = (key: string, options?: { values: Record<string, string> }) => string;

/**
 * The sentence for the visit a check-in or a check-out closed: closed by this scan or tap ("Đã
 * ghi giờ ra khỏi …"), or earlier, at the end of its usual stay.
 */
export function closedSentence(closed: Visit, t: Translate, lang: string): string {
  const out = closed.time_out ?? closed.time_in;
  // A visit that ended on another day (the app was not opened since) says which day.
  const values = { name: closed.name, time: formatTimeToday(out, lang) };
  // With the app lock closed the place is not sent: the sentence names only the time.
  const unnamed = closed.name === '' ? 'Unnamed' : '';
  return t(`home.${closed.checkout === 'auto' ? 'closedAuto' : 'checkedOut'}${unnamed}`, { values });
}
