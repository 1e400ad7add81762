#!/bin/sh
# Seed the fuzz corpora from the project's fixtures (run from the repository root or fuzz/).
# GeoJSON fixtures under 64 KiB (among them the peers' test files, tests/fixtures/peer-tests, and the
# hostile corpus, tests/fixtures/hostile) seed the loader and the validator; the shipped scenario
# examples and tests' scenario JSON seed the scenario reader; data/styles seed the style reader;
# the CSV format fixtures seed the GDAL CSV reader (formats_csv), the mapping TOML the mapping reader.
set -eu
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/load_slice fuzz/corpus/validate fuzz/corpus/scenario fuzz/corpus/style fuzz/corpus/formats_csv fuzz/corpus/mapping
find tests/fixtures data -type f \( -name '*.geojson' -o -name '*.json' \) -size -64k | while read -r f; do
  n=$(printf '%s' "$f" | tr '/' '_')
  cp "$f" "fuzz/corpus/load_slice/$n"
  cp "$f" "fuzz/corpus/validate/$n"
done
cp data/styles/*.json fuzz/corpus/style/
# Inventory mapping files seed the mapping reader.
find tests/fixtures -type f -name '*.toml' -exec cp {} fuzz/corpus/mapping/ \;
# CSV fixtures (tests/fixtures/formats: WKT and X/Y point tables) seed the GDAL CSV reader.
find tests/fixtures -type f -name '*.csv' -size -64k -exec cp {} fuzz/corpus/formats_csv/ \;
for f in tests/fixtures/scenarios/*.json seeds/*scenario*.json; do
  [ -f "$f" ] && cp "$f" "fuzz/corpus/scenario/$(basename "$f")"
done
ls fuzz/corpus/* | head -0
for d in fuzz/corpus/*; do echo "$d: $(ls "$d" | wc -l) files"; done
