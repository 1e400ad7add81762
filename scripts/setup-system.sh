#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, once.
#   libproj-dev, pkg-config, libclang-dev: the `proj` crate links the system PROJ (bindgen needs libclang)
#   mesa-vulkan-drivers: a software Vulkan adapter (lavapipe) so wgpu renders without a GPU
#   xvfb: a virtual display for the app's screenshot test and the end-to-end desktop tests
#   xdotool: drives the real window in the end-to-end tests (tests/desktop)
#   imagemagick: `import -window root` screenshots of the virtual display in those tests
#   zenity: the app's open/save/export file dialogs (src/app/dialogs.rs explains the choice)
#   libgdal-dev: the `gdal` crate links the system GDAL 3.6 to read and write every format but
#     GeoJSON (Shapefile, GeoPackage, FlatGeobuf, KML, GPX, DXF, CSV, XLSX/ODS; docs/formats.md)
#   gdal-bin: ogrinfo/ogr2ogr, which tests/formats.rs runs to read back every exported format
#     and scripts/make-format-fixtures.sh uses to make the format fixtures
#   fontconfig, fonts-wqy-microhei: a system Chinese font the app falls back to for text outside
#     its shipped CJK subset (a planner's own field names and values; src/app/fonts.rs), which
#     tests/inventory_app.rs checks by refusing missing glyphs
#   postgresql-15, postgresql-15-postgis-3, libssl-dev: the PostGIS server the database tests start
#     on loopback (scripts/pg-cluster.sh) and the OpenSSL the client's sslmode=require links
#   poppler-utils: pdfinfo, pdffonts and pdftotext read back the PDF pages in tests/page.rs
#     (page size, embedded font, vector text); pdftoppm makes the docs' PNG of the PDF
# As root it installs what is missing; otherwise it prints the exact apt-get line to run.
set -euo pipefail
pkgs=(libproj-dev pkg-config libclang-dev mesa-vulkan-drivers xvfb xdotool imagemagick zenity libgdal-dev gdal-bin fontconfig fonts-wqy-microhei postgresql-15 postgresql-15-postgis-3 libssl-dev poppler-utils)
missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: missing system packages. Run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
