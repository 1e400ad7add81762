#!/usr/bin/env python3
"""Independent reference figures for the Lok Ma Chau Loop polygon, computed with
GeographicLib's official Python port (`pip install geographiclib`, Charles Karney, MIT).

Reads the first Polygon of data/zone/lok_ma_chau_loop_osm.geojson and writes
tests/fixtures/geographiclib/lok_ma_chau_loop.json with:
- area_m2 and perimeter_m: Geodesic.WGS84.Polygon() (PolygonArea.Compute, reverse=False,
  sign=False; exterior minus holes, perimeter of every ring);
- centroid_lonlat: the area centroid in the ellipsoidal azimuthal equidistant frame centred on
  the middle of the bounding box (GeographicLib Inverse forward, Direct back), the definition
  docs/measure.md gives for `core::measure::centroid`.

Run from the repository root: python3 scripts/geographiclib_loop_reference.py
"""
import json
import sys

import geographiclib
from geographiclib.geodesic import Geodesic

G = Geodesic.WGS84
SRC = "data/zone/lok_ma_chau_loop_osm.geojson"
OUT = "tests/fixtures/geographiclib/lok_ma_chau_loop.json"


def ring_area_perimeter(ring):
    p = G.Polygon()
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    for lon, lat in pts:
        p.AddPoint(lat, lon)
    _, perim, area = p.Compute(False, False)
    return area, perim


def main():
    with open(SRC, encoding="utf-8") as f:
        fc = json.load(f)
    feat = next(x for x in fc["features"] if x["geometry"]["type"] == "Polygon")
    rings = feat["geometry"]["coordinates"]
    area, perim = ring_area_perimeter(rings[0])
    for hole in rings[1:]:
        a, p = ring_area_perimeter(hole)
        area -= a
        perim += p
    lons = [c[0] for r in rings for c in r]
    lats = [c[1] for r in rings for c in r]
    lon0, lat0 = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2

    def fwd(lon, lat):
        inv = G.Inverse(lat0, lon0, lat, lon)
        import math
        a = math.radians(inv["azi1"])
        return inv["s12"] * math.sin(a), inv["s12"] * math.cos(a)

    # planar area centroid of the projected polygon (holes subtracted)
    sx = sy = sa = 0.0
    for k, ring in enumerate(rings):
        pts = [fwd(lon, lat) for lon, lat in ring]
        if pts[0] != pts[-1]:
            pts.append(pts[0])
        ra = rx = ry = 0.0
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            c = x0 * y1 - x1 * y0
            ra += c
            rx += (x0 + x1) * c
            ry += (y0 + y1) * c
        ra *= 0.5
        sign = 1.0 if k == 0 else -1.0
        # orient each ring's contribution by its own sign: exterior adds, holes subtract
        s = sign * (1.0 if ra > 0 else -1.0)
        sa += s * ra
        sx += s * rx / 6.0
        sy += s * ry / 6.0
    cx, cy = sx / sa, sy / sa
    import math
    d = G.Direct(lat0, lon0, math.degrees(math.atan2(cx, cy)), math.hypot(cx, cy))
    out = {
        "source": (
            "Computed by scripts/geographiclib_loop_reference.py with GeographicLib-Python "
            f"{geographiclib.__version__} (pip install geographiclib; Charles Karney, MIT) from "
            f"the first Polygon of {SRC}. Independent of Hetao Atlas's code."
        ),
        "feature_id": feat.get("id"),
        "area_m2": area,
        "perimeter_m": perim,
        "centroid_lonlat": [d["lon2"], d["lat2"]],
        "centroid_definition": (
            "area centroid in the ellipsoidal azimuthal equidistant frame centred on the "
            "middle of the lon/lat bounding box, mapped back with the geodesic direct problem"
        ),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
