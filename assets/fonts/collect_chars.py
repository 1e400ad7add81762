#!/usr/bin/env python3
"""Collect the CJK characters (U+2E80 and above) used in the shipped data into subset-cjk-chars.txt.

JSON files are decoded first, so \\uXXXX escapes count. Characters already listed are kept.
Run from the repository root: python3 assets/fonts/collect_chars.py
"""
import glob
import json

chars = set()


def walk(v):
    if isinstance(v, str):
        chars.update(c for c in v if ord(c) >= 0x2E80)
    elif isinstance(v, dict):
        for k, x in v.items():
            walk(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)


files = (glob.glob("data/**/*.geojson", recursive=True) + glob.glob("data/**/*.json", recursive=True)
         + glob.glob("seeds/**/*", recursive=True))
for f in files:
    try:
        s = open(f, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError, IsADirectoryError):
        continue
    try:
        walk(json.loads(s))
    except ValueError:
        walk(s)
path = "assets/fonts/subset-cjk-chars.txt"
try:
    chars |= set(open(path, encoding="utf-8").read().strip())
except OSError:
    pass
open(path, "w", encoding="utf-8").write("".join(sorted(chars)))
print(len(chars), "characters")
