# tests/lib/janitor.sh: helpers of the janitor's tests (84-88). Source after
# flow.sh (and multipart.sh, for storage_url).
ADMIN=$BIN/mustory-admin
S3DIR=$STACK_DIR/s3/$STORAGE_BUCKET

# upload_with_art TOKEN AUDIO ART ART_EXT: init with artwork, POST both (never
# complete); sets TRACK_ID
upload_with_art() {
	local size init
	size=$(stat -c %s "$2")
	api POST /tracks/upload/init "$(jq -nc --argjson s "$size" --arg e "$4" \
		'{title:"Janitor", artist_name:"A", file_extension:"mp3", file_size:$s, artwork_extension:$e}')" "$1"
	[ "$STATUS" = 201 ] || { diag "init: $STATUS $BODY"; return 1; }
	TRACK_ID=$(jget .track_id)
	init=$BODY
	post_form "$(jq -r .audio_upload_url <<<"$init")" "$(jq -c .audio_upload_fields <<<"$init")" "$2"
	case "$STATUS" in 2??) ;; *) diag "audio POST: $STATUS $BODY"; return 1 ;; esac
	post_form "$(jq -r .artwork_upload_url <<<"$init")" "$(jq -c .artwork_upload_fields <<<"$init")" "$3"
	case "$STATUS" in 2??) ;; *) diag "artwork POST: $STATUS $BODY"; return 1 ;; esac
}

# objects PREFIX: the keys devs3 holds under PREFIX (e.g. hls/<id>/), sorted
objects() {
	[ -d "$S3DIR/$1" ] || return 0
	(cd "$S3DIR" && find "$1" -type f -name '*._S3rver_object' | sed 's/\._S3rver_object$//' | sort)
}
nobjects() { objects "$1" | grep -c . ; }

# storage_put KEY FILE: PUT FILE at KEY with a URL signed by aws4 (node),
# not by the code under test
storage_put() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X PUT --data-binary "@$2" \
		"$(storage_url "$1" PUT)")
	[ "$code" = 200 ] || { diag "PUT $1: $code"; return 1; }
}

# backdate ID COLUMN SECONDS: the track's COLUMN (created_at, expired_at) that
# many seconds in the past
backdate() {
	psql_q "update tracks set $2 = now() - make_interval(secs => $3) where id = '$1'" >/dev/null
}
