#!/usr/bin/env bash
# mustory-upload on a terminal: run under tmux (our own server socket), the
# pane shows the upload bar (percentage, bytes sent / total, rate, ETA),
# then the processing percentage from status, then the hls_url; Ctrl-C in
# the pane during an upload stops it cleanly with exit status 130.
. "$(dirname "$0")/../lib/flow.sh"
R=t81
SOCK=mustory-t81-$$
cleanup() {
	tmux -L "$SOCK" kill-server >/dev/null 2>&1
	"$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
command -v tmux >/dev/null || bail "tmux is not installed (scripts/deps.sh)"
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
# ~4 MB: at --limit-rate 1M the upload takes about 4 s, long enough to see the bar.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:duration=100" -c:a libmp3lame -b:a 320k \
	-metadata title="Bar Song" -metadata artist="Bar Band" "$TMP/bar.mp3"

# pane NAME ARGS...: starts the CLI in a new tmux window of 120x30; its exit
# status goes to $TMP/NAME.rc
pane() {
	local name=$1; shift
	{
		printf 'export MUSTORY_API=%q MUSTORY_TOKEN=%q\n' "$API_URL" "$TOK"
		printf '%q ' "$BIN/mustory-upload" "$@"
		printf '\nrc=$?; echo "EXIT=$rc"; echo "$rc" > %q\nsleep 300\n' "$TMP/$name.rc"
	} > "$TMP/$name.sh"
	tmux -L "$SOCK" -f /dev/null new-session -d -s "$name" -x 120 -y 30 bash "$TMP/$name.sh"
}
grab() { tmux -L "$SOCK" capture-pane -p -t "$1" 2>/dev/null; }

# Read the pane every 0.1 s (at most 90 s) until the run has exited.
pane bar --limit-rate 1M "$TMP/bar.mp3"
: > "$TMP/frames"
for ((i = 0; i < 900; i++)); do
	grab bar >> "$TMP/frames"; echo "----" >> "$TMP/frames"
	[ -s "$TMP/bar.rc" ] && break
	sleep 0.1
done
grab bar > "$TMP/final"
diag "final pane:" "$(grep -v '^$' "$TMP/final")"
is "$(cat "$TMP/bar.rc" 2>/dev/null)" 0 "the upload under tmux exits 0"

BAR='\[[#-]{10,}\] +([0-9]{1,3})% +[0-9.]+ (B|KiB|MiB) / [0-9.]+ MiB +[0-9.]+ (B|KiB|MiB)/s +ETA [0-9]+:[0-9]{2}'
mid=$(grep -E "$BAR" "$TMP/frames" | grep -Eo '\] +[0-9]+%' | tr -dc '0-9\n' | awk '$1 > 0 && $1 < 100' | sort -un | wc -l)
diag "upload bar line: $(grep -E "$BAR" "$TMP/frames" | grep -E '\] +[1-9][0-9]?%' | head -n 1)"
cmp_ok "$mid" -ge 2 "the upload bar is seen at two or more percentages between 0 and 100"
ok "the bar shows a rate and an ETA" grep -Eq "bar\\.mp3 +$BAR" "$TMP/frames"
like "$(grep -Eo 'ETA [0-9]+:[0-9]{2}' "$TMP/frames" | sort -u | tr '\n' ' ')" 'ETA 0:0[1-9]' "the ETA counts seconds left"
ok "the bar reaches 100%" grep -Eq '\[#{10,}\] 100% ' "$TMP/frames"
ok "the processing bar is seen with its percentage" \
	grep -Eq 'bar\.mp3 +(pending|processing) +\[[#-]{10,}\] +[0-9]{1,3}%' "$TMP/frames"
ok "and ends completed at 100%" grep -Eq 'bar\.mp3 +completed +\[#{10,}\] 100%' "$TMP/final"
ok "the hls_url is printed in the pane" grep -Eq "^$STORAGE_PUBLIC_URL/hls/[0-9a-f-]{36}/[0-9a-f]{16}/master\\.m3u8" "$TMP/final"
ok "the step lines stay above the bar" grep -Eq 'bar\.mp3: audio uploaded: .* sent in [0-9.]+ s' "$TMP/final"

# Ctrl-C during the upload.
pane int --limit-rate 256K "$TMP/bar.mp3"
for ((i = 0; i < 300; i++)); do
	grab int | grep -Eq '\] +[1-9][0-9]?% ' && break
	sleep 0.1
done
ok "the second upload is under way" bash -c "tmux -L '$SOCK' capture-pane -p -t int | grep -Eq '\\] +[1-9][0-9]?% '"
tmux -L "$SOCK" send-keys -t int C-c
for ((i = 0; i < 100; i++)); do [ -s "$TMP/int.rc" ] && break; sleep 0.1; done
grab int > "$TMP/int.final"
diag "after Ctrl-C:" "$(grep -v '^$' "$TMP/int.final")"
is "$(cat "$TMP/int.rc" 2>/dev/null)" 130 "Ctrl-C: exit status 130, within 10 s"
ok "Ctrl-C: says it was interrupted" grep -Eq 'mustory-upload: .*bar\.mp3: audio upload: interrupted' "$TMP/int.final"
done_testing
