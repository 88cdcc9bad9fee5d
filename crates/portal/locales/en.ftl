# The health authority's portal: English.
portal-name = Visit Diary · Health portal
skip-to-content = Skip to the main content
nav-label = Main navigation
nav-venues = Venues
nav-reports = Reports
nav-users = Accounts
nav-audit = Audit log
nav-password = Change password
nav-logout = Sign out
back-home = Back to the start page
save = Save
all = All
filter = Filter
pages = Pages
previous = Previous
next = Next
choose = — Choose —
form-has-errors = { $count ->
    [one] One thing in the form needs fixing.
   *[other] { $count } things in the form need fixing.
}

login-title = Sign in
login-username = User name
login-password = Password
login-submit = Sign in
login-hint = For health staff only. Forgot your password? Ask an administrator to reset it.
login-failed = Wrong user name or password.
login-disabled = This account is locked. Ask an administrator.
login-throttled = Too many failed sign-ins. Try again after { $time }.
login-session-ended = Your session has ended. Please sign in again.

home-title = Start
home-venues = Register venues and print QR posters for their doors.
home-reports = How far QR scanning has reached, by commune and sector.
home-cases = Open cases, ask citizens to share their diary, read the visits they share.
home-users = Create, lock and reset staff accounts.

password-title = Change password
password-current = Current password
password-new = New password
password-confirm = New password again
password-rule = At least 12 characters. A sentence you remember makes a good password.
password-submit = Change password
password-must-change = This is a temporary password. Choose your own before you start.
password-changed = Your password has been changed.
password-current-wrong = The current password is wrong.
password-too-short = A password needs at least 12 characters.
password-too-long = A password may have at most 256 characters.
password-same = The new password must differ from the current one.
password-mismatch = The two new passwords are not the same.

users-title = Staff accounts
user-new-title = New account
user-edit-title = Account
user-username = User name
user-display-name = Full name
user-roles = Roles
user-status = Status
user-created-at = Created
user-create = Create account
user-disable = Lock account
user-enable = Unlock account
user-reset = Reset password
user-created = The account has been created.
user-saved = Saved.
user-reset-done = The password has been reset; this account's sessions have ended.
user-temporary-password = Temporary password (shown once; hand it over in person):
user-temporary-hint = It must be changed at the first sign-in.
user-cannot-disable-self = You cannot lock your own account.
user-cannot-reset-self = To change your own password, use the Change password page.
user-reset-shown = This account's password was reset. The temporary password is shown only once, to the admin who reset it; if it was lost, reset it again.
username-rule = 3–32 characters: lower-case letters without accents, digits, dots, hyphens or underscores.
username-invalid = A user name has 3–32 lower-case letters without accents, digits, dots, hyphens or underscores.
username-taken = This user name is taken.
display-name-invalid = Enter a full name (at most 100 characters).
roles-required = Choose at least one role.
roles-keep-own-admin = You cannot remove your own admin role.
role-admin = Admin
role-registrar = Registrar
role-tracer = Contact tracer
role-reporter = Reporter
role-supervisor = Supervisor
role-admin-does = manages accounts, reads the audit log
role-registrar-does = registers venues, prints posters
role-tracer-does = works on cases
role-reporter-does = reads and downloads reports
role-supervisor-does = approves exposure notices before they are published
status-active = Active
status-disabled = Locked
status-inactive = Inactive

audit-title = Audit log
audit-user = Who
audit-action = Action
audit-from = From
audit-to = To
audit-when = When
audit-target = On
audit-detail = Detail
audit-address = Network address
audit-count = { $count ->
    [one] One entry
   *[other] { $count } entries
}
audit-bad-date = That date is not valid; write day/month/year, for example 03/12/2026.
action-login = Signed in
action-login-failed = Failed sign-in
action-login-throttled = Sign-in blocked for a while
action-login-refused-disabled = Sign-in to a locked account
action-logout = Signed out
action-password-changed = Changed password
action-password-change-failed = Password change: wrong current password
action-password-change-throttled = Password change blocked for a while
action-user-created = Created an account
action-user-edited = Edited an account
action-user-disabled = Locked an account
action-user-enabled = Unlocked an account
action-user-password-reset = Reset a password
action-venue-registered = Registered a venue
action-venue-edited = Edited a venue
action-venue-deactivated = Deactivated a venue
action-venue-activated = Reactivated a venue
action-venues-imported = Imported venues from CSV
action-poster-downloaded = Downloaded a poster
action-report-downloaded = Downloaded a report

