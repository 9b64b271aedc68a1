#!/usr/bin/env bash
# Debian/Ubuntu packages the tests need (the console itself needs none: ffmpeg comes from npm):
#   chromium                         the browser the end-to-end tests drive (Playwright can't download one here)
#   ffmpeg                           a second ffmpeg (5.x) besides @ffmpeg-installer's 4.1, both are tested
#   gstreamer + python3-gi           the real RTSP server of the tests (tests/helpers/rtsp_server.py)
#   fonts-dejavu-core                a font with Vietnamese glyphs for the UI and the demo video
#   sqlite3                          the sqlite3 shell: tests tamper with the audit database as an outsider would
#   openssl, e2fsprogs               export signatures checked by openssl; an ext4 "stick" image (mkfs.ext4) for the read-back tests
# Idempotent: does nothing when everything is installed.
set -euo pipefail

PACKAGES=(
  chromium
  ffmpeg
  python3-gi
  gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly
  fonts-dejavu-core
  poppler-utils
  sqlite3
  openssl
  e2fsprogs
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
