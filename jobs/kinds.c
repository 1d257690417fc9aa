#include "kinds.h"

#include <stddef.h>
#include <string.h>

#include "stages.h"

struct kind_row {
	const char *name;
	kind_run_fn run;
};

/* One row a kind. Adding a kind: its row here, its function in its own file. */
static const struct kind_row kind_table[] = {
	{ "transcode_hls", stages_run },
};

#define KIND_COUNT (sizeof(kind_table) / sizeof(kind_table[0]))

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
