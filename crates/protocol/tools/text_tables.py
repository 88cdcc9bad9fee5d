#!/usr/bin/env python3
"""Writes crates/protocol/src/text_code/tables.rs: the code lengths of venue code v2's text coding.

Run once; the tables it wrote are part of the format (docs/venue-code.md), so they never change for
version 2. The counts come from the names of every commune, district and province in the bundled
official lists, and from the words venue names and street addresses are made of; each symbol is
counted once more, so that every symbol has a code. Two tables: one for a character after a letter,
one for any other place (the start, after a space, a digit, a sign or a character outside the
table), where capitals are common. The letters are a-z, A-Z and the Vietnamese letters of the table.

    python3 crates/protocol/tools/text_tables.py > crates/protocol/src/text_code/tables.rs
    rustfmt --edition 2021 crates/protocol/src/text_code/tables.rs
"""
import heapq
import json
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
SIGNS = "–“”‘’…"
# The symbols, in their order: printable ASCII, Vietnamese letters (small, then capital), a few
# signs, and the escape that a character outside the table follows in 21 bits.
SYMBOLS = [chr(c) for c in range(0x20, 0x7F)] + list(VIETNAMESE) + list(VIETNAMESE.upper()) + list(SIGNS) + ["ESC"]

VENUE_WORDS = """
Ủy ban nhân dân xã Ủy ban nhân dân phường Hội đồng nhân dân Công an xã Công an phường Trạm Y tế xã
Trạm Y tế phường Bệnh viện Đa khoa tỉnh Bệnh viện đa khoa huyện Trung tâm Y tế huyện Phòng khám đa
khoa Nhà thuốc Quầy thuốc Trường Mầm non Trường Tiểu học Trường Trung học cơ sở Trường Trung học
phổ thông Trường Phổ thông Dân tộc Nội trú Trường Cao đẳng Trung tâm Giáo dục thường xuyên Chợ
trung tâm Chợ phiên Siêu thị Cửa hàng tạp hóa Cửa hàng điện máy Cửa hàng xăng dầu Quán phở Quán bún
Quán cơm bình dân Nhà hàng Quán cà phê Quán trà sữa Khách sạn Nhà nghỉ Homestay Bến xe khách Bến xe
buýt Nhà ga Cảng Sân bay Nhà văn hóa tổ dân phố Nhà văn hóa thôn Nhà văn hóa xóm Nhà văn hóa bản Sân
vận động Nhà thi đấu Trung tâm Văn hóa Thể thao Thư viện Bảo tàng Chùa Đền Đình Nhà thờ Giáo xứ Công
ty Cổ phần Công ty TNHH Nhà máy Xí nghiệp Hợp tác xã Ngân hàng Nông nghiệp và Phát triển Nông thôn
Ngân hàng Thương mại Cổ phần Bưu điện Viễn thông Điện lực Chi cục Thuế Kho bạc Nhà nước Sở Y tế Sở
Giáo dục và Đào tạo Sở Văn hóa Thể thao và Du lịch Ban Quản lý Điểm tiêm chủng Khu cách ly Chốt kiểm
soát Cơ sở Chi nhánh Phòng giao dịch Đại lý Tiệm cắt tóc Tiệm may Tiệm vàng Hiệu sách Văn phòng
phẩm Phòng tập Bể bơi Karaoke Internet Trạm dừng nghỉ Khu du lịch Thác Bản Giốc Động Ngườm Ngao
Số nhà Số Đường Phố Ngõ Ngách Hẻm Kiệt Tổ Tổ dân phố Thôn Xóm Bản Ấp Khu Khu phố Khối Tiểu khu Quốc
lộ Tỉnh lộ Km Lô Tầng Tòa nhà Khu công nghiệp Khu đô thị Khu tập thể Đối diện Cạnh Gần Sau Trước
số 1 số 2 số 3 số 4 số 5 số 6 số 7 số 8 số 9 số 10 số 12 số 15 số 20 số 34 số 56 số 78 số 102
phường xã thị trấn thị xã huyện thành phố tỉnh Cao Bằng Hà Nội Lạng Sơn Bắc Kạn Thái Nguyên
"""


def corpus():
    names = []
    national = json.loads((DATA / "vietnam-2025.json").read_text())
    for p in national["provinces"]:
        names.append(p["name"])
        names += [c["name"] for c in p["communes"]]
    cao_bang = json.loads((DATA / "cao-bang-2021.json").read_text())["province"]
    names.append(cao_bang["name"])
    for d in cao_bang["districts"]:
        names.append(d["name"])
        names += [c["name"] for c in d["communes"]]
    names += [line.strip() for line in VENUE_WORDS.splitlines() if line.strip()]
    return [unicodedata.normalize("NFC", n) for n in names]


LETTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + VIETNAMESE + VIETNAMESE.upper())


def after_letter(prev):
    """The context: whether the character before is a letter of the table."""
    return prev in LETTERS


def lengths(counts):
    heap = [(count, i, [i]) for i, count in enumerate(counts)]
    heapq.heapify(heap)
    depth = [0] * len(counts)
    order = len(heap)
    while len(heap) > 1:
        a, _, left = heapq.heappop(heap)
        b, _, right = heapq.heappop(heap)
        for s in left + right:
            depth[s] += 1
        order += 1
        heapq.heappush(heap, (a + b, order, left + right))
    return depth


def main():
    index = {s: i for i, s in enumerate(SYMBOLS)}
    counts = [[1] * len(SYMBOLS), [1] * len(SYMBOLS)]
    for name in corpus():
        prev = None
        for ch in name:
            counts[after_letter(prev)][index.get(ch, index["ESC"])] += 1
            prev = ch
    tables = [lengths(c) for c in counts]
    assert all(8 <= max(t) <= 24 for t in tables)
    print("//! The code lengths of venue code v2's text coding: part of the format, never edited.")
    print("//! Written by crates/protocol/tools/text_tables.py (then formatted by rustfmt).")
    print(f"pub(super) const SYMBOLS: usize = {len(SYMBOLS)};")
    for label, table in zip(["OTHER", "AFTER_LETTER"], tables):
        print(f"/// Code lengths in bits, by symbol, {'after a letter' if label == 'AFTER_LETTER' else 'at the start and after anything but a letter'}.")
        print(f"pub(super) const {label}: [u8; SYMBOLS] = [")
        for row in range(0, len(table), 16):
            print("    " + ", ".join(str(n) for n in table[row:row + 16]) + ",")
        print("];")


main()
