#!/bin/sh
# Install the Debian/Ubuntu packages vidsort needs, when we can (root, or sudo without a
# password); otherwise print the exact command and carry on (the app then falls back to
# OpenCV playback; the tests need them).
#   run:  libmpv2 (the embedded player), python3-venv
#   test: also ffmpeg, tmux, chromium (browser tests), dosfstools (no-hard-link filesystem
#         tests), xvfb + xauth (the --player window test), imagemagick (decodes our Sixel
#         images, takes screenshots), xterm + kitty + libgl1-mesa-dri (software OpenGL for
#         kitty) + xdotool: the video pane tested in real terminals on Xvfb
set -eu
purpose=${1:-run}
packages="libmpv2 python3-venv"
[ "$purpose" = test ] && packages="$packages ffmpeg tmux chromium dosfstools fonts-dejavu-core xvfb xauth imagemagick xterm kitty libgl1-mesa-dri xdotool"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "vidsort: please install with your package manager:$missing" >&2
    [ "$purpose" = test ] && exit 1 || exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "vidsort: system packages missing:$missing" >&2
    echo "vidsort: run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
    [ "$purpose" = test ] && exit 1 || exit 0
fi
echo "vidsort: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
