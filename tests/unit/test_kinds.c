/*
 * test_kinds.c: jobs/kinds.c, the table of job kinds: which lane each kind
 * is in, and that a runner without WEBHOOK_SECRET never asks for a delivery
 * it could not sign.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "deliver.h"
#include "jobstate.h"
#include "kinds.h"
#include "stages.h"

static void
kinds_have_their_functions(void **state)
{
	(void)state;
	assert_ptr_equal(kinds_find("transcode_hls"), stages_run);
	assert_ptr_equal(kinds_find("webhook"), deliver_run);
	assert_null(kinds_find("purge_everything"));
}

static void
lanes_split_transcodes_from_deliveries(void **state)
{
	struct config cfg;
	const char *names[KINDS_MAX + 1];
	char secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", empty[] = "";

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.webhook_secret = secret;
	assert_int_equal(kinds_select(&cfg, KIND_LANE_QUICK, names), 1);
	assert_string_equal(names[0], "webhook");
	assert_null(names[1]);
	/* the main lane: everything else (a transcode, a purge) */
	assert_int_equal(kinds_select(&cfg, KIND_LANE_MAIN, names), 2);
	assert_string_equal(names[0], "transcode_hls");
	assert_string_equal(names[1], JOB_KIND_PURGE);
	assert_null(names[2]);
	assert_int_equal(kinds_select(&cfg, KIND_LANE_MAIN | KIND_LANE_QUICK, names), 3);
	/* no secret: no delivery at all, so no worker for them */
	cfg.webhook_secret = empty;
	assert_int_equal(kinds_select(&cfg, KIND_LANE_QUICK, names), 0);
	assert_null(names[0]);
	assert_int_equal(kinds_select(&cfg, KIND_LANE_MAIN | KIND_LANE_QUICK, names), 2);
	assert_string_equal(names[0], "transcode_hls");
	assert_string_equal(names[1], JOB_KIND_PURGE);
	cfg.webhook_secret = NULL;
	assert_int_equal(kinds_select(&cfg, KIND_LANE_QUICK, names), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_have_their_functions),
		cmocka_unit_test(lanes_split_transcodes_from_deliveries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
