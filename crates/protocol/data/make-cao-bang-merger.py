"""Writes cao-bang-2025-merger.json: which commune of the 2025 list each commune of Cao Bằng's
2021 list was merged into on 1 July 2025.

The mapping is the vietnamadminunits project's (PyPI `vietnamadminunits` 1.0.4, MIT licence,
© 2025 Tran Ngoc Minh Hieu), file `vietnamadminunits/data/converter_2025.json`, which names units
by their folded names ("tinhcaobang_thanhphocaobang_phuongsonghien" → "phuongthucphan"). This
script turns those names into the GSO codes of the two lists bundled here, and stops if any
commune of the 2021 list is missing, found twice, or split between several new communes.

    pip download --no-deps vietnamadminunits==1.0.4 && unzip vietnamadminunits-1.0.4-*.whl
    python3 make-cao-bang-merger.py vietnamadminunits/data/converter_2025.json
"""

import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent


def key(name):
    """A name as the converter's keys write it: no accents, no spaces, lower case, đ as d."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def main(converter_path):
    converter = json.loads(Path(converter_path).read_text())
    merged = converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinhcaobang"]
    if converter["DICT_PROVINCE_WARD_DIVIDED"].get("tinhcaobang"):
        sys.exit("some communes of Cao Bằng were split: this file format cannot say so")
    old = json.loads((HERE / "cao-bang-2021.json").read_text())["province"]
    new = next(p for p in json.loads((HERE / "vietnam-2025.json").read_text())["provinces"] if p["code"] == 4)
    new_by_key = {key(c["name"]): c["code"] for c in new["communes"]}
    into = {}
    for new_key, old_keys in merged.items():
        if new_key not in new_by_key:
            sys.exit(f"{new_key}: not a commune of the 2025 list")
        for old_key in old_keys:
            if old_key in into:
                sys.exit(f"{old_key}: merged twice")
            into[old_key] = new_by_key[new_key]
    communes = []
    for district in old["districts"]:
        for commune in district["communes"]:
            old_key = f"tinhcaobang_{key(district['name'])}_{key(commune['name'])}"
            if old_key not in into:
                sys.exit(f"{old_key}: not in the converter's mapping")
            communes.append({"from": commune["code"], "into": into.pop(old_key)})
    if into:
        sys.exit(f"not communes of the 2021 list: {sorted(into)}")
    out = {
        "source": "vietnamadminunits 1.0.4 (PyPI; MIT licence, (c) 2025 Tran Ngoc Minh Hieu), "
        "data/converter_2025.json, turned into GSO codes by make-cao-bang-merger.py",
        "valid": "the commune of the 2025 two-tier list (in force from 2025-07-01) that each commune "
        "of Cao Bang's 2021 list became part of; codes are those of cao-bang-2021.json (from) and "
        "vietnam-2025.json (into)",
        "communes": communes,
    }
    (HERE / "cao-bang-2025-merger.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(communes)} communes of 2021 into {len({c['into'] for c in communes})} of 2025")


if __name__ == "__main__":
    main(sys.argv[1])
