/* The job runner's pure parts: state machine, backoff, ladder, schedule, argv. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "artwork.h"
#include "encslots.h"
#include "jobstore.h"
#include "proc.h"
#include "purge.h"
#include "transcode.h"

/* Every event from every state: the whole move, the rescue's lease_lost too. */
static void
state_machine_table(void **state)
{
	static const struct {
		enum job_state from;
		enum job_event ev;
		int attempts, max;
		enum result cause;
		enum result rc;
		enum job_state to;
		const char *outcome;
		int track;             /* -1: the track does not change */
		double delay_s;
		bool uncount;
		const char *message;   /* "" for NULL */
		const char *public_message;
	} cases[] = {
		{ JOB_QUEUED, JEV_CLAIM, 0, 5, OK, OK, JOB_RUNNING, NULL, -1, 0, false, "", "" },
		{ JOB_RUNNING, JEV_CLAIM, 1, 5, OK, ERR_CONFLICT, JOB_RUNNING, NULL, -1, 0, false, "", "" },
		{ JOB_RUNNING, JEV_SUCCEED, 1, 5, OK, OK, JOB_SUCCEEDED, "succeeded", TRACK_COMPLETED,
		    0, false, "", "" },
		{ JOB_RUNNING, JEV_FAIL_TRANSIENT, 1, 5, ERR_STORAGE, OK, JOB_QUEUED, "retry", -1, 5,
		    false, "storage down", "" },
		{ JOB_RUNNING, JEV_FAIL_TRANSIENT, 3, 5, ERR_DB, OK, JOB_QUEUED, "retry", -1, 20,
		    false, "storage down", "" },
		{ JOB_RUNNING, JEV_FAIL_TRANSIENT, 5, 5, ERR_STORAGE, OK, JOB_FAILED, "failed",
		    TRACK_FAILED, 0, false, "Processing failed 5 times, the last time because storage "
		    "down; this is usually temporary, so retry later (an operator can run "
		    "mustory-runner --retry 42).", "Processing failed 5 times because our storage "
		    "service was unreachable; this is usually temporary and nothing is wrong with your "
		    "file. Try again later." },
		{ JOB_RUNNING, JEV_FAIL_TRANSIENT, 5, 5, ERR_IO, OK, JOB_FAILED, "failed",
		    TRACK_FAILED, 0, false, NULL, "Processing failed 5 times because of a temporary "
		    "problem on our side; this is usually temporary and nothing is wrong with your "
		    "file. Try again later." },
		{ JOB_RUNNING, JEV_FAIL_PERMANENT, 1, 5, ERR_PERMANENT, OK, JOB_FAILED, "failed",
		    TRACK_FAILED, 0, false, "storage down", "the file could not be processed; it "
		    "may be damaged or in a form we cannot read" },
		{ JOB_RUNNING, JEV_LEASE_LOST, 2, 5, OK, OK, JOB_QUEUED, "lease_lost", -1, 0, false,
		    "the runner host:1:r stopped renewing its lease (it died, hung or lost the "
		    "database) during attempt 2", "" },
		{ JOB_RUNNING, JEV_LEASE_LOST, 5, 5, OK, OK, JOB_FAILED, "lease_lost", TRACK_FAILED,
		    0, false, "the runner host:1:r stopped renewing its lease (it died, hung or lost "
		    "the database) during attempt 5", "Processing was interrupted 5 times before it "
		    "could finish; please try again later or upload the track again." },
		{ JOB_QUEUED, JEV_LEASE_LOST, 2, 5, OK, ERR_CONFLICT, JOB_QUEUED, NULL, -1, 0, false,
		    "", "" },
		{ JOB_RUNNING, JEV_HAND_BACK, 5, 5, ERR_ABORTED, OK, JOB_QUEUED, "handed_back", -1, 0,
		    true, "handed back: the runner host:1:r is shutting down", "" },
		{ JOB_FAILED, JEV_OPERATOR_RETRY, 5, 5, OK, OK, JOB_QUEUED, NULL, TRACK_PROCESSING,
		    0, false, "", "" },
		{ JOB_SUCCEEDED, JEV_OPERATOR_RETRY, 1, 5, OK, ERR_CONFLICT, JOB_SUCCEEDED, NULL, -1,
		    0, false, "", "" },
		{ JOB_QUEUED, JEV_SUCCEED, 0, 5, OK, ERR_CONFLICT, JOB_QUEUED, NULL, -1, 0, false,
		    "", "" },
		{ JOB_FAILED, JEV_FAIL_TRANSIENT, 1, 5, OK, ERR_CONFLICT, JOB_FAILED, NULL, -1, 0,
		    false, "", "" },
		{ JOB_RUNNING, JEV__MAX, 1, 5, OK, ERR_CONFLICT, JOB_RUNNING, NULL, -1, 0, false,
		    "", "" },
	};
	struct job_facts f;
	struct job_move m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum result rc;

		memset(&f, 0, sizeof(f));
		f.id = 42;
		f.attempts = cases[i].attempts;
		f.max_attempts = cases[i].max;
		f.owner = "host:1:r";
		f.cause = cases[i].cause;
		f.detail = cases[i].message != NULL ? "storage down" : NULL;
		f.backoff_base_s = 5;
		f.backoff_max_s = 600;
		f.jitter = 0.5;
		rc = job_next(cases[i].from, cases[i].ev, &f, &m);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d", i, rc);
		if (m.to != cases[i].to)
			fail_msg("case %zu: %s -%s-> %s", i, job_state_str(cases[i].from),
			    job_event_str(cases[i].ev), job_state_str(m.to));
		if (rc != OK)
			continue;
		if (m.track_changes != (cases[i].track >= 0) ||
		    (m.track_changes && (int)m.track != cases[i].track) ||
		    m.delay_s != cases[i].delay_s || m.uncount != cases[i].uncount ||
		    (cases[i].outcome == NULL) != (m.outcome == NULL) ||
		    (m.outcome != NULL && strcmp(m.outcome, cases[i].outcome) != 0))
			fail_msg("case %zu: %s -%s-> %s", i, job_state_str(cases[i].from),
			    job_event_str(cases[i].ev), job_state_str(m.to));
		if (cases[i].message != NULL)
			assert_string_equal(m.message, cases[i].message);
		assert_string_equal(m.public_message, cases[i].public_message);
	}
	assert_string_equal(job_state_str(JOB_FAILED), "failed");
	assert_string_equal(job_state_str((enum job_state)99), "unknown");
}

