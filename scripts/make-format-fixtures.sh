#!/usr/bin/env bash
# Regenerates tests/fixtures/formats/ from the shipped zone data with GDAL's own ogr2ogr
# (gdal-bin). The outputs are committed: CI never runs this script (tests/formats.rs reads
# the committed files and compares them with tests/fixtures/formats/source/buildings.geojson).
#
# The subset: the 40 buildings SZ-B001..SZ-B020 and HK-B001..HK-B020 (the where clause below),
# with the planner's Chinese field names and values (编号 名称 园区 用途 状态 建筑面积 层数).
#   buildings_gbk.shp   ESRI Shapefile, EPSG:4547 (CGCS2000 / 3-degree GK CM 114E), GBK .dbf + .cpg
#   zone_2326.gpkg      GeoPackage, EPSG:2326 (Hong Kong 1980 Grid): layers buildings and loop
#   buildings_4490.fgb  FlatGeobuf, EPSG:4490 (CGCS2000 geographic, latitude-first by definition)
#   buildings.kml       KML (WGS84)
#   buildings_4547.dxf  DXF in EPSG:4547 metres (DXF declares no CRS: read with --crs EPSG:4547)
#   buildings_wkt.csv   CSV with a WKT column, lon/lat (CSV declares no CRS: --crs EPSG:4326)
#   units_xy.csv        CSV with X/Y columns (lon, lat): 10 research-space units
#   units.gpx           GPX waypoints: the same 10 research-space units (name = unit id)
#   ledger.ods          the ledger below as an ODS sheet
#   ledger.xlsx         XLSX status ledger, one row per (编号, 年份, 状态), no geometry (the
#                       statuses in the same Chinese words as the Shapefile's 状态)
set -euo pipefail
cd "$(dirname "$0")/.."
# The sources are frozen copies of data/zone as the fixtures were made (tests/fixtures/formats/source),
# so that the shipped data can change without invalidating the committed fixtures.
src=tests/fixtures/formats/source/buildings.geojson
out=tests/fixtures/formats
mkdir -p "$out"
rm -f "$out"/buildings_gbk.* "$out"/zone_2326.gpkg "$out"/buildings_4490.fgb "$out"/buildings.kml \
  "$out"/buildings_4547.dxf "$out"/buildings_wkt.csv "$out"/units_xy.csv "$out"/units.gpx "$out"/ledger.ods "$out"/ledger.xlsx

subset="(id BETWEEN 'SZ-B001' AND 'SZ-B020') OR (id BETWEEN 'HK-B001' AND 'HK-B020')"
chinese="SELECT id AS 编号, name AS 名称,
  CASE park WHEN 'SZ' THEN '深圳园区' ELSE '香港园区' END AS 园区,
  CASE use WHEN 'dry_lab_office' THEN '干实验室办公' WHEN 'wet_lab' THEN '湿实验室'
    WHEN 'pilot_production' THEN '中试生产' WHEN 'supporting' THEN '配套设施'
    WHEN 'factory_warehouse' THEN '厂房仓库' WHEN 'talent_housing' THEN '人才公寓'
    ELSE '口岸物流' END AS 用途,
  CASE status WHEN 'planned' THEN '规划' WHEN 'converted' THEN '已转型' WHEN 'existing' THEN '现状'
    WHEN 'completed' THEN '已建成' WHEN 'converting' THEN '转型中' ELSE '在建' END AS 状态,
  CAST(gfa_m2 AS REAL) AS 建筑面积, CAST(floors AS INTEGER) AS 层数, geometry
  FROM buildings WHERE $subset ORDER BY park DESC, id"
plain="SELECT id, name, park, use, status, CAST(gfa_m2 AS REAL) AS gfa_m2,
  CAST(floors AS INTEGER) AS floors, geometry FROM buildings WHERE $subset ORDER BY park DESC, id"

ogr2ogr -f "ESRI Shapefile" "$out/buildings_gbk.shp" "$src" -dialect SQLite -sql "$chinese" \
  -nln buildings_gbk -t_srs EPSG:4547 -lco ENCODING=GBK
ogr2ogr -f GPKG "$out/zone_2326.gpkg" "$src" -dialect SQLite -sql "$plain" -nln buildings -t_srs EPSG:2326
ogr2ogr -f GPKG -update "$out/zone_2326.gpkg" data/zone/lok_ma_chau_loop_osm.geojson -nln loop -t_srs EPSG:2326
ogr2ogr -f FlatGeobuf "$out/buildings_4490.fgb" "$src" -dialect SQLite -sql "$plain" -nln buildings -t_srs EPSG:4490
ogr2ogr -f KML "$out/buildings.kml" "$src" -dialect SQLite -sql "$plain" -nln buildings
ogr2ogr -f DXF "$out/buildings_4547.dxf" "$src" -dialect SQLite -sql "SELECT geometry FROM buildings WHERE $subset ORDER BY park DESC, id" -t_srs EPSG:4547
ogr2ogr -f CSV "$out/buildings_wkt.csv" "$src" -dialect SQLite -sql "$plain" -lco GEOMETRY=AS_WKT -nln buildings_wkt
ogr2ogr -f CSV "$out/units_xy.csv" tests/fixtures/formats/source/research_units.geojson -dialect SQLite \
  -sql "SELECT id, building_id, ST_X(geometry) AS lon, ST_Y(geometry) AS lat FROM research_units ORDER BY id LIMIT 10" -nln units_xy
ogr2ogr -f GPX "$out/units.gpx" tests/fixtures/formats/source/research_units.geojson -dialect SQLite \
  -sql "SELECT id AS name, geometry FROM research_units ORDER BY id LIMIT 10" -nln waypoints
ledger=""
for i in 0 1 2 3; do
  [ -n "$ledger" ] && ledger="$ledger UNION ALL "
  ledger="${ledger}SELECT id AS 编号, CAST(json_extract(history, '\$[$i].year') AS INTEGER) AS 年份,
    json_extract(history, '\$[$i].status') AS 状态, park, id AS k, $i AS n FROM buildings
    WHERE ($subset) AND json_extract(history, '\$[$i].year') IS NOT NULL"
done
ogr2ogr -f XLSX "$out/ledger.xlsx" "$src" -dialect SQLite \
  -sql "SELECT 编号, 年份, CASE 状态 WHEN 'planned' THEN '规划' WHEN 'converted' THEN '已转型'
    WHEN 'existing' THEN '现状' WHEN 'completed' THEN '已建成' WHEN 'converting' THEN '转型中'
    ELSE '在建' END AS 状态 FROM ($ledger) ORDER BY park DESC, k, n" -nln ledger
ogr2ogr -f ODS "$out/ledger.ods" "$out/ledger.xlsx"
ls -l "$out"
