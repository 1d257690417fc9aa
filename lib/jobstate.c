#include "jobstate.h"

#include <stdio.h>
#include <string.h>

static const char *const job_state_names[JOB_STATE__MAX] = {
	[JOB_QUEUED] = "queued",
	[JOB_RUNNING] = "running",
	[JOB_SUCCEEDED] = "succeeded",
	[JOB_FAILED] = "failed",
	[JOB_CANCELLED] = "cancelled",
};

static const char *const job_event_names[JEV__MAX] = {
	[JEV_CLAIM] = "claim",
	[JEV_SUCCEED] = "succeed",
	[JEV_FAIL_TRANSIENT] = "fail_transient",
	[JEV_FAIL_PERMANENT] = "fail_permanent",
	[JEV_LEASE_LOST] = "lease_lost",
	[JEV_HAND_BACK] = "hand_back",
	[JEV_OPERATOR_RETRY] = "operator_retry",
	[JEV_CANCEL] = "cancel",
	[JEV_DEFER] = "defer",
};

#define FROM(s) (1u << (s))
/* The states each event may start from (a set of FROM bits). */
static const unsigned job_event_from[JEV__MAX] = {
	[JEV_CLAIM] = FROM(JOB_QUEUED),
	[JEV_SUCCEED] = FROM(JOB_RUNNING),
	[JEV_FAIL_TRANSIENT] = FROM(JOB_RUNNING),
	[JEV_FAIL_PERMANENT] = FROM(JOB_RUNNING),
	[JEV_LEASE_LOST] = FROM(JOB_RUNNING),
	[JEV_HAND_BACK] = FROM(JOB_RUNNING),
	[JEV_OPERATOR_RETRY] = FROM(JOB_FAILED) | FROM(JOB_CANCELLED),
	[JEV_CANCEL] = FROM(JOB_QUEUED) | FROM(JOB_RUNNING),
	[JEV_DEFER] = FROM(JOB_RUNNING),
};

static void move_track(struct job_move *m, enum track_status s);
static void move_failed(struct job_move *m, const struct job_facts *f);
static void move_cancel(enum job_state from, struct job_move *m, const struct job_facts *f);
static const char *cause_public(enum result rc);
static const char *permanent_public(enum result rc);

const char *
job_state_str(enum job_state s)
{
	return (int)s >= 0 && s < JOB_STATE__MAX ? job_state_names[s] : "unknown";
}

const char *
job_event_str(enum job_event ev)
{
	return (int)ev >= 0 && ev < JEV__MAX ? job_event_names[ev] : "unknown";
}

bool
job_state_parse(const char *label, enum job_state *s)
{
	int i;

	for (i = 0; i < JOB_STATE__MAX; i++) {
		if (strcmp(job_state_names[i], label) == 0) {
			*s = (enum job_state)i;
			return true;
		}
	}
	return false;
}

static void
move_track(struct job_move *m, enum track_status s)
{
	m->track_changes = true;
	m->track = s;
}

/* The artist's words for a temporary cause: without our hosts and keys. */
static const char *
cause_public(enum result rc)
{
	switch (rc) {
	case ERR_STORAGE:
		return "our storage service was unreachable";
	case ERR_DB:
		return "our database was unreachable";
	case ERR_TIMEOUT:
		return "a step took too long";
	default:
		return "of a temporary problem on our side";
	}
}

/*
 * The artist's words for a permanent failure whose code gave none: what
 * the cause says of the file, never the detail (it may name our paths,
 * keys or tools).
 */
static const char *
permanent_public(enum result rc)
{
	switch (rc) {
	case ERR_TOO_LARGE:
		return "the file is larger than the upload declared; please upload it again";
	case ERR_NOT_FOUND:
		return "the uploaded file is no longer in storage; please upload it again";
	default:
		return "the file could not be processed; it may be damaged or in a form we "
		    "cannot read";
	}
}

/* A transient failure with the attempts used up. */
static void
move_failed(struct job_move *m, const struct job_facts *f)
{
	m->to = JOB_FAILED;
	m->outcome = "failed";
	move_track(m, TRACK_FAILED);
	snprintf(m->message, sizeof(m->message), "Processing failed %d times, the last time "
	    "because %s; this is usually temporary, so retry later (an operator can run "
	    "mustory-runner --retry %lld).", f->attempts, f->detail, f->id);
	snprintf(m->public_message, sizeof(m->public_message), "Processing failed %d times "
	    "because %s; this is usually temporary and nothing is wrong with your file. Try "
	    "again later.", f->attempts, cause_public(f->cause));
}

/*
 * Cancel: a queued job at once; a running one is asked first (its runner
 * stops at its next heartbeat), and cancelled when that runner (or the
 * rescue of its lease) ends it. The track (of a transcode) fails.
 */
