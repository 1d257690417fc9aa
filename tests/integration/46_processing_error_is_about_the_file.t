#!/usr/bin/env bash
# processing_error is a sentence about the file, never our internals: a FLAC
# whose frames are garbage (ffmpeg writes a playlist that does not hold up)
# and a WAV with 255 channels (ffmpeg cannot resample it) each fail once with
# a clean sentence, while the operator's detail (job_runs.message,
# jobs.last_error) keeps what really went wrong.
. "$(dirname "$0")/../lib/flow.sh"
R=t46
cleanup() { "$ROOT/scripts/stack.sh" stop-runner $R >/dev/null 2>&1; rm -rf "$TMP"; }
trap cleanup EXIT
"$ROOT/scripts/stack.sh" start-runner $R >/dev/null 2>&1
TOK=$(token)

# A real FLAC's header (STREAMINFO and ffmpeg's 8 KiB of padding), then every
# frame overwritten with (seeded, so repeatable) random bytes: it probes as
# 20 s of FLAC and decodes to nothing.
make_audio "$TMP/good.flac" 20
perl -e 'open(my $f, "+<", $ARGV[0]) or die; binmode $f; my $size = -s $f;
	srand(11); seek($f, 8192, 0); print $f pack("C*", map { int(rand(256)) } 1 .. $size - 8192 - 64);
	close $f' "$TMP/good.flac"
mv "$TMP/good.flac" "$TMP/corrupt.flac"
is "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$TMP/corrupt.flac")" 20.000000 \
	"the corrupt FLAC probes as 20 s"

# A WAV header with nChannels = 255 (PCM s16le, 8 kHz, 1 s of silence).
perl -e 'my ($ch, $rate, $n) = (255, 8000, 8000); my $data = $ch * 2 * $n;
	print "RIFF", pack("V", 36 + $data), "WAVE", "fmt ", pack("VvvVVvv", 16, 1, $ch, $rate,
	$rate * $ch * 2, $ch * 2, 16), "data", pack("V", $data), "\0" x $data' > "$TMP/ch255.wav"
is "$(ffprobe -v error -show_entries stream=channels -of csv=p=0 "$TMP/ch255.wav")" 255 \
	"the WAV has 255 channels"

SENTENCE="the audio could not be converted; the file may be damaged"
# fails_cleanly FILE EXT NAME DETAIL: fails once; the artist's sentence is
# SENTENCE; the operator's message matches DETAIL; nothing published
fails_cleanly() {
	local job err
	ok "$3: upload" upload "$TOK" "$1" "$2"
	complete "$TOK" "$TRACK_ID"
	is "$STATUS" 202 "$3: complete accepted"
	wait_status "$TOK" "$TRACK_ID" failed 90
	is "$(jget .status)" failed "$3: the track failed"
	is "$(jget .error)" "$SENTENCE" "$3: the error is a sentence about the file"
	api GET "/tracks/$TRACK_ID" "" "$TOK"
	is "$(jget .processing_error)" "$SENTENCE" "$3: the track view says the same"
	job=$(psql_q "select id from jobs where track_id = '$TRACK_ID'")
	is "$(psql_q "select state || ' ' || attempts from jobs where id = $job")" "failed 1" \
		"$3: failed after one attempt (permanent)"
	like "$(psql_q "select message from job_runs where job_id = $job")" "$4" \
		"$3: job_runs.message keeps the detail"
	like "$(psql_q "select last_error from jobs where id = $job")" "$4" "$3: and so does last_error"
	is "$(ls "$STACK_DIR/s3/$STORAGE_BUCKET/hls/$TRACK_ID" 2>/dev/null | wc -l)" 0 "$3: nothing published"
}
fails_cleanly "$TMP/corrupt.flac" flac "corrupt FLAC" "^media playlist line [0-9]+: bad EXT-X-TARGETDURATION\$"
fails_cleanly "$TMP/ch255.wav" wav "255-channel WAV" "^ffmpeg exit status 1: .*@ 0x[0-9a-f]+"
done_testing