venues-title = Venues
venues-search = Search by name or address
venues-status = Status
venues-count = { $count ->
    [one] One venue
   *[other] { $count } venues
}
venues-empty = No venue matches. Change the filters or register a new venue.
venues-poster = First poster
venues-no-poster = Poster not downloaded
venue-new-title = Register a venue
venue-edit-title = Venue
venue-register = Register
venue-registered = The venue is registered. Download its poster and put it up at the door.
venue-saved = Saved.
venue-saved-reprint = Saved. What the QR code says has changed: print a new poster.
venue-poster = QR poster
venue-poster-hint = Print on A4 and put it up at the door, at eye level.
venue-poster-small = Small, for a counter or a table:
venue-code-date = Code issued
venue-short-code = Short code
venue-short-code-hint = The short code is printed under the QR code on the poster, for people to type into the app when their phone will not scan the code.
venue-first-poster = First poster downloaded
venue-updated = Last changed
venue-deactivate = Deactivate venue
venue-deactivate-hint = An inactive venue gets no posters and is left out of the reports. Its QR code is withdrawn: a phone that scans an old poster is warned once it has downloaded the next list of notices.
venue-activate = Reactivate
venue-stay-hint = Minutes visitors usually stay (5–720). Leave empty for the sector's usual stay.
venue-inactive-poster = This venue is inactive, so it gets no poster.
venue-field-name = Venue name
venue-field-address = Address
venue-field-commune = Commune or ward
venue-field-district = District
venue-field-sector = Sector
venue-field-usual-stay = Usual stay (minutes)
venue-field-contact-name = Contact person
venue-field-contact-phone = Contact phone
venue-name-required = Enter the venue's name.
venue-name-too-long = The name is longer than 200 characters.
venue-address-required = Enter the address.
venue-address-too-long = The address is longer than 300 characters.
venue-commune-required = Choose the commune or ward.
venue-commune-unknown = This commune or ward is not in the province's official list of units.
venue-commune-merged = { $old } became part of { $into } on 1 July 2025: write the new commune.
venue-commune-merged-several = Several former communes were called { $old }; on 1 July 2025 they became part of different communes (by former district): { $into }. Write the new commune.
venue-district-unknown = This district is not in the province's official list of units.
venue-commune-ambiguous = The name { $name } is used in { $count } districts: { $places } (commune codes in brackets). Add a district column (district or huyen), or give the commune's code instead of its name.
venue-commune-ambiguous-name = "{ $name }" could be { $count } communes or wards: { $places } (codes in brackets). Give the full name or the code.
venue-commune-not-in-district = { $commune } is not in { $district }. A commune or ward of that name is in: { $places } (commune codes in brackets).
venue-sector-unknown = Choose a sector from the list.
venue-stay-invalid = The usual stay is a number of minutes from 5 to 720.
venue-contact-required = Enter the contact person's name.
venue-contact-too-long = The contact name is longer than 100 characters.
venue-phone-invalid = A phone number starts with 0 or +84, then 9–10 digits.
venue-duplicate = This commune already has a venue with the same name and address.
venue-too-long-for-qr = The name and address are too long for an easily scanned QR code; shorten them.
sector-state-agency = State agency
sector-school = School
sector-health-facility = Health facility
sector-market = Market
sector-shop = Shop
sector-restaurant-cafe = Restaurant or café
sector-accommodation = Accommodation
sector-transport = Transport
sector-factory = Factory
sector-religious-site = Religious site
sector-other = Other

