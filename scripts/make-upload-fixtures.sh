#!/bin/sh
# Writes the tiny image fixtures tests read through backend/upload/fixtures.ts: for each format, the file as a real
# encoder wrote it (`*-plain.*`) and the same file after exiftool added what a phone leaves in a photo (`*-gps.*`),
# uploads whose served copies must carry none of it. Run once; the results are committed.
#
#   Debian: apt-get install -y imagemagick libimage-exiftool-perl
#   Usage:  sh scripts/make-upload-fixtures.sh
set -eu

out="$(cd "$(dirname "$0")/.." && pwd)/backend/upload/fixtures"
mkdir -p "$out"

# IM7 calls itself `magick`; Debian 12 ships IM6 as `convert`.
if command -v magick >/dev/null 2>&1; then im=magick; else im=convert; fi
command -v exiftool >/dev/null 2>&1 || { echo "exiftool is missing: apt-get install -y libimage-exiftool-perl" >&2; exit 1; }
# AVIF and HEIC need an ImageMagick built against libheif with AV1 and HEVC encoders (Debian 12's is).
$im -list format | grep -Eq 'AVIF.*rw' || { echo "this ImageMagick cannot write AVIF" >&2; exit 1; }
$im -list format | grep -Eq 'HEIC.*rw' || { echo "this ImageMagick cannot write HEIC" >&2; exit 1; }

# A small ICC profile in the JPEG, as cameras embed one; skipped when not installed.
icc=/usr/share/color/icc/ghostscript/a98.icc
profile=""
[ -f "$icc" ] && profile="-profile $icc"

src="-size 16x16 gradient:tomato-royalblue"
# shellcheck disable=SC2086  # $src and $profile are word lists on purpose
$im $src $profile -quality 85 "$out/photo-plain.jpg"
$im $src "$out/photo-plain.png"
$im $src -quality 80 "$out/photo-plain.webp"
$im $src -define webp:lossless=true "$out/lossless-plain.webp"
$im -delay 20 -size 16x16 xc:tomato xc:royalblue -loop 0 "$out/animated-plain.gif"
$im $src "$out/photo-plain.avif"
# HEIC is the same container as AVIF with other brands; the sniffer must refuse it.
$im $src "$out/photo.heic"

# What a phone leaves in a photo: GPS in Exif and again in XMP, maker and model, a comment, IPTC city, and an
# Orientation (6 = rotate 90° clockwise to display), which the served copies apply rather than carry.
for f in photo-plain.jpg photo-plain.png photo-plain.webp lossless-plain.webp animated-plain.gif photo-plain.avif; do
  tagged="$out/$(echo "$f" | sed 's/-plain\./-gps./')"
  cp "$out/$f" "$tagged"
  exiftool -q -q -overwrite_original \
    -GPSLatitude=48.8584 -GPSLatitudeRef=N -GPSLongitude=2.2945 -GPSLongitudeRef=E \
    -Orientation#=6 -Make=TestPhone -Model=SecretModel \
    -XMP-exif:GPSLatitude=48.8584 -XMP-exif:GPSLongitude=2.2945 -XMP-dc:Creator=Alice \
    -IPTC:City=Paris -Comment='taken at home' \
    "$tagged"
done

ls -l "$out"
