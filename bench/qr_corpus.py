"""The QR section's corpus: real posters from `portal poster`, rendered as a phone camera sees them.

Each image has one strong condition and mild amounts of the others. The first eight conditions are
the camera's own; the last four are the places issue reports name: a poster on a screen
photographed (moiré), a laminated poster (a specular highlight), a creased poster, and low light
(an exposure boosted in the camera, with its noise). Everything random comes from the one seeded
`random.Random` passed in, so a corpus is the same for the same posters.
"""

import json
import os
import random

CONDITIONS = [
    "clean", "rotation", "perspective", "blur", "noise", "low-contrast", "glare", "small",
    "moire", "specular", "crease", "low-light",
]


def crease(poster, rng):
    """One or two folds across the poster: each fold's far side foreshortened as it tilts away
    (a piecewise-affine squeeze towards the fold), lit differently, with a thin crease line."""
    import cv2
    import numpy as np

    ph, pw = poster.shape[:2]
    out = poster.astype(np.float32)
    for vertical in rng.sample([True, False], rng.randint(1, 2)):
        length = pw if vertical else ph
        at = rng.uniform(0.4, 0.6) * length  # the fold, across the other axis
        squeeze = rng.uniform(0.03, 0.08)  # how much the far half shortens
        side = rng.choice([-1, 1])
        ys, xs = np.mgrid[0:ph, 0:pw].astype(np.float32)
        u = xs if vertical else ys
        # Pixels beyond the fold (on `side`) come from further out: the half is squeezed.
        beyond = (u - at) * side > 0
        src = np.where(beyond, at + (u - at) * (1 + squeeze), u)
        mx, my = (src, ys) if vertical else (xs, src)
        out = cv2.remap(out, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        light = np.where(beyond, rng.uniform(0.78, 0.92), 1.0).astype(np.float32)
        line = np.exp(-((u - at) ** 2) / (2 * rng.uniform(1.0, 2.5) ** 2)).astype(np.float32)
        light = light * (1 - rng.uniform(0.25, 0.45) * line)
        out *= light[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def render(poster, condition, rng, size):
    """A phone camera's view of a printed poster: one condition strong, the others mild."""
    import cv2
    import numpy as np

    w, h = size
    mild = lambda lo, hi: rng.uniform(lo, hi)
    base = rng.randint(90, 200)
    frame = np.full((h, w, 3), base, np.uint8)
    frame = cv2.add(frame, np.random.default_rng(rng.randint(0, 1 << 30)).integers(0, 25, (h, w, 3), dtype=np.uint8))
    if condition == "crease":
        poster = crease(poster, rng)

    ph, pw = poster.shape[:2]
    fill = mild(0.78, 0.98) if condition != "small" else mild(0.28, 0.38)
    scale = fill * h / ph
    angle = mild(-6, 6) if condition != "rotation" else rng.choice([-1, 1]) * mild(15, 40)
    jitter = 0.02 if condition != "perspective" else mild(0.10, 0.18)
    cx, cy = w / 2 + mild(-0.1, 0.1) * w, h / 2 + mild(-0.05, 0.05) * h
    corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]], np.float32) * scale
    theta = np.deg2rad(angle)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], np.float32)
    corners = corners @ rot.T + np.array([cx, cy], np.float32)
    corners += np.array([[rng.uniform(-jitter, jitter) * h for _ in range(2)] for _ in range(4)], np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    m = cv2.getPerspectiveTransform(src, corners)
    warped = cv2.warpPerspective(poster, m, (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), m, (w, h))
    if condition == "moire":
        # The poster shown on a screen: the black grid between its pixels, at a pitch near two
        # camera pixels, beats with the sensor's grid into coarse bands; the sub-pixels tint them.
        pitch, tilt = mild(1.8, 2.2), np.deg2rad(mild(-8, 8))
        depth, tint = mild(0.35, 0.55), mild(0.15, 0.3)
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        u = (xs * np.cos(tilt) + ys * np.sin(tilt)) / pitch
        v = (ys * np.cos(tilt) - xs * np.sin(tilt)) / pitch
        grid = 1 - depth * (1 - (0.5 + 0.5 * np.cos(2 * np.pi * u)) * (0.5 + 0.5 * np.cos(2 * np.pi * v)))
        lit = warped.astype(np.float32) * 0.85 + 30  # an emissive screen: its black is grey
        for c in range(3):
            sub = 1 - tint * (0.5 - 0.5 * np.cos(2 * np.pi * (u - c / 3)))
            warped[..., c] = np.clip(lit[..., c] * grid * sub, 0, 255).astype(np.uint8)
    frame[mask > 0] = warped[mask > 0]

    contrast = mild(0.75, 1.0) if condition != "low-contrast" else mild(0.25, 0.4)
    frame = cv2.convertScaleAbs(frame, alpha=contrast, beta=(1 - contrast) * 128)
    if condition == "glare" or rng.random() < 0.15:
        glare = np.zeros((h, w), np.float32)
        gx, gy = int(cx + mild(-0.2, 0.2) * w), int(cy + mild(-0.2, 0.2) * h)
        cv2.circle(glare, (gx, gy), int(mild(0.12, 0.25) * h), 1.0, -1)
        glare = cv2.GaussianBlur(glare, (0, 0), h * 0.06) * (mild(0.5, 0.8) if condition == "glare" else 0.3)
        frame = np.clip(frame.astype(np.float32) + glare[..., None] * 255, 0, 255).astype(np.uint8)
    if condition == "specular":
        # Lamination mirrors a lamp: a small burnt-out core with a halo, and the long streak of a
        # tube light, both clipped white.
        spot = np.zeros((h, w), np.float32)
        sx, sy = int(cx + mild(-0.15, 0.15) * w), int(cy + mild(-0.25, 0.25) * h)
        axes = (int(mild(0.03, 0.06) * h), int(mild(0.02, 0.04) * h))
        cv2.ellipse(spot, (sx, sy), axes, mild(0, 180), 0, 360, 1.0, -1)
        streak = np.zeros((h, w), np.float32)
        a = np.deg2rad(mild(0, 180))
        half = mild(0.2, 0.4) * h
        p0 = (int(cx - half * np.cos(a)), int(cy + mild(-0.25, 0.25) * h - half * np.sin(a)))
        p1 = (int(p0[0] + 2 * half * np.cos(a)), int(p0[1] + 2 * half * np.sin(a)))
        cv2.line(streak, p0, p1, 1.0, max(2, int(mild(0.006, 0.015) * h)))
        light = cv2.GaussianBlur(spot, (0, 0), h * 0.01) * 2.5 + cv2.GaussianBlur(spot, (0, 0), h * 0.05) * 0.8
        light += cv2.GaussianBlur(streak, (0, 0), h * 0.004) * 1.5
        frame = np.clip(frame.astype(np.float32) + light[..., None] * 255, 0, 255).astype(np.uint8)
    sigma = mild(0.0, 0.8) if condition != "blur" else mild(1.6, 2.6)
    if sigma > 0.05:
        frame = cv2.GaussianBlur(frame, (0, 0), sigma * h / 720)
    if condition == "low-light":
        # A dim room: few photons (shot noise grows with the signal), read noise, 8-bit
        # quantisation at the low level, then the camera's gain brings it back up.
        exposure = mild(0.05, 0.12)
        gen = np.random.default_rng(rng.randint(0, 1 << 30))
        dark = frame.astype(np.float32) * exposure
        dark += gen.normal(0, 1, frame.shape) * np.sqrt(dark * mild(0.3, 0.6) + mild(2, 5) ** 2)
        dark = np.round(np.clip(dark, 0, 255))
        frame = np.clip(dark * (mild(0.6, 0.85) / exposure), 0, 255).astype(np.uint8)
    noise = mild(0, 4) if condition != "noise" else mild(12, 20)
    if noise > 0:
        n = np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, noise, frame.shape)
        frame = np.clip(frame.astype(np.float32) + n, 0, 255).astype(np.uint8)
    return frame