import-title = Import from CSV
import-file = CSV file (UTF-8)
import-file-hint = At most 10 MB and 50,000 rows. The first line names the columns.
import-submit = Upload and check
import-columns = Columns
import-commune-hint = the commune's GSO code, or its name
import-district-hint = name or code of the district; optional, but needed where a commune's name occurs in more than one district (e.g. Xã Vĩnh Quang is in Thành phố Cao Bằng and in Huyện Bảo Lâm)
import-sector-hint = the sector's name (e.g. "Shop") or code (e.g. shop)
import-stay-hint = optional; minutes visitors usually stay
import-template = Download a template
import-all-or-nothing = Every row is checked first. If any row is wrong, no row is saved: fix the file and upload it again. If every row is right, you look over the rows before saving them.
import-progress = Progress
import-running = Checking…
import-saving = Saving…
import-preview = Check before saving
import-checked = Every row is right: { $count ->
    [one] one venue,
   *[other] { $count } venues,
}
import-checked-communes = in { $count ->
    [one] one commune.
   *[other] { $count } communes.
}
import-preview-hint = Nothing is saved yet. Look over the rows below, then press Save; if something is wrong, press Do not save, correct the file and upload it again.
import-preview-more = … and { $count ->
    [one] one more row.
   *[other] { $count } more rows.
}
import-contact = Contact
import-save = Save { $count ->
    [one] one venue
   *[other] { $count } venues
}
import-cancel = Do not save
import-cancelled = Dropped: no venue of this file was saved.
import-interrupted = The import stopped halfway (the portal restarted?). No venue of this file was saved: upload the file again.
import-show-venues = Show the venues just imported
import-posters = Download the posters of { $count ->
    [one] this venue
   *[other] these { $count } venues
} (PDF)
import-posters-parts = Too many venues for one file of posters: in the list of the venues just imported, download their posters in parts.
import-done = { $count ->
    [one] One venue saved.
   *[other] { $count } venues saved.
}
import-failed = Nothing was saved: these rows need fixing
import-row = Row
import-column = Column
import-problem = Problem
import-more-errors = { $count } more problems are not shown here.
import-again = Upload the fixed file
import-not-utf8 = The file is not UTF-8. In Excel, save it as "CSV UTF-8".
import-unreadable = This CSV file cannot be read.
import-missing-columns = The file lacks a required column. Compare it with the template.
import-too-many-rows = The file has more than 50,000 rows; split it into several files.
import-empty = The file is empty. Choose a file with a row of column names and at least one row of venues.
import-too-large = The file is larger than 10 MB.
import-no-file = Choose a CSV file.
import-duplicate = A venue with the same name and address is already registered (or on an earlier row) in the same commune.
import-row-error = Row { $row }: { $message }

coverage-title = Roll-out coverage
coverage-with-poster = Venues with a poster downloaded
coverage-registered = Venues registered
coverage-communes-covered = Communes with a venue whose poster was downloaded
coverage-covered-short = With one downloaded
coverage-communes = Communes
coverage-download = Download
coverage-by-commune = By commune
coverage-by-district = By district
coverage-by-sector = By sector
coverage-by-week = By week
coverage-chart = Chart
coverage-chart-title = Venues with a poster downloaded, week by week
coverage-chart-axis = Weeks starting on Monday
coverage-weeks-note = Each week counts the venues with a poster downloaded that were still active at its end: a deactivated venue still counts in the weeks before it was deactivated. A venue activated again counts in every week since its first poster.
coverage-none-yet = No venue's poster has been downloaded yet.
coverage-uncovered = Communes with no venue whose poster was downloaded: { $count }
coverage-all-covered = Every commune is covered.
csv-district-code = District code
csv-district = District
csv-commune-code = Commune code
csv-commune = Commune
csv-registered = Registered
csv-with-poster = Poster downloaded
csv-communes = Communes and wards
csv-communes-covered = Communes and wards with a poster downloaded
csv-sector = Sector code
csv-sector-name = Sector
csv-week = Week (Monday)
csv-new-posters = First poster downloaded
csv-total-posters = Total with a poster downloaded

error-not-found-title = Not found
error-not-found = There is no such page.
error-forbidden-title = Not allowed
error-forbidden = Your account does not have the role this page needs.
error-csrf-title = The form has expired
error-csrf = This form is old or did not come from the portal. Go back, reload the page and send it again.
error-conflict-title = Cannot do that
error-internal-title = Something went wrong
error-internal = The server ran into an error; nothing was changed. Try again later.
error-bad-request-title = The request cannot be read
error-bad-request = This address or form holds a value the portal cannot read (for example a page number that is not a number, or a field sent twice). Go back, reload the page and try again.
error-method-title = Not possible at this address
error-method = This address does not take that kind of request. Go back and use the button on the page.
error-too-large-title = Too large
error-too-large = The file or form sent is larger than the portal takes. Split the file and send it again.

