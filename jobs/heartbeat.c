#include "heartbeat.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

static void *hb_main(void *arg);

static void *
hb_main(void *arg)
{
	struct heartbeat *hb = arg;
	double every = (double)hb->lease_s / 3.0, last_ok = clock_now_s(), last_try = last_ok;
	double last_write = 0, now;
	int written = -1, want;
	struct timespec until;
	struct errbuf e;
	bool ours, cancel, warned = false;

	pthread_mutex_lock(&hb->mu);
	while (!hb->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		(void)pthread_cond_timedwait(&hb->cv, &hb->mu, &until);
		if (hb->stop)
			break;
		pthread_mutex_unlock(&hb->mu);
		now = clock_now_s();
		want = atomic_load(&hb->progress);
		if ((want != written && now - last_write >= 1.0) || now - last_try >= every) {
			err_clear(&e);
			last_try = now;
			if (job_renew(hb->db, hb->job, hb->owner, hb->lease_s, want, &ours, &cancel,
			    &e) == OK) {
				last_ok = now;
				last_write = now;
				written = want;
				warned = false;
				if (!ours) {
					log_warnx("job %lld track %s: lease lost (taken back by a rescue); "
					    "abandoning", hb->job->id, hb->job->track_id);
					atomic_store(&hb->lost, true);
				}
				/* Still ours (the lease is kept while the runner cleans up). */
				if (cancel && !atomic_exchange(&hb->cancelled, true))
					log_warnx("job %lld track %s: cancel requested; stopping, nothing more "
					    "is published", hb->job->id, hb->job->track_id);
			} else {
				if (!warned)
					log_warnx("job %lld: lease renewal failed: %s", hb->job->id,
					    err_msg(&e));
				warned = true;
				if (now - last_ok > (double)hb->lease_s) {
					log_warnx("job %lld track %s: lease not renewed for %lld s; "
					    "assuming it lost", hb->job->id, hb->job->track_id, hb->lease_s);
					atomic_store(&hb->lost, true);
				}
			}
		}
		pthread_mutex_lock(&hb->mu);
		if (atomic_load(&hb->lost))
			break;
	}
	pthread_mutex_unlock(&hb->mu);
	return NULL;
}

enum result
heartbeat_start(struct heartbeat *hb, struct db *db, const struct job *j, const char *owner,
    long long lease_s, struct errbuf *e)
{
	sigset_t all, old;
	int err;

	memset(hb, 0, sizeof(*hb));
	hb->db = db;
	hb->job = j;
	hb->owner = owner;
	hb->lease_s = lease_s;
	atomic_init(&hb->progress, -1);
	atomic_init(&hb->lost, false);
	atomic_init(&hb->cancelled, false);
	pthread_mutex_init(&hb->mu, NULL);
	pthread_cond_init(&hb->cv, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&hb->thread, NULL, hb_main, hb);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		err_set(e, "cannot start the heartbeat thread: %s", strerror(err));
		pthread_mutex_destroy(&hb->mu);
		pthread_cond_destroy(&hb->cv);
		return ERR_IO;
	}
	hb->started = true;
	return OK;
}

void
heartbeat_progress(struct heartbeat *hb, int pct)
{
	if (pct > 99)
		pct = 99;
	if (pct > atomic_load(&hb->progress))
		atomic_store(&hb->progress, pct);
}

bool
heartbeat_lost(struct heartbeat *hb)
{
	return atomic_load(&hb->lost);
}

bool
heartbeat_cancelled(struct heartbeat *hb)
{
	return atomic_load(&hb->cancelled);
}

void
heartbeat_stop(struct heartbeat *hb)
{
	if (!hb->started)
		return;
	pthread_mutex_lock(&hb->mu);
	hb->stop = true;
	pthread_cond_signal(&hb->cv);
	pthread_mutex_unlock(&hb->mu);
	pthread_join(hb->thread, NULL);
	pthread_mutex_destroy(&hb->mu);
	pthread_cond_destroy(&hb->cv);
	hb->started = false;
}