static void
move_cancel(enum job_state from, struct job_move *m, const struct job_facts *f)
{
	const char *owner = f->owner != NULL ? f->owner : "?";

	if (from == JOB_RUNNING && !f->cancel_requested) {
		m->request_cancel = true;
		snprintf(m->message, sizeof(m->message), "cancel requested (%s): the runner %s "
		    "stops at its next heartbeat", f->reason != NULL ? f->reason :
		    "an operator cancelled it", owner);
		return;
	}
	m->to = JOB_CANCELLED;
	m->outcome = from == JOB_RUNNING ? "cancelled" : NULL;
	move_track(m, TRACK_FAILED);
	if (from == JOB_RUNNING)
		snprintf(m->message, sizeof(m->message), "cancelled during attempt %d, on the "
		    "runner %s (%s)", f->attempts, owner, f->reason != NULL ? f->reason :
		    "as requested");
	else
		snprintf(m->message, sizeof(m->message), "cancelled before it ran (%s)",
		    f->reason != NULL ? f->reason : "an operator cancelled it");
	snprintf(m->public_message, sizeof(m->public_message), "Processing was cancelled; "
	    "upload the track again to have it processed.");
}

/* Jobs that must not give up while anything is left to do (job_facts.persistent). */
bool
job_kind_persistent(const char *kind)
{
	return kind != NULL && strcmp(kind, JOB_KIND_PURGE) == 0;
}

enum result
job_next(enum job_state from, enum job_event ev, const struct job_facts *f,
    struct job_move *m)
{
	bool used_up = f->attempts >= f->max_attempts && !f->persistent;
	const char *detail = f->detail != NULL ? f->detail : result_str(f->cause);

	memset(m, 0, sizeof(*m));
	m->to = from;
	if ((int)ev < 0 || ev >= JEV__MAX || (int)from < 0 || from >= JOB_STATE__MAX ||
	    (job_event_from[ev] & FROM(from)) == 0)
		return ERR_CONFLICT;
	switch (ev) {
	case JEV_CLAIM:
		m->to = JOB_RUNNING;
		break;
	case JEV_SUCCEED:
		m->to = JOB_SUCCEEDED;
		m->outcome = "succeeded";
		move_track(m, TRACK_COMPLETED);
		break;
	case JEV_FAIL_TRANSIENT:
		if (used_up) {
			move_failed(m, f);
			break;
		}
		m->to = JOB_QUEUED;
		m->outcome = "retry";
		m->delay_s = job_backoff_s(f->attempts, f->backoff_base_s, f->backoff_max_s,
		    f->jitter);
		snprintf(m->message, sizeof(m->message), "%s", detail);
		break;
	case JEV_FAIL_PERMANENT:
		m->to = JOB_FAILED;
		m->outcome = "failed";
		move_track(m, TRACK_FAILED);
		snprintf(m->message, sizeof(m->message), "%s", detail);
		snprintf(m->public_message, sizeof(m->public_message), "%s",
		    f->public_msg != NULL && f->public_msg[0] != '\0' ? f->public_msg :
		    permanent_public(f->cause));
		break;
	case JEV_LEASE_LOST:
		m->to = used_up ? JOB_FAILED : JOB_QUEUED;
		m->outcome = "lease_lost";
		snprintf(m->message, sizeof(m->message), "the runner %s stopped renewing its lease "
		    "(it died, hung or lost the database) during attempt %d",
		    f->owner != NULL ? f->owner : "?", f->attempts);
		if (used_up) {
			move_track(m, TRACK_FAILED);
			snprintf(m->public_message, sizeof(m->public_message), "Processing was "
			    "interrupted %d times before it could finish; please try again later or "
			    "upload the track again.", f->attempts);
		}
		break;
	case JEV_HAND_BACK:
		m->to = JOB_QUEUED;
		m->outcome = "handed_back";
		m->uncount = true;
		snprintf(m->message, sizeof(m->message), "handed back: the runner %s is shutting "
		    "down", f->owner != NULL ? f->owner : "?");
		break;
	case JEV_OPERATOR_RETRY:
		m->to = JOB_QUEUED;
		move_track(m, TRACK_PROCESSING);
		break;
	case JEV_CANCEL:
		move_cancel(from, m, f);
		break;
	case JEV_DEFER:
		m->to = JOB_QUEUED;
		m->outcome = "deferred";
		m->uncount = true;
		m->delay_s = f->defer_s > 0 ? f->defer_s : 0;
		snprintf(m->message, sizeof(m->message), "deferred for %.0f s: %s", m->delay_s,
		    f->reason != NULL ? f->reason : "it cannot run yet");
		break;
	case JEV__MAX:
		return ERR_CONFLICT;
	}
	if (f->detached) {
		m->track_changes = false;
		m->public_message[0] = '\0';
	}
	return OK;
}

bool
job_kind_sets_track(const char *kind)
{
	return kind == NULL || strcmp(kind, "transcode_hls") == 0;
}

double
job_backoff_s(int attempt, long long base_s, long long max_s, double unit)
{
	double d = (double)base_s, j;
	int i;

	if (attempt < 1)
		attempt = 1;
	for (i = 1; i < attempt && d < (double)max_s; i++)
		d *= 2;
	if (d > (double)max_s)
		d = (double)max_s;
	j = d * 0.25 * (2 * unit - 1); /* +-25% */
	d += j;
	if (d < 0)
		d = 0;
	if (d > (double)max_s)
		d = (double)max_s;
	return d;
}

bool
job_is_permanent(enum result rc)
{
	switch (rc) {
	case ERR_PERMANENT:
	case ERR_INVALID:
	case ERR_NOT_FOUND:
	case ERR_TOO_LARGE:
		return true;
	default:
		return false;
	}
}