/*
 * Cancel (a queued job at once; a running one asked first, then ended by
 * its runner or the rescue of its lease), defer (a purge waiting for the
 * track's runner) and a persistent job (a purge never gives up on a
 * transient cause): the whole move, with the facts they read.
 */
static void
state_machine_cancel_defer_table(void **state)
{
	static const struct {
		enum job_state from;
		enum job_event ev;
		int attempts;
		bool persistent, cancel_requested;
		enum result rc;
		enum job_state to;
		const char *outcome;
		int track;             /* -1: the track does not change */
		double delay_s;
		bool uncount, request_cancel;
		const char *message;   /* NULL: not checked */
		const char *public_message;
	} cases[] = {
		{ JOB_QUEUED, JEV_CANCEL, 0, false, false, OK, JOB_CANCELLED, NULL, TRACK_FAILED, 0,
		    false, false, "cancelled before it ran (an operator cancelled it)",
		    "Processing was cancelled; upload the track again to have it processed." },
		{ JOB_RUNNING, JEV_CANCEL, 2, false, false, OK, JOB_RUNNING, NULL, -1, 0, false, true,
		    "cancel requested (an operator cancelled it): the runner host:1:r stops at its "
		    "next heartbeat", "" },
		{ JOB_RUNNING, JEV_CANCEL, 2, false, true, OK, JOB_CANCELLED, "cancelled",
		    TRACK_FAILED, 0, false, false, "cancelled during attempt 2, on the runner "
		    "host:1:r (as requested)", "Processing was cancelled; upload the track "
		    "again to have it processed." },
		{ JOB_SUCCEEDED, JEV_CANCEL, 1, false, false, ERR_CONFLICT, JOB_SUCCEEDED, NULL, -1,
		    0, false, false, NULL, "" },
		{ JOB_FAILED, JEV_CANCEL, 5, false, false, ERR_CONFLICT, JOB_FAILED, NULL, -1, 0,
		    false, false, NULL, "" },
		{ JOB_CANCELLED, JEV_CANCEL, 1, false, false, ERR_CONFLICT, JOB_CANCELLED, NULL, -1,
		    0, false, false, NULL, "" },
		{ JOB_CANCELLED, JEV_OPERATOR_RETRY, 1, false, false, OK, JOB_QUEUED, NULL,
		    TRACK_PROCESSING, 0, false, false, "", "" },
		{ JOB_CANCELLED, JEV_CLAIM, 1, false, false, ERR_CONFLICT, JOB_CANCELLED, NULL, -1,
		    0, false, false, NULL, "" },
		{ JOB_RUNNING, JEV_DEFER, 1, true, false, OK, JOB_QUEUED, "deferred", -1, 7, true,
		    false, "deferred for 7 s: it cannot run yet", "" },
		{ JOB_QUEUED, JEV_DEFER, 0, true, false, ERR_CONFLICT, JOB_QUEUED, NULL, -1, 0,
		    false, false, NULL, "" },
		{ JOB_RUNNING, JEV_FAIL_TRANSIENT, 5, true, false, OK, JOB_QUEUED, "retry", -1, 80,
		    false, false, "storage down", "" },
		{ JOB_RUNNING, JEV_LEASE_LOST, 5, true, false, OK, JOB_QUEUED, "lease_lost", -1, 0,
		    false, false, NULL, "" },
		{ JOB_RUNNING, JEV_FAIL_PERMANENT, 1, true, false, OK, JOB_FAILED, "failed",
		    TRACK_FAILED, 0, false, false, "storage down", "the file could not be processed; "
		    "it may be damaged or in a form we cannot read" },
	};
	struct job_facts f;
	struct job_move m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum result rc;

		memset(&f, 0, sizeof(f));
		f.id = 42;
		f.attempts = cases[i].attempts;
		f.max_attempts = 5;
		f.owner = "host:1:r";
		f.cause = ERR_STORAGE;
		f.detail = "storage down";
		f.backoff_base_s = 5;
		f.backoff_max_s = 600;
		f.jitter = 0.5;
		f.persistent = cases[i].persistent;
		f.cancel_requested = cases[i].cancel_requested;
		f.defer_s = 7;
		rc = job_next(cases[i].from, cases[i].ev, &f, &m);
		if (rc != cases[i].rc || m.to != cases[i].to)
			fail_msg("case %zu: rc %d, %s -%s-> %s", i, rc, job_state_str(cases[i].from),
			    job_event_str(cases[i].ev), job_state_str(m.to));
		if (rc != OK)
			continue;
		if (m.track_changes != (cases[i].track >= 0) ||
		    (m.track_changes && (int)m.track != cases[i].track) ||
		    m.delay_s != cases[i].delay_s || m.uncount != cases[i].uncount ||
		    m.request_cancel != cases[i].request_cancel ||
		    (cases[i].outcome == NULL) != (m.outcome == NULL) ||
		    (m.outcome != NULL && strcmp(m.outcome, cases[i].outcome) != 0))
			fail_msg("case %zu: %s -%s-> %s", i, job_state_str(cases[i].from),
			    job_event_str(cases[i].ev), job_state_str(m.to));
		if (cases[i].message != NULL)
			assert_string_equal(m.message, cases[i].message);
		assert_string_equal(m.public_message, cases[i].public_message);
	}
	assert_string_equal(job_state_str(JOB_CANCELLED), "cancelled");
	assert_string_equal(job_event_str(JEV_CANCEL), "cancel");
	/* the reason, when the caller knows it */
	memset(&f, 0, sizeof(f));
	f.reason = "the track was deleted";
	assert_int_equal(job_next(JOB_QUEUED, JEV_CANCEL, &f, &m), OK);
	assert_string_equal(m.message, "cancelled before it ran (the track was deleted)");
	assert_true(job_kind_persistent("purge"));
	assert_false(job_kind_persistent("transcode_hls"));
	assert_false(job_kind_persistent(NULL));
}

