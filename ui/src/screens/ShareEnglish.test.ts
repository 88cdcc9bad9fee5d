// The Share screen in English: every sharing problem the Rust side sends reads as its own English
// sentence (the Vietnamese ones are in Share.test.ts).
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import { mockIPC, clearMocks } from '@tauri-apps/api/mocks';
import { locale } from 'svelte-i18n';
import Share from './Share.svelte';
import { review as fixture, visit } from '../test-fixtures';

const review = fixture([visit(1, 'Chợ Xanh')]);

beforeEach(() => locale.set('en'));
afterEach(() => {
  clearMocks();
  locale.set('vi');
});

async function askFor(code = '7KQ2-M9XD-4RTA') {
  await fireEvent.input(screen.getByLabelText('The request code the tracer read to you'), {
    target: { value: code },
  });
  await fireEvent.click(screen.getByTestId('fetch-request'));
}

test.each([
  ['share_answered', 'This request has already been answered; each request is answered once. Nothing was sent.'],
  ['share_portal_garbage', 'No proper answer came from the health authority. Nothing was sent.'],
  ['share_untrusted', 'This request cannot be verified as coming from a health authority the app trusts. Nothing was sent.'],
  ['share_expired', 'This request has expired or the tracer cancelled it. Nothing was sent.'],
  ['share_network', 'The health authority cannot be reached. Check the network and try again.'],
  ['share_unknown_code', 'No request has this code. Ask the contact tracer for the right code.'],
  ['share_portal_error', "The health authority's system has a problem. Nothing was sent. Try again later."],
  ['share_throttled', 'Too many wrong codes. Wait 15 minutes and try again.'],
  ['share_no_authority', 'The app trusts no health authority yet, so it cannot share.'],
  ['share_code_invalid', 'This code is not right. A request code has 13 characters, for example 7KQ2-M9XD-4RTA0.'],
  ['share_code_mistyped', 'One character of this code is wrong, or two are swapped. Ask the tracer to read the code again, one group at a time.'],
])('a request that fails with %s says so in English', async (kind, sentence) => {
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') throw { kind, message: 'x' };
  });
  render(Share);
  await askFor();
  await waitFor(() => expect(screen.getByTestId('share-notice')).toHaveTextContent(sentence));
  expect(screen.queryByTestId('consent')).not.toBeInTheDocument();
});

test.each([
  ['share_upload_network', 'Not sent: the health authority could not be reached. The visits you chose stay on your phone'],
  ['share_upload_failed', 'Not sent: the health authority did not take it this time. The visits you chose stay on your phone'],
  ['share_upload_answered', 'The health authority did not take it: this request had already been answered'],
  ['share_upload_expired', 'Not sent: the request expired before the diary reached the health authority'],
  ['share_upload_untrusted', 'Not sent: the app no longer trusts this recipient'],
])('after consent, an upload that fails with %s says so in English', async (kind, sentence) => {
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') return review;
    if (cmd === 'share_visits')
      return {
        share: { id: 1, visit_count: 1, department: 'Sở Y tế Cao Bằng', status: 'pending' },
        delivered: false,
        problem: { kind, message: 'x' },
      };
  });
  render(Share);
  await askFor();
  await fireEvent.click(await screen.findByTestId('consent'));
  await waitFor(() => expect(screen.getByTestId('share-notice')).toHaveTextContent(sentence));
});

test.each([
  ['share_consent_expired', 'This request expired before you agreed. Nothing was sent.'],
  ['share_not_fetched', 'The app no longer holds this request. Enter the code again.'],
])('a consent refused with %s says so in English', async (kind, sentence) => {
  mockIPC((cmd) => {
    if (cmd === 'fetch_share_request') return review;
    if (cmd === 'share_visits') throw { kind, message: 'x' };
  });
  render(Share);
  await askFor();
  await fireEvent.click(await screen.findByTestId('consent'));
  await waitFor(() => expect(screen.getByTestId('share-notice')).toHaveTextContent(sentence));
});
