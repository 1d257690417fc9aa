#include "kinds.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "deliver.h"
#include "jobstate.h"
#include "purge.h"
#include "stages.h"
#include "webhook.h"

struct kind_row {
	const char *name;
	kind_run_fn run;
	int lane;                                  /* enum kind_lane; 0: KIND_LANE_MAIN */
	bool (*usable)(const struct config *cfg); /* NULL: always */
};

/* One row a kind. Adding a kind: its row here, its function in its own file. */
static const struct kind_row kind_table[] = {
	{ "transcode_hls", stages_run, KIND_LANE_MAIN, NULL },
	{ JOB_KIND_PURGE, purge_run, KIND_LANE_MAIN, NULL },
	{ WEBHOOK_JOB_KIND, deliver_run, KIND_LANE_QUICK, deliver_usable },
};

#define KIND_COUNT (sizeof(kind_table) / sizeof(kind_table[0]))
_Static_assert(KIND_COUNT <= KINDS_MAX, "raise KINDS_MAX");

kind_run_fn
kinds_find(const char *kind)
{
	size_t i;

	for (i = 0; i < KIND_COUNT; i++)
		if (strcmp(kind_table[i].name, kind) == 0)
			return kind_table[i].run;
	return NULL;
}

const char *const *
kinds_names(void)
{
	static const char *names[KIND_COUNT + 1];
	size_t i;

	if (names[0] == NULL)
		for (i = 0; i < KIND_COUNT; i++)
			names[i] = kind_table[i].name;
	return names;
}

size_t
kinds_select(const struct config *cfg, int lanes, const char *names[KINDS_MAX + 1])
{
	size_t i, n = 0;
	int lane;

	for (i = 0; i < KIND_COUNT; i++) {
		lane = kind_table[i].lane != 0 ? kind_table[i].lane : KIND_LANE_MAIN;
		if ((lane & lanes) == 0 ||
		    (kind_table[i].usable != NULL && !kind_table[i].usable(cfg)))
			continue;
		names[n++] = kind_table[i].name;
	}
	names[n] = NULL;
	return n;
}