/* A purge names its track in its payload; anything else is no purge to run. */
static void
purge_payload_names_the_track(void **state)
{
	char id[37];

	(void)state;
	assert_true(purge_payload_track("{\"track_id\": \"123E4567-E89B-12D3-A456-426614174000\"}",
	    id));
	assert_string_equal(id, "123e4567-e89b-12d3-a456-426614174000");
	assert_false(purge_payload_track(NULL, id));
	assert_false(purge_payload_track("", id));
	assert_false(purge_payload_track("{}", id));
	assert_false(purge_payload_track("{\"track_id\": 7}", id));
	assert_false(purge_payload_track("{\"track_id\": \"../etc\"}", id));
	assert_false(purge_payload_track("[\"track_id\"]", id));
}

/* No detail: the failure is worded by its result. */
static void
state_machine_words_missing_detail(void **state)
{
	struct job_facts f = { 0 };
	struct job_move m;
	enum job_state s;

	(void)state;
	f.attempts = 1;
	f.max_attempts = 5;
	f.cause = ERR_TIMEOUT;
	assert_int_equal(job_next(JOB_RUNNING, JEV_FAIL_PERMANENT, &f, &m), OK);
	assert_string_equal(m.message, "timed out");
	f.owner = NULL;
	assert_int_equal(job_next(JOB_RUNNING, JEV_LEASE_LOST, &f, &m), OK);
	assert_non_null(strstr(m.message, "the runner ? stopped"));
	assert_true(job_state_parse("succeeded", &s) && s == JOB_SUCCEEDED);
	assert_false(job_state_parse("SUCCEEDED", &s));
	assert_string_equal(result_str(ERR_LEASE_LOST), "lease lost");
	assert_string_equal(result_str(ERR_ABORTED), "aborted");
}