nav-cases = Cases
cases-title = Cases
case-title = Case
case-open = Open a new case
case-label = Case label
case-label-hint = For example "Case 12 – Thục Phán ward". No name or papers of the citizen are needed.
case-notes = Notes
case-opened = Opened
case-requests = Requests
case-answered = Answered
cases-empty = No cases yet.
case-label-invalid = Enter a case label (at most 100 characters).
case-notes-too-long = The notes are longer than 5,000 characters.
case-visits = Shared visits
case-outside = { $count ->
    [one] One visit a phone sent lies outside the period asked for, so it is not shown or used for the case: the citizen agreed to share that period only.
   *[other] { $count } visits phones sent lie outside the period asked for, so they are not shown or used for the case: the citizen agreed to share that period only.
}
case-unreadable = { $count ->
    [one] One diary does not open with the department's key.
   *[other] { $count } diaries do not open with the department's key.
}
case-no-visits = No diary has been shared for this case yet.
case-export = Download CSV
case-time = In–out
case-overlaps = Other cases at the same place and time
case-overlaps-hint = This page opens other cases' shared diaries to compare them; each opening is recorded in the audit log.
overlaps-title = Other cases at the same place and time
overlaps-intro = Other cases that were at one of this case's venues at an overlapping time. A visit never checked out counts as the venue's usual stay (or 2 hours), and no stay counts for more than a day.
overlaps-compared = { $count ->
    [one] Opened 1 diary of another case whose dates overlap to compare it; the opening was recorded in the audit log.
   *[other] Opened { $count } diaries of other cases whose dates overlap to compare them; each opening was recorded in the audit log.
}
overlaps-none = No other case was at the same place at an overlapping time.
overlaps-nothing-to-compare = This case has no shared visit with a venue code to compare.
overlaps-venue = Venue
overlaps-this-case = This case
overlaps-other-case = Other case
overlaps-their-time = The other case's time
overlaps-both = There together
share-requests = Diary sharing requests
share-read-code = Read this code to the citizen, or let them scan the QR:
share-qr-alt = QR code of the request
share-status = Status
share-check-digits = Check digits
share-check-digits-hint = Ask the sender for the 4 digits their app shows. If they differ, this diary is not the one they sent.
share-status-waiting = Waiting
share-status-answered = Diary received
share-status-expired = Expired
share-retention = Retention
share-deleted-after = Deleted from { $date } ({ $days } days after it came), with the request's key
share-deleted-on = Deleted at { $date } at the end of its retention: it can no longer be opened
share-status-deleted = Received, then deleted
share-range = Period
share-purpose = Purpose
share-purpose-hint = The citizen reads this before agreeing.
share-expires = Expires
share-file = Or upload the .vdshare file the citizen gave you
share-file-submit = Upload the file
share-new = New sharing request
share-from = From
share-to = To
share-from-time = From (time on the first day)
share-to-time = Until (time on the last day)
share-time-hint = Leave empty for whole days. Vietnam time.
share-time-invalid = That time is not valid (for example 14:30).
share-hours = Valid for (hours)
share-create = Create the request and its code
share-request-created = The request is ready. Read the code to the citizen.
share-file-received = The diary from the file has been received.
share-date-invalid = That date is not valid; write day/month/year, for example 03/12/2026.
share-range-backwards = The end must come after the start.
share-range-too-far = The dates must lie within the last 60 days, not after today.
share-purpose-invalid = Say what the diary is for (at most 500 characters).
share-hours-invalid = Valid for 1 to 336 hours.
share-file-missing = Choose a .vdshare file.
share-file-not-for-request = This file is not a diary sealed for this request.
share-already-answered = This request has already received a diary; each request is answered once.
share-expired = This request has expired.
delivered-upload = sent by the app
delivered-file = received as a file
origin-vd1 = Department QR code
origin-nz-covid-tracer = NZ COVID Tracer
origin-nhs-covid19 = NHS COVID-19
origin-cwa = Corona-Warn-App
origin-manual = Entered by hand (no code)
csv-day = Day
csv-time-in = In
csv-time-out = Out
csv-venue = Venue
csv-address = Address
csv-venue-id = Venue ID
csv-origin = Code from
csv-request = Request code
action-case-opened = Opened a case
action-share-request-created = Created a sharing request
action-diary-opened = Opened a shared diary
action-diary-opened-overlap = Opened another case's diary to find overlaps
action-diary-unreadable = Tried to open a shared diary that would not open
action-diary-exported = Downloaded a shared diary (CSV)
action-diary-received-file = Received a diary as a file
action-diary-received = Received a diary from the app
action-share-codes-throttled = Too many wrong request codes from one address, or beginning alike: blocked for a while

