#!/usr/bin/env bash
# A decompression bomb: a FLAC whose STREAMINFO claims 1 s but whose frames
# hold an hour of audio probes as 1 s. The runner must never decode past the
# stated length (plus a little): the job fails once, permanently, with a
# sentence, and nothing is published. For a container whose length is only
# an estimate (VBR MP3 without a Xing header), the hard cap
# MAX_DURATION_SECONDS is what stops the decode.
. "$(dirname "$0")/../lib/flow.sh"
R=t41
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
# The MP3 case needs a cap below its real length (60 s) but above its estimate.
MAX_DURATION_SECONDS=30 "$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)

# An hour of 8 kHz silence in 65535-sample frames (a few KB), then the
# STREAMINFO total-samples field (36 bits at byte 21.5..25) set to 8000 = 1 s.
ffmpeg -nostdin -v error -y -f lavfi -i "anullsrc=r=8000:cl=mono" -t 3700 \
	-c:a flac -sample_fmt s16 -frame_size 65535 "$TMP/bomb.flac"
perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; seek($f, 18, 0);
	read($f, my $b, 8) == 8 or die; my ($hi, $lo) = unpack("NN", $b);
	$hi = ($hi & 0xFFFFFFF0); $lo = $ARGV[1];
	seek($f, 18, 0); print $f pack("NN", $hi, $lo); close $f' "$TMP/bomb.flac" 8000
is "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$TMP/bomb.flac")" 1.000000 \
	"the bomb probes as 1 s"
cmp_ok "$(stat -c %s "$TMP/bomb.flac")" -lt 65536 "and is a small file"

# runs_once TRACK_ID: the job failed after exactly one attempt, nothing published
runs_once() {
	local job
	job=$(psql_q "select id from jobs where track_id = '$1'")
	is "$(psql_q "select state || ' ' || attempts from jobs where id = $job")" "failed 1" \
		"$2: failed after one attempt (permanent)"
	is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$1" 2>/dev/null | wc -l)" 0 "$2: nothing published"
	api GET "/tracks/$1" "" "$TOK"
	is "$(jget .hls_url)" null "$2: no hls_url"
}

ok "upload the bomb" upload "$TOK" "$TMP/bomb.flac" flac
complete "$TOK" "$TRACK_ID"
is "$STATUS" 202 "complete accepted"
wait_status "$TOK" "$TRACK_ID" failed 60
is "$(jget .status)" failed "the bomb's track failed"
is "$(jget .error)" "the file claims to be 1 s long but decodes to much longer; it may be damaged or made to look shorter than it is" \
	"the error says the file lies about its length"
runs_once "$TRACK_ID" flac
like "$(grep "track $TRACK_ID" "$STACK_DIR/logs/runner-$R.log" | tail -n 3)" "running -> failed" \
	"the runner logs the failure"

# A VBR MP3 without a Xing header: 3 s of noise then 57 s of silence probes
# as about 14 s from the first frames' bit rate; it really lasts 60 s.
ffmpeg -nostdin -v error -y -f lavfi -i "anoisesrc=d=3:c=white:a=0.9" \
	-f lavfi -i "anullsrc=r=44100:cl=stereo:d=57" -filter_complex "[0][1]concat=n=2:v=0:a=1" \
	-ac 2 -c:a libmp3lame -q:a 0 -write_xing 0 "$TMP/vbr.mp3"
est=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$TMP/vbr.mp3")
cmp_ok "${est%.*}" -lt 30 "the MP3's estimated length ($est s) is under the cap"
ok "upload the MP3" upload "$TOK" "$TMP/vbr.mp3" mp3
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" failed 60
is "$(jget .error)" "the file decodes to more than 30 s of audio, the longest track accepted" \
	"the hard cap stops an estimated length"
runs_once "$TRACK_ID" mp3

# An honest FLAC still completes under the same runner.
make_audio "$TMP/ok.flac" 5
ok "upload an honest FLAC" upload "$TOK" "$TMP/ok.flac" flac
complete "$TOK" "$TRACK_ID"
wait_status "$TOK" "$TRACK_ID" completed 60
is "$(jget .status)" completed "an honest FLAC completes"
done_testing