/*
 * A permanent failure: the detail goes to the operator's message; the
 * artist reads the failing code's sentence, or one worded from the cause,
 * never the detail.
 */
static void
state_machine_permanent_public_sentence(void **state)
{
	static const struct {
		enum result cause;
		const char *public_msg;
		const char *want;
	} cases[] = {
		{ ERR_PERMANENT, "the file changed after the upload was completed; please upload "
		    "it again", "the file changed after the upload was completed; please upload "
		    "it again" },
		{ ERR_INVALID, NULL, "the file could not be processed; it may be damaged or in a "
		    "form we cannot read" },
		{ ERR_PERMANENT, "", "the file could not be processed; it may be damaged or in a "
		    "form we cannot read" },
		{ ERR_NOT_FOUND, NULL, "the uploaded file is no longer in storage; please upload "
		    "it again" },
		{ ERR_TOO_LARGE, NULL, "the file is larger than the upload declared; please upload "
		    "it again" },
	};
	struct job_facts f;
	struct job_move m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.attempts = 1;
		f.max_attempts = 4;
		f.cause = cases[i].cause;
		f.detail = "media playlist line 3: bad EXT-X-TARGETDURATION";
		f.public_msg = cases[i].public_msg;
		assert_int_equal(job_next(JOB_RUNNING, JEV_FAIL_PERMANENT, &f, &m), OK);
		assert_string_equal(m.message, "media playlist line 3: bad EXT-X-TARGETDURATION");
		assert_string_equal(m.public_message, cases[i].want);
	}
	/* a transient failure keeps its own words: the public sentence is not used */
	f.cause = ERR_STORAGE;
	f.attempts = 4;
	f.public_msg = "ignored";
	assert_int_equal(job_next(JOB_RUNNING, JEV_FAIL_TRANSIENT, &f, &m), OK);
	assert_null(strstr(m.public_message, "ignored"));
}