notice-make = Make an exposure notice for this visit
notice-from = From
notice-to = To
notice-level = Level
notice-level-monitor = Monitor your health
notice-level-test = Get tested
notice-advice-vi = Advice (Vietnamese)
notice-advice-en = Advice (English)
notice-save-draft = Save as draft
notices-title = Exposure notices
notices-empty = No notices yet. Make one from a visit above, review it, then publish.
notice-publish = Publish
notice-retract = Retract
notice-drafted = Draft saved. Review it, then publish.
notice-published = Published. Phones get it with their next download of the list.
notice-retracted = The notice has been retracted.
notice-venue-unknown = Notices can only name venues this portal registered.
notice-window-invalid = The window is not valid: it must end after it starts.
notice-level-invalid = Choose the notice's level.
notice-advice-invalid = Write the advice in both languages (at most 1,000 characters).
draft = Draft
published = Published
retracted = Retracted
action-notice-drafted = Drafted an exposure notice
action-notice-published = Published an exposure notice
action-notice-retracted = Retracted an exposure notice
action-notice-cosigned = The venue's owner co-signed a notice
action-answers-deleted = Deleted diaries and guestbooks past their retention
action-door-request-created = Created a request to a venue's door
action-guestbook-opened = Opened a door's guestbook
action-guestbook-opened-overlap = Opened a door's guestbook to find overlaps
action-guestbook-unreadable = Tried to open a door's guestbook that would not open
action-guestbook-received = Received a guestbook from a venue's door
action-guestbook-received-file = Received a door's guestbook as a file
door-requests-title = Ask a venue's door
door-requests-intro = A venue in venue mode records who comes in by their ID card or personal card, sealed at once. Ask the venue for the people there during a window; the person in charge types the code on the door's device and agrees to send.
door-ask = Ask this venue's door
door-venue = Venue ID
door-venue-hint = The venue ID (like 6f1c1ef2-…) is shown on the door device's screen, and ends the address of the venue's page in the venue list (/venues/…). For a venue among the visits above, use that visit's "Ask this venue's door" button.
door-from = From
door-to = To
door-purpose-hint = The person in charge of the venue reads this before agreeing.
door-create = Create the request and code for the venue
door-request-created = Request created. Read the code to the person in charge of the venue, to type on the door's device.
door-read-code = Read this code to the person in charge of the venue, to type on the door's device, or let the device scan the QR code:
door-window = Window
door-file = Or upload the guestbook file the venue gave you
door-venue-unknown = No venue with this ID is in the department's register.
door-window-invalid = Enter a start and an end; the end must come after the start.
door-window-too-long = A window lasts at most 7 days.
door-window-when = The window must have begun, end no later than now, and lie within the last 60 days.
door-guestbook = People recorded at the door
door-guestbook-hint = The people a venue's door recorded in the window asked. Each view of this page opens the guestbook again and is written to the audit log.
door-person = Person
door-number = ID card or phone number
door-detail = Date of birth and sex, or commune code
door-source = Recorded by
door-source-id-card = ID card
door-source-printed = Printed personal card
door-source-app = My code (app)
door-source-unreadable = Personal card the department's key does not open
door-guestbook-empty = No venue has sent its door's guestbook for this case yet.

nav-cards = Personal cards
action-contact-card-made = Made a personal card
card-new-title = Print a personal card
card-title = Personal card
card-intro = Personal cards are for people without a smartphone (elderly people, children). A venue's door device scans the card; the name, phone number and commune in its QR are sealed for the health authority only, so the guard compares the name printed on the card.
card-no-door-key = This portal has no door key to seal personal cards to yet: run portal init again on the server.
card-field-name = Full name
card-name-hint = As on their identity papers; printed large on the card for the guard to compare.
card-field-phone = Phone number
card-phone-hint = Their own number or a relative's, for the health authority to call when needed.
card-field-commune = Commune of residence
card-make = Make the card
card-nothing-kept = The portal keeps neither the name nor the phone number: the card is shown once, to print; the audit log records only that a card was made, and for which commune.
card-name-required = Enter the full name.
card-name-invalid = A name is letters (with their accents), spaces and ' - . between them, starting with a letter, at most 100 characters.
card-print-hint = The card is made. Use the browser's Print command (Ctrl+P, or ⌘P on a Mac) at 100% scale: only the card prints, at ID-card size, 85.6 × 54 mm. Cut along its border, and laminate it if you can.
card-sealed-hint = The QR holds this person's name, phone number and commune, sealed with the health authority's key: neither the door device nor the guard can read it. The portal does not keep the card; if it is lost, make another.
card-another = Make another card
# Printed on the card in both languages, whatever the page's language.
card-kind = Thẻ cá nhân · Personal card
card-show-at-door = Đưa thẻ này cho người bảo vệ quét ở cửa ra vào. / Show this card at the door.
card-sealed = Mã QR chứa họ tên, số điện thoại và xã, phường; chỉ cơ quan y tế đọc được. / The QR holds the name, phone and commune; only the health authority can read it.
venue-link-title = Record where you go with Visit Diary
venue-link-unknown = This QR code belongs to a venue. Open it with the Visit Diary app.
venue-link-venue = The venue:
venue-link-private = The venue's name is read here in your browser; this page sends nothing, and the health authority does not learn which code you scanned. The code is not verified here: the app verifies it.
venue-link-steps-title = How to record your visit
venue-link-step-install = Install the Visit Diary app (Nhật ký ra vào on Google Play or the App Store).
venue-link-step-scan = Open the app and scan this QR code again; or open this link again, and the phone opens the app.
venue-link-step-again = Confirm the venue's name in the app. The diary is encrypted and stays on your phone.
venue-link-authority = Code issued by the health authority:
local-host-warning = This portal writes the host "localhost" into venue codes: for trying it out only. Posters printed now will not open on a phone. Set "host" in authority.json to the authority's domain and restart the portal.

