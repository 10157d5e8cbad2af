#!/usr/bin/env bash
# Add scribe-desktop to the current user's desktop menu (no root needed), or remove it.
#   ./install.sh                     install; the binary is found beside this script (an
#                                    unpacked bundle), else `scribe-desktop` on PATH
#   ./install.sh --exec /path/to/scribe-desktop
#   ./install.sh --uninstall
# Writes $XDG_DATA_HOME/applications/scribe-desktop.desktop (default ~/.local/share) and the
# icons into $XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/ (+ scalable/apps/ for the SVG).
set -euo pipefail

NAME=scribe-desktop
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
APPS="$DATA/applications"
HICOLOR="$DATA/icons/hicolor"
SIZES=(16 24 32 48 64 128 256 512)

die() { echo "install.sh: $*" >&2; exit 1; }

find_file() {  # the first existing path among the arguments
  local p
  for p in "$@"; do [[ -e $p ]] && { printf '%s\n' "$p"; return 0; }; done
  return 1
}

refresh_caches() {  # optional tools: menus pick the change up without them, just later
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
  command -v gtk-update-icon-cache >/dev/null \
    && gtk-update-icon-cache -q -t -f "$HICOLOR" 2>/dev/null || true
}

uninstall() {
  rm -f "$APPS/$NAME.desktop" "$HICOLOR/scalable/apps/$NAME.svg"
  local size
  for size in "${SIZES[@]}"; do rm -f "$HICOLOR/${size}x${size}/apps/$NAME.png"; done
  refresh_caches
  echo "removed $NAME from the desktop menu"
}

install() {
  local exec_path=$1
  if [[ -z $exec_path ]]; then
    exec_path="$(find_file "$HERE/$NAME" || command -v "$NAME" || true)"
  fi
  [[ -n $exec_path && -x $exec_path ]] \
    || die "no $NAME binary found (beside this script or on PATH); pass --exec PATH"
  exec_path="$(cd "$(dirname "$exec_path")" && pwd)/$(basename "$exec_path")"
  # the icons: beside the script in a bundle, resources/icons in the source tree
  local icons desktop
  icons="$(find_file "$HERE/icons" "$HERE/../icons")" || die "no icons directory found"
  desktop="$(find_file "$HERE/$NAME.desktop")" || die "no $NAME.desktop beside this script"

  local size
  for size in "${SIZES[@]}"; do
    [[ -f $icons/app-$size.png ]] || die "missing icon $icons/app-$size.png"
    mkdir -p "$HICOLOR/${size}x${size}/apps"
    cp "$icons/app-$size.png" "$HICOLOR/${size}x${size}/apps/$NAME.png"
  done
  mkdir -p "$HICOLOR/scalable/apps" "$APPS"
  cp "$icons/app.svg" "$HICOLOR/scalable/apps/$NAME.svg"

  # Exec= takes the absolute binary; the desktop entry spec wants it quoted if it has spaces
  local quoted="$exec_path"
  if [[ $exec_path == *[[:space:]]* ]]; then
    quoted="\"${exec_path//\"/\\\"}\""
  fi
  local escaped=${quoted//\\/\\\\}  # sed replacement: keep backslashes
  escaped=${escaped//&/\\&}
  escaped=${escaped//|/\\|}
  sed -e "s|^Exec=$NAME\b|Exec=$escaped|" "$desktop" >"$APPS/$NAME.desktop.tmp"
  chmod 644 "$APPS/$NAME.desktop.tmp"
  mv "$APPS/$NAME.desktop.tmp" "$APPS/$NAME.desktop"
  refresh_caches
  echo "installed $NAME in the desktop menu ($APPS/$NAME.desktop -> $exec_path)"
}

exec_arg=""
action=install
while (($#)); do
  case "$1" in
    --uninstall) action=uninstall ;;
    --exec) shift; (($#)) || die "--exec needs a path"; exec_arg=$1 ;;
    --exec=*) exec_arg=${1#--exec=} ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
  shift
done
if [[ $action == uninstall ]]; then uninstall; else install "$exec_arg"; fi
