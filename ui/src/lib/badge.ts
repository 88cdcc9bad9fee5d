type Translate = (key: string, options?: { values?: Record<string, string> }) => string;

/**
 * Where a code came from and what is known of its signature, as one line for a badge. Pass the
 * `$_` store's value so the text follows the language.
 */
export function badge(
  v: { origin: string; signature: string; authority: string | null },
  t: Translate,
): { tone: 'ok' | 'warn' | 'plain'; text: string } {
  if (v.origin === 'manual') return { tone: 'plain', text: t('diary.manual') };
  if (v.origin === 'vd1') {
    return {
      tone: 'ok',
      text: v.authority
        ? t('diary.verifiedBy', { values: { authority: v.authority } })
        : t('diary.verified'),
    };
  }
  const origin = t(`diary.origins.${v.origin}`);
  if (v.signature === 'verified') return { tone: 'ok', text: t('diary.foreignVerified', { values: { origin } }) };
  if (v.signature === 'unverified') return { tone: 'warn', text: t('diary.foreignUnverified', { values: { origin } }) };
  return { tone: 'plain', text: t('diary.foreignUnsigned', { values: { origin } }) };
}