/* A purge or a delivery moves like any job but never changes its track. */
static void
detached_kinds_leave_the_track(void **state)
{
	static const enum job_event evs[] = { JEV_SUCCEED, JEV_FAIL_PERMANENT,
		JEV_FAIL_TRANSIENT, JEV_LEASE_LOST };
	struct job_facts f = { 0 };
	struct job_move m;
	size_t i;

	(void)state;
	f.id = 7;
	f.attempts = 5;
	f.max_attempts = 5;
	f.cause = ERR_STORAGE;
	f.detail = "storage down";
	f.detached = true;
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		assert_int_equal(job_next(JOB_RUNNING, evs[i], &f, &m), OK);
		assert_false(m.track_changes);
		assert_string_equal(m.public_message, "");
	}
	assert_int_equal(m.to, JOB_FAILED);
	assert_int_equal(job_next(JOB_FAILED, JEV_OPERATOR_RETRY, &f, &m), OK);
	assert_int_equal(m.to, JOB_QUEUED);
	assert_false(m.track_changes);
	assert_true(job_kind_sets_track("transcode_hls"));
	assert_true(job_kind_sets_track(NULL));
	assert_false(job_kind_sets_track("purge"));
	assert_false(job_kind_sets_track("webhook"));
}

static void
backoff_grows_capped_with_jitter(void **state)
{
	(void)state;
	/* no jitter at unit 0.5 */
	assert_true(job_backoff_s(1, 5, 600, 0.5) == 5);
	assert_true(job_backoff_s(2, 5, 600, 0.5) == 10);
	assert_true(job_backoff_s(4, 5, 600, 0.5) == 40);
	assert_true(job_backoff_s(30, 5, 600, 0.5) == 600);
	assert_true(job_backoff_s(1000, 5, 600, 0.99) <= 600);
	/* +-25% */
	assert_true(job_backoff_s(3, 4, 600, 0.0) == 12);
	assert_true(job_backoff_s(3, 4, 600, 1.0) == 20);
	assert_true(job_backoff_s(1, 0, 600, 0.9) == 0);
	assert_true(job_is_permanent(ERR_PERMANENT));
	assert_true(job_is_permanent(ERR_NOT_FOUND));
	assert_false(job_is_permanent(ERR_STORAGE));
	assert_false(job_is_permanent(ERR_DB));
	assert_false(job_is_permanent(ERR_TIMEOUT));
}

static void
ladder_parse_table(void **state)
{
	static const struct {
		const char *s;
		enum result rc;
		size_t n;
	} cases[] = {
		{ "64,128,160", OK, 3 }, { " 64 , 128 ", OK, 2 }, { "256", OK, 1 },
		{ "", ERR_INVALID, 0 }, { "64,,128", ERR_INVALID, 0 }, { "64,64", ERR_INVALID, 0 },
		{ "8", ERR_INVALID, 0 }, { "1000", ERR_INVALID, 0 }, { "64k", ERR_INVALID, 0 },
		{ "1,2,3,4,5,6,7,8,9", ERR_INVALID, 0 }, { "16,32,48,64,96,128,160,192,256", ERR_INVALID, 0 },
	};
	struct ladder l;
	struct errbuf e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		if (transcode_ladder_parse(cases[i].s, &l, &e) != cases[i].rc ||
		    (cases[i].rc == OK && l.n != cases[i].n))
			fail_msg("case %zu \"%s\"", i, cases[i].s);
		if (cases[i].rc != OK)
			assert_non_null(strstr(err_msg(&e), "HLS_LADDER"));
	}
}

/* One process per rung unless JOB_PARALLELISM says otherwise; never more than the rungs. */
static void
parallelism_one_per_rung(void **state)
{
	(void)state;
	assert_int_equal(transcode_parallelism(0, 3), 3);
	assert_int_equal(transcode_parallelism(0, 1), 1);
	assert_int_equal(transcode_parallelism(0, 8), 8);
	assert_int_equal(transcode_parallelism(2, 3), 2); /* explicit */
	assert_int_equal(transcode_parallelism(9, 3), 3); /* never more than rungs */
}

