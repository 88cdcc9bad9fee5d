"""The portal's staff, for the benchmark's load section: signed in through the portal's plain
HTML forms, as a browser would be (the session cookie, each form's CSRF token, no redirects
followed)."""

import html
import time
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request


class Staff:
    """A signed-in staff member of the portal, through its plain HTML forms."""

    def __init__(self, url):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path):
        with self.opener.open(self.url + path) as r:
            return r.read().decode()

    def post(self, path, fields, page=None):
        page = page if page is not None else self.get(path if not path.endswith(("/requests", "/notices")) else "/cases")
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**fields, "csrf": token}, doseq=True).encode()
        request = urllib.request.Request(self.url + path, data=body, method="POST")
        try:
            with self.opener.open(request) as r:
                return r.status, r.headers.get("location", ""), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("location", ""), e.read().decode()


def second_staff(admin, url, username, role):
    """A second member of staff with `role`, made by `admin` (its temporary password shown once,
    then changed, as the portal asks at the first sign-in), signed in."""
    form = admin.get("/admin/users/new")
    _, _, page = admin.post("/admin/users/new", {"username": username, "display_name": username, role: "on"}, form)
    temporary = html.unescape(re.search(r'id="temporary-password">([^<]+)<', page).group(1))
    staff = Staff(url)
    staff.post("/login", {"username": username, "password": temporary, "next": "/"}, staff.get("/login"))
    chosen = "mật khẩu đo hiệu năng thứ hai"
    status, _, page = staff.post("/account/password", {"current": temporary, "new": chosen, "confirm": chosen})
    assert status == 200 and 'class="notice ok"' in page, f"the second account's password change answered {status}"
    return staff


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_303 = http_error_301 = http_error_307 = http_error_302


def bulk_posters(staff, count, rounds):
    """Registers `count` venues, then times the posters of the list that finds them as one PDF, a
    page each, as a registrar downloads it (`GET /venues/posters.pdf`: drawn, converted and
    assembled while the request waits): the times in ms, and the file's size."""
    form = staff.get("/venues/new")
    for i in range(count):
        status, _, _ = staff.post("/venues/new", {
            "name": f"Áp phích hàng loạt {i}", "address": f"Số {i} Phố Kim Đồng", "commune": "1273",
            "sector": "shop", "usual_stay": "", "contact_name": "Nông Văn Tổ", "contact_phone": "0912345678",
        }, form)
        assert status == 303, f"venue {i} answered {status}"
    samples, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        with staff.opener.open(staff.url + "/venues/posters.pdf?q=ap+phich+hang+loat") as r:
            size = len(r.read())
        samples.append((time.perf_counter() - start) * 1000)
    return samples, size