def make_posters(portal, work, count, run, password):
    """Real posters from `portal poster`, one venue code each, names up to 100 characters.
    `run` runs a command and returns its output (the harness's own)."""
    authority = work / "authority"
    env = dict(os.environ, PORTAL_ADMIN_PASSWORD=password)
    env.pop("DATABASE_URL", None)
    env.pop("PORTAL_MASTER_KEY", None)
    run(portal, "init", "--data-dir", authority, "--host", "yte.caobang.example", env=env)
    names = [
        "Chợ Xanh Cao Bằng",
        "Trạm Y tế Phường Thục Phán – Điểm tiêm chủng số 3",
        "Trường Trung học phổ thông Chuyên Cao Bằng",
        "Quán phở Hà Nội",
        "Trung tâm Văn hóa Thể thao và Truyền thông huyện Trùng Khánh – Nhà thi đấu đa năng số 1",
        "Bến xe khách Cao Bằng",
        "Ủy ban nhân dân Phường Hợp Giang",
        "Nhà thuốc Minh Châu",
    ]
    posters = []
    for i in range(count):
        out = run(
            portal, "venue-code", "make", "--data-dir", authority,
            "--name", names[i % len(names)],
            "--address", "Số 12 Phố Xuân Trường, Phường Hợp Giang, Cao Bằng",
            "--unit", "1273", "--sector", "market", env=env,
        )
        code = out.strip().splitlines()[-1]
        png = work / f"poster-{i}.png"
        run(portal, "poster", "--data-dir", authority, "--code", code, "--out", png, env=env)
        posters.append((png, code))
    return posters


def render_corpus(posters, corpus, smoke):
    """Renders every poster under every condition into `corpus` (JPEG quality 60–90) and writes
    its manifest.json; returns the manifest: file, expected text, condition, resolution."""
    import cv2

    rng = random.Random(2021)
    sizes = [(1280, 720)] if smoke else [(1280, 720), (1920, 1080)]
    per = 1 if smoke else 6
    manifest = []
    for p, (png, code) in enumerate(posters):
        poster = cv2.imread(str(png), cv2.IMREAD_COLOR)
        for condition in CONDITIONS:
            for size in sizes:
                for k in range(per):
                    frame = render(poster, condition, rng, size)
                    name = f"{p}-{condition}-{size[1]}p-{k}.jpg"
                    cv2.imwrite(str(corpus / name), frame, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(60, 90)])
                    manifest.append({"file": name, "text": code, "condition": condition, "resolution": f"{size[1]}p"})
    (corpus / "manifest.json").write_text(json.dumps(manifest))
    return manifest
