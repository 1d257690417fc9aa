#include "bodies.h"

const struct field_spec init_fields[] = {
	{ "title", FIELD_TEXT, true, offsetof(struct init_body, title) },
	{ "artist_name", FIELD_TEXT, true, offsetof(struct init_body, artist_name) },
	{ "file_extension", FIELD_AUDIO_EXT, true, offsetof(struct init_body, file_extension) },
	{ "file_size", FIELD_SIZE, true, offsetof(struct init_body, file_size) },
	{ "artwork_extension", FIELD_IMAGE_EXT, false, offsetof(struct init_body, artwork_extension) },
	{ "upload_mode", FIELD_UPLOAD_MODE, false, offsetof(struct init_body, upload_mode) },
};
const size_t init_nfields = sizeof(init_fields) / sizeof(init_fields[0]);

const struct field_spec complete_fields[] = {
	{ "track_id", FIELD_UUID, true, offsetof(struct complete_body, track_id) },
};
const size_t complete_nfields = sizeof(complete_fields) / sizeof(complete_fields[0]);

const struct field_spec parts_fields[] = {
	{ "track_id", FIELD_UUID, true, offsetof(struct parts_body, track_id) },
};
const size_t parts_nfields = sizeof(parts_fields) / sizeof(parts_fields[0]);
