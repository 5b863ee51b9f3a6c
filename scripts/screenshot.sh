#!/usr/bin/env bash
# Screenshot of a terminal program: runs it in a private tmux server of a fixed size, types keys,
# waits for text, captures the screen with colours and renders it to a PNG (scripts/ansi2png.py).
#
#   scripts/screenshot.sh [options] OUT.png -- COMMAND [ARGS...]
#
#   --size COLSxROWS   terminal size (default 100x30)
#   --wait TEXT        wait until TEXT is on screen
#   --keys "K1 K2 …"   send tmux key names (Enter, Escape, Tab, BTab, Up, C-c, M-x, j, …)
#   --type TEXT        type TEXT literally
#   --timeout SECONDS  how long each --wait may take (default 15)
#   --locale NAME      LANG inside the terminal (default C.UTF-8; C shows the ASCII fallback)
#   --title TEXT       window title in the PNG (default: OUT's name and the size)
#
# --wait, --keys and --type run in the order given. Then the script waits until the screen stops
# changing and captures it. OUT.ans (the capture with escape codes) is kept beside OUT.png.
# Needs tmux, and Pillow for the python that runs ansi2png.py: .venv/bin/python when it exists,
# else $PEERSCOPE_PYTHON, else python3.
#
# Example:
#   scripts/screenshot.sh --size 80x24 --wait "Connections" --keys "Tab j" shot.png -- .build/debug/peerscope
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

size=100x30 timeout=15 locale=C.UTF-8 title="" out=""
steps=()
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --wait) steps+=("wait" "$2"); shift 2 ;;
    --keys) steps+=("keys" "$2"); shift 2 ;;
    --type) steps+=("type" "$2"); shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --locale) locale=$2; shift 2 ;;
    --title) title=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    -*) echo "screenshot: unknown option $1" >&2; usage ;;
    *) out=$1; shift ;;
  esac
done
[ -n "$out" ] && [ $# -gt 0 ] || usage
[[ "$size" =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "screenshot: --size wants COLSxROWS, got $size" >&2; exit 2; }
cols=${BASH_REMATCH[1]} rows=${BASH_REMATCH[2]}
command -v tmux >/dev/null || { echo "screenshot: tmux is not installed (apt-get install tmux)" >&2; exit 1; }

python=${PEERSCOPE_PYTHON:-}
[ -z "$python" ] && [ -x "$root/.venv/bin/python" ] && python="$root/.venv/bin/python"
[ -z "$python" ] && python=python3
"$python" -c "import PIL" 2>/dev/null || {
  echo "screenshot: $python has no Pillow; install it: .venv/bin/pip install pillow (and fonts-dejavu-core)" >&2
  exit 1
}

# A private server (-L) with no user configuration (-f /dev/null); -u: UTF-8 whatever our locale.
socket="peerscope-shot-$$-$RANDOM"
tmux_() { env -u TMUX -u NO_COLOR -u LC_ALL -u LC_CTYPE tmux -u -f /dev/null -L "$socket" "$@"; }
socket_path=""
cleanup() {
  tmux_ kill-server 2>/dev/null || true
  # tmux leaves its socket file behind when killed.
  if [ -n "$socket_path" ]; then rm -f "$socket_path"; fi
}
trap cleanup EXIT

printf -v program '%q ' "$@"
# The pane stays open after the program ends, so its last screen can still be captured.
tmux_ start-server \; set-option -g default-terminal tmux-256color \; \
  new-session -d -s shot -x "$cols" -y "$rows" -e "LANG=$locale" \
  "$program; exec sleep 86400" >/dev/null
socket_path=$(tmux_ display-message -p '#{socket_path}')

screen() { tmux_ capture-pane -t shot -p; }

wait_for() {
  local deadline=$((SECONDS + timeout))
  until screen | grep -qF -- "$1"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "screenshot: \"$1\" did not appear within ${timeout}s; the screen was:" >&2
      screen | sed 's/^/  | /' >&2
      exit 1
    fi
    sleep 0.1
  done
}

i=0
while [ $i -lt ${#steps[@]} ]; do
  action=${steps[$i]} argument=${steps[$((i + 1))]}
  case "$action" in
    wait) wait_for "$argument" ;;
    keys) read -ra keys <<<"$argument"; tmux_ send-keys -t shot "${keys[@]}" ;;
    type) tmux_ send-keys -t shot -l "$argument" ;;
  esac
  i=$((i + 2))
done

# Settle: capture once two looks 200 ms apart agree (at most 3 s), so no half-drawn frame is kept.
previous="" settled=0
for _ in $(seq 15); do
  current=$(tmux_ capture-pane -t shot -e -p -N)
  if [ "$current" = "$previous" ] && [ -n "$current" ]; then settled=1; break; fi
  previous=$current
  sleep 0.2
done
[ $settled = 1 ] || echo "screenshot: the screen kept changing; capturing it anyway" >&2

capture="${out%.png}.ans"
tmux_ capture-pane -t shot -e -p -N >"$capture"
"$python" "$here/ansi2png.py" "$capture" "$out" --cols "$cols" --rows "$rows" \
  --title "${title:-$(basename "$out" .png) — ${cols}x${rows}}"
