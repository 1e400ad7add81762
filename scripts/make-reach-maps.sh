#!/usr/bin/env bash
# The before/after walking maps of docs/reach.md (issue 16): 10/20/30-min walks at 09:00 from
# Lok Ma Chau station and from Building 1 (the Loop), before (the walking grid alone, no
# barriers) and after (the defaults: the noded OSM streets, the meander and the Loop's gates).
# Bands from `hetao reach --out`, drawn largest first with `hetao snapshot` over the shipped
# land, Loop, roads, river and barriers; each band labelled by its `band` property (the
# categorical styles in docs/img/reach-styles/). Usage: scripts/make-reach-maps.sh [HETAO]
set -euo pipefail
cd "$(dirname "$0")/.."
hetao="${1:-${CARGO_TARGET_DIR:-target}/debug/hetao}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo '{"shipped_roads": false, "shipped_barriers": false}' > "$tmp/before.json"
bbox=114.052,22.500,114.100,22.535
for origin in "lmc:114.065694,22.514389" "walk:114.074807,22.517597"; do
  name="${origin%%:*}"; from="${origin#*:}"
  for when in before after; do
    layer="${name}_${when}_bands"
    params=()
    [ "$when" = before ] && params=(--params "$tmp/before.json")
    "$hetao" reach --from "$from" --mode walk --minutes 10,20,30 --depart 09:00 \
      "${params[@]}" --out "$tmp/raw.geojson" > /dev/null
    # bands only, largest first, so the shorter walks draw on top
    python3 - "$tmp/raw.geojson" "$tmp/$layer.geojson" "$layer" <<'PY'
import json, sys
fc = json.load(open(sys.argv[1]))
bands = [f for f in fc["features"] if "area_m2" in f["properties"]]
bands.sort(key=lambda f: -f["properties"]["minutes"])
fc["features"] = bands
fc["name"] = sys.argv[3]
json.dump(fc, open(sys.argv[2], "w"))
PY
    out="docs/img/reach_${name/walk/}${when}.png"
    [ "$name" = lmc ] && out="docs/img/reach_lmc_${when}.png" || out="docs/img/reach_${when}.png"
    "$hetao" snapshot --bbox "$bbox" --width 900 --height 700 \
      --title "Walk 10/20/30 min from $([ "$name" = lmc ] && echo 'Lok Ma Chau station' || echo 'Building 1 (Loop)'): $when" \
      --data data/context/ne_10m_admin0_gba.geojson data/zone/lok_ma_chau_loop_osm.geojson \
             "$tmp/$layer.geojson" data/context/hk_loop_area_roads_osm.geojson \
             data/context/shenzhen_river_boundary_osm.geojson data/barriers/hk_loop_area_barriers.geojson \
      --styles docs/img/reach-styles --out "$out"
    echo "wrote $out"
  done
done
