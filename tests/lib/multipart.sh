# tests/lib/multipart.sh: the app's resumable (multipart) upload, for the
# integration tests 65-68. Source after flow.sh. Functions set STATUS and
# BODY like flow.sh's.

# mp_init TOKEN FILE_SIZE [EXT]: init with "upload_mode": "multipart"; sets
# TRACK_ID and INIT (the answer) on 201.
mp_init() {
	local tok=$1 size=$2 ext=${3:-wav}
	api POST /tracks/upload/init "$(jq -nc --arg e "$ext" --argjson s "$size" \
		'{title:"Resumable", artist_name:"Phone", file_extension:$e, file_size:$s,
		  upload_mode:"multipart"}')" "$tok"
	INIT=$BODY
	TRACK_ID=$(jq -r '.track_id // empty' <<<"$BODY")
}

# mp_split FILE PART_SIZE: FILE cut into $TMP/part.1, $TMP/part.2, ...
mp_split() {
	local i=1 f
	rm -f "$TMP"/part.*
	split -b "$2" -d -a 5 "$1" "$TMP/cut."
	for f in "$TMP"/cut.*; do mv "$f" "$TMP/part.$i"; i=$((i + 1)); done
}

# mp_url JSON N: the url of part N in JSON's "parts" (or audio_multipart.parts)
mp_url() { jq -r --argjson n "$2" '(.audio_multipart.parts // .parts)[] | select(.part_number == $n) | .url' <<<"$1"; }

# mp_put URL FILE [curl args...]: PUT one part to its presigned URL, as a
# phone would; sets STATUS, BODY and ETAG (from the answer's headers).
mp_put() {
	local url=$1 file=$2
	shift 2
	STATUS=$(curl -s -o "$TMP/put" -D "$TMP/put.h" -w '%{http_code}' --max-time 120 "$@" -T "$file" "$url")
	BODY=$(cat "$TMP/put" 2>/dev/null)
	ETAG=$(tr -d '\r' <"$TMP/put.h" | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
}

mp_parts() { api POST /tracks/upload/parts "{\"track_id\":\"$2\"}" "$1"; }

# storage_url KEY [METHOD] [QUERY]: a presigned URL for KEY (QUERY, e.g.
# "uploadId=X&", goes first), signed with aws4 (node), independently of the
# C signer: tracks/ is private in storage.
storage_url() {
	KEY=$1 METHOD=${2:-GET} QUERY=${3:-} node -e '
		const aws4 = require(process.env.ROOT + "/node_modules/aws4");
		const u = new URL(process.env.STORAGE_ENDPOINT);
		const o = aws4.sign({ host: u.host, method: process.env.METHOD, service: "s3",
			path: `/${process.env.STORAGE_BUCKET}/${process.env.KEY}?${process.env.QUERY}X-Amz-Expires=300`,
			region: process.env.STORAGE_REGION, signQuery: true },
			{ accessKeyId: process.env.STORAGE_ACCESS_KEY,
			  secretAccessKey: process.env.STORAGE_SECRET_KEY });
		console.log(`${u.protocol}//${u.host}${o.path}`);'
}

# restart_api [VAR=value...]: the API again, with these settings
restart_api() {
	"$ROOT/scripts/stack.sh" stop-api >/dev/null 2>&1
	env "$@" "$ROOT/scripts/stack.sh" start-api >/dev/null 2>&1
}
