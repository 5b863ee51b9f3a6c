#!/usr/bin/env bash
# The README's screenshots of the real program (`make screenshots`): peerscope --demo in tmux,
# driven to each view, captured and rendered to screenshots/*.png by scripts/screenshot.sh.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${PEERSCOPE_BIN:-.build/debug/peerscope}
[ -x "$bin" ] || { echo "screenshots: $bin is missing; run swift build first" >&2; exit 1; }
shot=scripts/screenshot.sh
out=screenshots
mkdir -p "$out"
run=(-- env TERM=xterm-256color "$bin" --demo --ephemeral)

# Connections, the selected connection's upgrade timeline, its yamux streams, the event log.
"$shot" --size 120x36 --wait "peerscope-dem" --wait "SENDWIN" --wait "/echo/1.0.0" --wait "ms  " \
  --title "peerscope --demo (120x36)" "$out/overview.png" "${run[@]}"

# The stream view: an echo stream opened on a demo peer, a line sent and echoed back.
"$shot" --size 120x36 --wait "peerscope-dem" --wait "connection ready" \
  --type ":open /echo/1.0.0" --keys Enter --wait "opened /echo/1.0.0" \
  --type "hello over yamux" --keys Enter --wait "← hello over yamux" \
  --title "stream view: /echo/1.0.0" "$out/stream-view.png" "${run[@]}"

# A failed dial: nothing listens on port 1; the timeline names the step and the reason.
"$shot" --size 120x36 --wait "peerscope-dem" \
  --type ":dial /ip4/127.0.0.1/tcp/1" --keys Enter --wait "✗ failed" --wait "refused" \
  --title "failed dial" "$out/failed-dial.png" "${run[@]}"

# The help overlay.
"$shot" --size 100x30 --wait "peerscope-dem" --keys "?" --wait "open PROTOCOL" \
  --title "help (?)" "$out/help.png" "${run[@]}"

# 80x24: the upgrade timeline becomes a tab of the streams pane.
"$shot" --size 80x24 --wait "peerscope-dem" --wait "SENDWIN" \
  --title "peerscope --demo (80x24)" "$out/compact-80x24.png" "${run[@]}"

echo "screenshots: wrote $(ls "$out"/*.png | wc -l) PNGs to $out/"