# Four eyes on exposure notices (issue 18).
nav-notices = To approve
notices-awaiting-title = Notices to approve
notices-awaiting-hint = An exposure notice reaches phones only when someone other than who drafted it reviews the case and presses Publish.
notices-awaiting-empty = No notice is waiting for approval.
notice-drafted-by = Drafted by
notice-awaiting = Waiting for a supervisor other than who drafted it to publish it.
notice-other = A notice for another venue (supervisors)
notice-other-hint = Only when the case was at a venue its shared visits do not name, for example as told over the phone. The reason goes into the audit log, and another supervisor still has to publish it.
notice-reason = Reason
notice-window-future = The window must end before now: a notice says where a case was.
notice-window-too-long = A window is at most 24 hours.
notice-venue-not-in-case = A notice can only name a venue in this case's visits or its doors' guestbooks.
notice-reason-missing = Give a reason (at most 500 characters) for a venue outside the case's visits.
notice-own-draft = Whoever drafted a notice cannot publish it: another supervisor must.
action-notice-drafted-override = Draft an exposure notice for a venue outside the case
action-diary-opened-notice = Open shared diaries to check a notice's venue

# The venue co-signature
venue-field-owner-cosigns = The venue's owner co-signs alerts
venue-owner-cosigns-hint = If ticked, the portal makes the owner's own key and prints it once on an owner sheet; the portal does not keep it. Phones then alert the venue's visitors only when both the health authority and the owner confirm a notice. This cannot be changed after registration.
venue-owner-cosigns-yes = Yes: phones take only notices the owner has signed
owner-sheet-title = Owner sheet
owner-sheet-heading = Owner sheet: keep it private, do not put it on the door
owner-sheet-once = This page is shown once. Print it now and hand it to the owner in person; the portal does not keep the key on the sheet, so it cannot be printed again.
owner-sheet-step-keep = Keep this sheet as you would a key: whoever holds it can sign for the owner.
owner-sheet-step-sign = When a health worker asks you to co-sign an alert: open Visit Diary in venue mode, tap “Co-sign an alert”, scan the code on the health worker's screen, then scan the code on this sheet.
owner-sheet-step-lost = If the sheet is lost, tell the health authority at once: the venue must be registered again and get a new poster.
owner-sheet-print = Print this page with the browser's Print command (Ctrl+P, or ⌘P on a Mac).
owner-sheet-to-venue = Go to the venue's page
notice-cosigned = The venue's owner has co-signed this notice.
notice-cosign-waiting = Waiting for the venue's owner to co-sign.
notice-cosign-hint = This venue is registered with its owner's key: phones alert its visitors only if the owner agrees too. Let the owner scan this code with the venue's device in venue mode (Co-sign an alert); the code can be used for 24 hours; reload the page for a new one.
notice-awaiting-owner = It can be approved only after the venue's owner co-signs.
notice-not-cosigned = The venue's owner has not co-signed this notice yet, so it cannot be published.

