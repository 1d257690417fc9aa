/*
 * fuzz_probe_parse: probe_parse() (jobs/probe.c) on arbitrary ffprobe
 * output, exactly size bytes (not NUL-terminated, as proc.c's capture
 * buffer is handed over), against each demuxer probe_sniff() can pick.
 * ffprobe reads the uploaded file, so its JSON carries untrusted tag text.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const demuxers[] = { "mp3", "aac", "flac", "wav", "ogg", "mov" };
	struct probe_info pi;
	struct errbuf e;
	enum result rc;
	size_t i;

	for (i = 0; i < sizeof(demuxers) / sizeof(demuxers[0]); i++) {
		err_clear(&e);
		rc = probe_parse((const char *)data, size, demuxers[i], 3600, &pi, &e);
		if (rc == OK) {
			if (!(pi.duration_s > 0 && pi.duration_s <= 3600) || pi.channels <= 0 ||
			    pi.sample_rate <= 0 || pi.bit_rate < 0 ||
			    memchr(pi.codec, '\0', sizeof(pi.codec)) == NULL ||
			    memchr(pi.format_name, '\0', sizeof(pi.format_name)) == NULL)
				abort();
		} else if ((rc != ERR_IO && rc != ERR_PERMANENT && rc != ERR_NOMEM) ||
		    err_msg(&e)[0] == '\0') {
			abort();
		}
	}
	return 0;
}
