#!/usr/bin/env bash
# Makes test/fixtures/demo-clip.mp4: the small, real, playable video that `npm start` serves
# as every emulated job's result, so n8n's player shows something moving (the emulator's
# default videos are byte patterns for tests, not playable).
#
#   sudo apt-get install ffmpeg      # Debian 12: ffmpeg 5.1 with libx264
#   bash scripts/make-demo-clip.sh   # writes the clip and prints its size and SHA-256
#
# 3 s, 320×180, 12 fps: an orange square gliding over a dark blue field. H.264 baseline in
# MP4 with the index first (faststart), the format every browser's <video> plays; about 3 KB.
# The same ffmpeg and x264 give the same bytes (one thread, bit-exact flags, no metadata);
# other versions give a clip that looks the same with other bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ffmpeg > /dev/null; then
	echo "ffmpeg not found: apt-get install ffmpeg" >&2
	exit 1
fi
out=test/fixtures/demo-clip.mp4
ffmpeg -v error -y \
	-f lavfi -i 'color=c=0x1d2b53:s=320x180:r=12:d=3' \
	-f lavfi -i 'color=c=0xffa300:s=48x48:r=12:d=3' \
	-filter_complex "[0][1]overlay=x='16+t*80':y='66+40*sin(t*4)':shortest=1,format=yuv420p" \
	-t 3 -an \
	-c:v libx264 -profile:v baseline -level 3.0 -preset veryslow -crf 30 -threads 1 \
	-movflags +faststart -fflags +bitexact -flags:v +bitexact -map_metadata -1 \
	"$out"
echo "$out: $(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1)"