# Confirmation pages: nothing irreversible in one click
confirm-back = Back
confirm-cancel = No, go back
confirm-lock-title = Lock this account?
confirm-lock-sessions = This person is signed out at once on every device and can no longer sign in.
confirm-lock-undo = An admin can unlock it later; the password and roles stay as they are.
confirm-lock-already = This account is already locked.
confirm-reset-title = Reset this account's password?
confirm-reset-old = The current password stops working, and this person is signed out on every device.
confirm-reset-new = The next page shows a temporary password, once: hand it over in person; it must be changed at the first sign-in.
user-locked = Locked the account { $name }; its sessions have ended.
user-unlocked = Unlocked the account { $name }.
confirm-deactivate-title = Deactivate this venue?
confirm-deactivate-code = The QR code on every poster of the venue is withdrawn: a phone that scans it is warned once it has downloaded the next list of notices, and no new poster can be printed.
confirm-deactivate-reports = The venue is left out of the coverage reports.
confirm-deactivate-undo = It can be reactivated later. The visits already in citizens' phones stay, marked as withdrawn until it is reactivated.
confirm-deactivate-already = This venue is already inactive.
venue-deactivated = Deactivated { $name }; its QR code is withdrawn.
venue-activated = Reactivated { $name }; print a new poster if needed.
confirm-publish-title = Publish this notice?
confirm-publish-phones = The phones of people who checked in at this venue during the time above will show an alert with the advice above when their app next downloads the list: when it is opened or brought to the front, and every 3 hours while it is open. A phone whose app is not opened gets nothing.
confirm-publish-undo = It can be retracted later, but whoever received the alert may already have read it.
confirm-retract-title = Retract this notice?
confirm-retract-phones = Phones remove this alert when their app next downloads the list. The app does not tell the person the alert was withdrawn: if it matters, contact them.
confirm-retract-undo = A retracted notice cannot be published again: to alert again, draft a new notice.
confirm-notice-venue = Venue
confirm-notice-window = Time span
confirm-not-draft = This notice is no longer a draft, so it can no longer be published.
confirm-not-published = This notice is not published, or has been retracted.
placeholder-date = dd/mm/yyyy
placeholder-datetime = dd/mm/yyyy hh:mm
placeholder-time = hh:mm
notice-back-to-case = Back to the case
notice-form-title = Draft an exposure notice
notice-edit-title = Edit a draft notice
notice-form-hint = The notice tells phones when the case was at this venue. Once saved it is a draft: a supervisor other than its author publishes it.
notice-window-hint = Write day/month/year hour:minute, Vietnam time (for example 03/12/2026 09:30). The window must end before now and last at most 24 hours.
notice-advice-hint = When the level changes, the proposed advice changes with it. If you edited the advice, check that it fits the level.
notice-default-advice-test = You were at the same place as a confirmed case. Get tested at the nearest health station and watch your health for 14 days.
notice-default-advice-monitor = You were at the same place as a confirmed case. Watch your health for 14 days; with fever, cough or shortness of breath, tell your local health station.
notice-advice-other-level = This is the proposed advice of the other level; it does not fit the level chosen. Edit the advice or choose the level again.
notice-preview = What phones will show
notice-preview-hint = Each person sees the notice in their phone's language. On the phone, the venue's name and the time are those of the person's own visit in their diary.
notice-preview-vi = A phone in Vietnamese
notice-preview-en = A phone in English
notice-preview-venue = (venue)
notice-edit = Edit
notice-delete = Delete draft
notice-edited = Draft edited. It replaces the old draft; a supervisor who neither drafted nor edited it publishes it.
notice-deleted = Draft notice deleted.
confirm-delete-notice-title = Delete this draft notice?
confirm-delete-notice-phones = A draft never reached any phone; once deleted, nobody will receive this notice.
confirm-delete-notice-undo = The draft cannot be restored; to notify later, draft a new one. The audit log records the deletion.
action-notice-edited = Edited a draft exposure notice
action-notice-deleted = Deleted a draft exposure notice
phone-alert-level-monitor = Monitor your health
phone-alert-level-test = Get tested
phone-alert-visit = Visit: { $name }, { $time }
phone-alert-window = Time of risk: { $from } – { $to }
phone-alert-next = What to do: follow the advice above, wear a mask, limit contacts. With symptoms, tell the health station of your commune or ward. If you find it hard to breathe, call the ambulance on 115.
phone-alert-next-hotline = What to do: follow the advice above, wear a mask, limit contacts. With symptoms, call the hotline of { $authority } on { $hotline }, or tell the health station of your commune or ward. If you find it hard to breathe, call the ambulance on 115.
slip-title = Slip for the citizen
slip-print-hint = Print this page (Ctrl+P, or Print in the browser) and hand the slip to the citizen. It works only until the request expires.
share-print-slip = Print a slip for the citizen
share-cancel = Cancel request
share-code = Request code
share-status-cancelled = Cancelled
share-request-cancelled = Request cancelled. Its code no longer works.
confirm-cancel-request-title = Cancel this sharing request?
confirm-cancel-request-phones = The code stops working: a phone that opens or sends with it is told the request is closed, and nothing is received.
confirm-cancel-request-undo = It cannot be reopened; if the diary is still needed, make a new request. The audit log records the cancellation.
confirm-cancel-request-closed = This request is already closed (answered, expired or cancelled), so there is nothing to cancel.
action-share-request-cancelled = Cancelled a sharing request
password-guessable = This password is easy to guess: a common password, a run of keys or digits, a repeat, or based on your name. Use a long phrase only you know, for example a few unrelated words.
dashboard-title = Overview
dashboard-accounts = Active accounts
dashboard-locked = { $count ->
    [one] 1 account locked
   *[other] { $count } accounts locked
}
dashboard-failures = Failed sign-ins in the last 7 days
dashboard-venues = Active venues
dashboard-with-poster = { $count } with a poster downloaded
dashboard-requests = Sharing requests waiting
dashboard-notices = Exposure notices published
dashboard-drafts = { $count ->
    [one] 1 draft awaiting approval
   *[other] { $count } drafts awaiting approval
}
dashboard-hint = Counts only, naming no citizen. Open the number of accounts or of failed sign-ins for the details.
import-value = Value in the file
import-value-empty = (empty)
venue-name-formula = A name cannot begin with =, +, - or @ (a spreadsheet would take it for a formula). Remove that character or put a word before it.
action-venues-exported = Downloaded the venue list (CSV)
venues-export = Download the list (CSV)
venues-poster-filter = Poster
venues-poster-yes = Downloaded
venues-poster-no = Not downloaded
venues-sort-hint = Select a column's heading to sort by it.
notice-unchanged = Nothing changed: the draft stays as it was.
notice-edit-cosign = Once edited, the venue owner's co-signature (if given) no longer counts: the owner signs the new version again.
notice-window-too-old = This window is more than 60 days ago: phones no longer keep visits that old, so nobody would receive the notice.
import-no-rows = The file has only the row of column names, and no row of venues.
units-note-2021 = Administrative units in use: { $province }, the 2021 list (province, district, commune).
units-note-2025 = Administrative units in use: { $province }, the list in force from 01/07/2025 (province and commune, no districts).
audit-case = Case «{ $label }»
audit-case-gone = Case no. { $id }
audit-replaces = , replacing draft no. { $id }
audit-venue = , venue «{ $name }»
audit-reason = ; reason: { $reason }
audit-in-words = In words
audit-export = Download (CSV)
audit-times = { $count ->
    [one] once
   *[other] { $count } times
}
action-audit-exported = Downloaded the audit log (CSV)
coverage-as-of = Figures as of
coverage-print-hint = Print this page (Ctrl+P) for a paper report: the print leaves out the navigation and keeps the date and time of the figures.
coverage-as-of-day = Figures to the end of { $day }
coverage-as-of-label = Figures to the end of (day/month/year)
coverage-as-of-hint = Leave empty for today's figures. For a past day, venues are counted by the day they were registered, first downloaded a poster and were deactivated; communes and sectors are today's.
coverage-as-of-show = Show
coverage-as-of-unreadable = This date does not read: write day/month/year, for example 30/11/2026.
coverage-as-of-future = This day has not come yet: the report counts up to today.
coverage-report-file = Report as an administrative document
coverage-report-file-hint = In the format of Decree 30/2020/NĐ-CP, in Vietnamese: DOCX to edit, number and sign; PDF to read and print.
venue-text-undrawable = The poster cannot print these characters (they would be empty boxes on paper): { $chars }. Remove them or write them in words.
venues-posters = { $count ->
    [one] Download the poster of this venue (PDF)
   *[other] Download the posters of these { $count } venues (PDF)
}
venues-posters-filter = One file holds at most { $count } posters: filter the list (by commune, sector, or "not downloaded") to download posters in bulk.
venues-posters-parts = Or download them in parts, in the list's order (one PDF each):
venues-one-import = Showing the venues of one CSV import.
venues-all-venues = Show every venue
venues-posters-too-many = The list has more than { $max } venues: filter it further and download again.
venues-posters-none = The list has no active venue, so there is no poster to download.
action-posters-downloaded = Downloaded posters in bulk
audit-csv-cut = The file stops at the newest { $max } entries; filter by day for older ones.
report-venues-title = Venues behind a number
report-venues-all = Active venues in { $place }
report-venues-with-poster = Venues in { $place } whose poster was downloaded
report-venues-none = No venue.
