"""The portal's staff, for the benchmark's load section: signed in through the portal's plain
HTML forms, as a browser would be (the session cookie, each form's CSRF token, no redirects
followed)."""

import html
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
