/* daemon/worker.h - the worker pool. Blocking jobs (layer unpack, tar export,
 * devicemapper calls) run on pool threads so that the loop never waits; each
 * job's done callback runs back on the loop thread.
 *
 * Owner: struct dctld. worker_submit() is loop-thread only. */
#ifndef DCTL_WORKER_H
#define DCTL_WORKER_H

#include <event2/event.h>

#include <dctl/driver.h>

struct worker_pool;

typedef dctl_job_run_cb worker_run_cb;
typedef dctl_job_done_cb worker_done_cb;

/* Starts nthreads threads (at least 1). */
struct worker_pool *worker_pool_new(struct event_base *base, unsigned int nthreads,
                                    dctl_error_t *err);
/* Waits for running jobs, then drops queued ones (their done runs with
 * DCTL_ERR_UNAVAILABLE so that owners free them). NULL-safe. */
void worker_pool_free(struct worker_pool *pool);
/* Queues job; run(job) on a pool thread, then done(job, status, err) on the loop. */
int worker_submit(struct worker_pool *pool, worker_run_cb run, worker_done_cb done, void *job,
                  dctl_error_t *err);
/* Jobs queued or running. */
unsigned int worker_pool_pending(const struct worker_pool *pool);

#endif
