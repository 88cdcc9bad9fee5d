import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { toAppError } from './api';

/** A QR code's SVG (from the Rust side) as an image source. */
export function qrImage(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * The field of a personal card the app refused, with its sentence; `null` for any other error
 * (the caller shows that one as a notice).
 */
export function contactProblem(e: unknown): { field: string; text: string } | null {
  const error = toAppError(e);
  if (error.kind !== 'invalid_contact') return null;
  const field = String(error.detail?.field ?? 'name');
  return { field, text: get(_)(`card.invalid.${field}`) };
}