/* The encoders of all of a runner's jobs together: max(cores, parallel). */
static void
encoder_cap_is_shared(void **state)
{
	static const struct { long long jp, conc; long cores; int par, want; } cases[] = {
		{ 0, 1, 2, 3, 3 },   /* one job alone gets its schedule */
		{ 0, 2, 2, 3, 3 },   /* two jobs share 3, not 6 */
		{ 0, 4, 8, 3, 8 },   /* more cores than rungs: fill them */
		{ 0, 64, 2, 3, 3 },
		{ 0, 1, 100, 3, 64 }, /* the slot page's size */
		{ 2, 3, 2, 2, 6 },   /* JOB_PARALLELISM: the operator's choice, no waits */
		{ 1, 1, 2, 1, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (transcode_encoder_cap(cases[i].jp, cases[i].conc, cases[i].cores,
		    cases[i].par) != cases[i].want)
			fail_msg("case %zu: %d", i, transcode_encoder_cap(cases[i].jp, cases[i].conc,
			    cases[i].cores, cases[i].par));
}

static pid_t dead_pid;

static bool
all_alive_but_dead_pid(pid_t pid)
{
	return pid != dead_pid;
}

/* Slots: taken up to the cap, given back, and those of a dead holder taken over. */
static void
encslots_share_and_reclaim(void **state)
{
	struct encslots s;

	(void)state;
	encslots_init(&s, 3);
	dead_pid = 0;
	assert_int_equal(encslots_take(&s, 3, 101, all_alive_but_dead_pid), 3);
	assert_int_equal(encslots_take(&s, 3, 102, all_alive_but_dead_pid), 0); /* none free: wait */
	assert_int_equal(encslots_used(&s), 3);
	assert_int_equal(encslots_give(&s, 101), 3);
	assert_int_equal(encslots_take(&s, 2, 102, all_alive_but_dead_pid), 2);
	assert_int_equal(encslots_take(&s, 3, 103, all_alive_but_dead_pid), 1); /* what is left */
	assert_int_equal(encslots_give(&s, 999), 0);
	/* 102 was killed -9 holding two: they are taken over, not lost */
	dead_pid = 102;
	assert_int_equal(encslots_take(&s, 3, 104, all_alive_but_dead_pid), 2);
	assert_int_equal(encslots_used(&s), 3);
	assert_int_equal(encslots_give(&s, 104), 2);
	assert_int_equal(encslots_give(&s, 103), 1);
	assert_int_equal(encslots_used(&s), 0);
	encslots_init(&s, 0); /* at least one */
	assert_int_equal(encslots_take(&s, 5, 1, all_alive_but_dead_pid), 1);
}

static void
plan_balances_cost(void **state)
{
	struct ladder l = { { 64, 128, 160 }, 3 };
	int g[TRANSCODE_MAX_RUNGS];

	(void)state;
	transcode_plan(&l, 2, g);
	/* 160 alone; 128 + 64 together (cost ~ kbps + 64: 224 vs 192 + 128) */
	assert_int_equal(g[2], 0);
	assert_int_equal(g[1], 1);
	assert_int_equal(g[0], 1);
	transcode_plan(&l, 3, g);
	assert_true(g[0] != g[1] && g[1] != g[2] && g[0] != g[2]);
	transcode_plan(&l, 1, g);
	assert_true(g[0] == 0 && g[1] == 0 && g[2] == 0);
	assert_int_equal(transcode_rate(44100), 44100);
	assert_int_equal(transcode_rate(48000), 48000);
	assert_int_equal(transcode_rate(96000), 48000);
	assert_int_equal(transcode_rate(22050), 44100);
}

static void
argv_is_safe_and_complete(void **state)
{
	struct config cfg;
	struct ladder l = { { 64, 128, 160 }, 3 };
	int idx[2] = { 1, 0 };
	const char *argv[256];
	char store[4096], joined[8192] = "";
	size_t argc, i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ffmpeg_path = "ffmpeg";
	cfg.hls_segment_s = 6;
	argc = transcode_argv(&cfg, "mp3", "file:/w/in", 44100, 11, 0, &l, idx, 2, argv, 256, store,
	    sizeof(store));
	assert_true(argc > 0);
	assert_null(argv[argc]);
	for (i = 0; i < argc; i++) {
		strcat(joined, argv[i]);
		strcat(joined, " ");
	}
	assert_non_null(strstr(joined, "-nostdin -hide_banner -loglevel error"));
	assert_non_null(strstr(joined, "-progress pipe:3"));
	assert_non_null(strstr(joined, "-threads 1 -t 12.000 -protocol_whitelist file -f mp3 -i file:/w/in "));
	assert_non_null(strstr(joined, "-c:a aac -profile:a aac_low -b:a 128k -ac 2 -ar 44100 -f hls -hls_time 6 "
	    "-hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4"));
	assert_non_null(strstr(joined, "a128/seg_%05d.m4s a128/index.m3u8"));
	assert_non_null(strstr(joined, "a64/seg_%05d.m4s a64/index.m3u8"));
	assert_null(strstr(joined, "160k"));
	/* too small a buffer is refused, not overflowed */
	assert_int_equal(transcode_argv(&cfg, "mp3", "file:/w/in", 44100, 11, 0, &l, idx, 2, argv, 20,
	    store, sizeof(store)), 0);
	assert_int_equal(transcode_argv(&cfg, "mp3", "file:/w/in", 44100, 11, 0, &l, idx, 2, argv, 256,
	    store, 8), 0);
}

static void
capbuf_caps(void **state)
{
	struct capbuf b = { NULL, 0, 10, false };

	(void)state;
	assert_true(capbuf_add(&b, "hello ", 6));
	assert_true(capbuf_add(&b, "world, long", 11));
	assert_int_equal(b.len, 10);
	assert_true(b.truncated);
	assert_string_equal(b.buf, "hello worl");
	assert_true(capbuf_add(&b, "x", 1));
	assert_int_equal(b.len, 10);
	capbuf_free(&b);
}

static void
artwork_magic(void **state)
{
	(void)state;
	assert_string_equal(artwork_sniff((const unsigned char *)"\xff\xd8\xff\xe0", 4), "image/jpeg");
	assert_string_equal(artwork_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n", 8), "image/png");
	assert_string_equal(artwork_sniff((const unsigned char *)"RIFF\0\0\0\0WEBP", 12), "image/webp");
	assert_null(artwork_sniff((const unsigned char *)"RIFF\0\0\0\0WAVE", 12));
	assert_null(artwork_sniff((const unsigned char *)"<svg", 4));
	assert_null(artwork_sniff((const unsigned char *)"", 0));
	assert_string_equal(artwork_ext("image/jpeg"), "jpg");
	assert_string_equal(artwork_ext("image/png"), "png");
	assert_string_equal(artwork_ext("image/webp"), "webp");
	assert_null(artwork_ext("image/gif"));
	assert_null(artwork_ext(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_machine_table),
		cmocka_unit_test(state_machine_cancel_defer_table),
		cmocka_unit_test(purge_payload_names_the_track),
		cmocka_unit_test(state_machine_words_missing_detail),
		cmocka_unit_test(state_machine_permanent_public_sentence),
		cmocka_unit_test(detached_kinds_leave_the_track),
		cmocka_unit_test(backoff_grows_capped_with_jitter),
		cmocka_unit_test(ladder_parse_table),
		cmocka_unit_test(parallelism_one_per_rung),
		cmocka_unit_test(encoder_cap_is_shared),
		cmocka_unit_test(encslots_share_and_reclaim),
		cmocka_unit_test(plan_balances_cost),
		cmocka_unit_test(argv_is_safe_and_complete),
		cmocka_unit_test(capbuf_caps),
		cmocka_unit_test(artwork_magic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
