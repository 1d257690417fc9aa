#!/usr/bin/env bash
# 50 completes of one multipart track at once: the first locks the track
# row and completes the upload in storage, the others wait for the lock and
# answer 200 with the current status. Exactly one 202, one job, one
# CompleteMultipartUpload reaching storage, and not one 5xx (the upload id
# is gone once completed; nobody may trip over that). And a complete that
# finds the upload already completed in storage (by a call whose
# transaction then failed) checks the object and queues the job.
. "$(dirname "$0")/../lib/flow.sh"
. "$ROOT/tests/lib/multipart.sh"
N=50
TOK=$(token)
PS=$(jq -n 8*1024*1024) # the default MULTIPART_PART_BYTES
head -c $((PS + 2 * 1024 * 1024)) /dev/urandom >"$TMP/a.wav"
mp_init "$TOK" "$(stat -c %s "$TMP/a.wav")"
is "$STATUS" 201 "init"
is "$(jq .audio_multipart.part_count <<<"$INIT")" 2 "2 parts of the default 8 MiB"
ID=$TRACK_ID
mp_split "$TMP/a.wav" "$PS"
for n in 1 2; do
	mp_put "$(mp_url "$INIT" $n)" "$TMP/part.$n"
	is "$STATUS" 200 "part $n"
done
LOG=$STACK_DIR/logs/storage.log
before=$(grep -c "POST /$STORAGE_BUCKET/tracks/$ID/original.wav 200" "$LOG")

seq $N | xargs -P $N -I{} curl -s -o "$TMP/c.{}" -w '%{http_code}\n' --max-time 60 -X POST \
	-H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
	--data "{\"track_id\":\"$ID\"}" "$API_URL/tracks/upload/complete" >"$TMP/codes"
is "$(grep -c '^202$' "$TMP/codes")" 1 "exactly one 202"
is "$(grep -c '^200$' "$TMP/codes")" $((N - 1)) "the other $((N - 1)) answer 200"
is "$(cat "$TMP"/c.* | jq -r .status | sort -u | tr '\n' ' ')" "processing " "every answer says processing"
is "$(psql_q "select count(*) from jobs where track_id = '$ID'")" 1 "exactly one job"
after=$(grep -c "POST /$STORAGE_BUCKET/tracks/$ID/original.wav 200" "$LOG")
is "$((after - before))" 1 "one CompleteMultipartUpload reached storage"
complete "$TOK" "$ID"
is "$STATUS" 200 "a later complete: 200"
is "$(psql_q "select count(*) from jobs where track_id = '$ID'")" 1 "still one job"

# The upload completed in storage behind the API's back: its id is gone.
mp_init "$TOK" "$(stat -c %s "$TMP/a.wav")"
ID=$TRACK_ID
UPLOAD=$(jq -r .audio_multipart.upload_id <<<"$INIT")
xml='<CompleteMultipartUpload>'
for n in 1 2; do
	mp_put "$(mp_url "$INIT" $n)" "$TMP/part.$n"
	xml+="<Part><PartNumber>$n</PartNumber><ETag>$ETAG</ETag></Part>"
done
xml+='</CompleteMultipartUpload>'
KEY=$(psql_q "select original_audio_key from tracks where id = '$ID'")
like "$(curl -s --max-time 60 -X POST -H 'Content-Type: application/xml' --data-binary "$xml" \
	"$(storage_url "$KEY" POST "uploadId=$UPLOAD&")")" "<CompleteMultipartUploadResult" \
	"the upload completed directly in storage"
complete "$TOK" "$ID"
is "$STATUS" 202 "complete with the upload id gone: the object is checked, 202"
is "$(psql_q "select count(*) from jobs where track_id = '$ID'")" 1 "one job"

done_testing
