#!/usr/bin/env bash
# upload -> complete -> completed: the runner publishes HLS that ffprobe reads
# back through STORAGE_PUBLIC_URL (duration within one segment of the
# source), with a master playlist per the design, and progress is seen
# rising and ending at 100.
. "$(dirname "$0")/../lib/flow.sh"
R=t30
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1

TOK=$(token)
SECS=150
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=330:sample_rate=44100:duration=$SECS" \
	-f lavfi -i "anoisesrc=d=$SECS:c=pink:a=0.05:r=44100" \
	-filter_complex "[0][1]amix=inputs=2,aformat=channel_layouts=stereo" -c:a libmp3lame -b:a 96k "$TMP/song.mp3"
SRC=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$TMP/song.mp3")

ok "upload" upload "$TOK" "$TMP/song.mp3" mp3
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"

seen=() last=-1 rising=1 final=
for ((i = 0; i < 240; i++)); do
	track_status "$TOK" "$TRACK_ID"
	p=$(jget .progress); s=$(jget .status)
	if [ "$p" != "$last" ]; then seen+=("$p"); [ "$p" -lt "$last" ] && rising=0; last=$p; fi
	[ "$s" = completed ] || [ "$s" = failed ] && { final=$s; break; }
	sleep 0.25
done
diag "progress seen: ${seen[*]}"
is "$final" completed "track completed"
is "$(jget .progress)" 100 "progress ends at 100"
is "$rising" 1 "progress never goes down"
mid=0; for p in "${seen[@]}"; do [ "$p" -gt 0 ] && [ "$p" -lt 100 ] && mid=$((mid + 1)); done
cmp_ok "$mid" -ge 2 "progress seen rising between 0 and 100"

api GET "/tracks/$TRACK_ID" "" "$TOK"
URL=$(jget .hls_url)
like "$URL" "^$STORAGE_PUBLIC_URL/hls/$TRACK_ID/[0-9a-f]{16}/master\\.m3u8$" "hls_url is under a fresh prefix"
DUR=$(jget .duration_seconds)
ok "duration_seconds is the source's" awk -v a="$DUR" -v b="$SRC" 'BEGIN { d = a - b; exit !(d < 0.5 && d > -0.5) }'

MASTER=$(curl -s --max-time 10 "$URL")
like "$MASTER" '^#EXTM3U' "master playlist served"
is "$(grep -c '^#EXT-X-STREAM-INF:' <<<"$MASTER")" 3 "three variants (64k/128k/160k)"
is "$(grep '^#EXT-X-STREAM-INF:' <<<"$MASTER" | grep -vc 'BANDWIDTH=[0-9]*,AVERAGE-BANDWIDTH=[0-9]*,CODECS="mp4a.40.2"$')" 0 \
	"every variant has BANDWIDTH, AVERAGE-BANDWIDTH and CODECS"
is "$(grep -c RESOLUTION <<<"$MASTER")" 0 "no RESOLUTION"
ok "peak >= average, near the ladder" awk -F'[=,]' '/STREAM-INF/ { if ($2 < $4) exit 1; n++; r[n] = $4 }
	END { exit !(n == 3 && r[1] > 60000 && r[1] < 80000 && r[3] > 150000 && r[3] < 190000) }' <<<"$MASTER"
is "$(curl -s -o /dev/null -w '%{content_type}' "$URL")" application/vnd.apple.mpegurl "master content type"
MEDIA=$(curl -s "${URL%master.m3u8}a128/index.m3u8")
like "$MEDIA" '#EXT-X-MAP:URI="init.mp4"' "fMP4 media playlist with EXT-X-MAP"
like "$MEDIA" '#EXT-X-PLAYLIST-TYPE:VOD' "VOD"
like "$MEDIA" '#EXT-X-TARGETDURATION:6' "6 s target duration"
like "$MEDIA" '#EXT-X-ENDLIST' "ENDLIST"
SEG=$(grep -m1 '^seg_' <<<"$MEDIA")
H=$(curl -s -D - -o /dev/null "${URL%master.m3u8}a128/$SEG")
like "$H" '[Cc]ontent-[Tt]ype: audio/mp4' "segment content type"
like "$H" 'immutable' "segments cached as immutable"

GOT=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$URL")
diag "source $SRC s, HLS $GOT s"
ok "ffprobe reads the master back within one segment of the source" \
	awk -v a="$GOT" -v b="$SRC" 'BEGIN { d = a - b; exit !(d < 6 && d > -6) }'
CODEC=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name,profile,channels -of csv=p=0 "${URL%master.m3u8}a64/index.m3u8")
like "$CODEC" '^aac,LC,2' "AAC-LC stereo"

is "$(psql_q "select state || ' ' || attempts || ' ' || progress from jobs where track_id = '$TRACK_ID'")" \
	"succeeded 1 100" "job succeeded on the first attempt"
is "$(psql_q "select outcome from job_runs r join jobs j on j.id = r.job_id where j.track_id = '$TRACK_ID'")" \
	succeeded "one run, succeeded"
is "$(ls "$WORK_DIR" | grep -c "^mustory-")" 0 "no temp files left"
done_testing
