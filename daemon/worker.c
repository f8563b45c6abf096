/* daemon/worker.c - the worker pool. Blocking jobs (layer unpack, tar export,
 * devicemapper calls) run here so that the loop never waits; done_cb runs back
 * on the loop. Finished jobs return through a queue and an eventfd. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/xmalloc.h"
#include "worker.h"

struct worker_job {
    struct worker_job *next;
    worker_run_cb run;
    worker_done_cb done;
    void *job;
    int status;
    dctl_error_t err;
};

/* Owner: struct dctld. */
struct worker_pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct worker_job *todo_head, **todo_tail; /* queued, FIFO */
    struct worker_job *done_head, **done_tail; /* finished, waiting for the loop */
    unsigned int pending;
    bool stopping;
    pthread_t *threads;
    unsigned int nthreads;
    int efd;
    struct event *ev;
};

static void *
worker_thread(void *arg)
{
    struct worker_pool *pool = arg;
    struct worker_job *j;
    uint64_t one = 1;

    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (pool->todo_head == NULL && !pool->stopping)
            pthread_cond_wait(&pool->cond, &pool->lock);
        if (pool->stopping) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        j = pool->todo_head;
        pool->todo_head = j->next;
        if (pool->todo_head == NULL)
            pool->todo_tail = &pool->todo_head;
        pthread_mutex_unlock(&pool->lock);

        j->status = j->run(j->job, &j->err);

        pthread_mutex_lock(&pool->lock);
        j->next = NULL;
        *pool->done_tail = j;
        pool->done_tail = &j->next;
        pthread_mutex_unlock(&pool->lock);
        if (write(pool->efd, &one, sizeof one) < 0 && errno != EAGAIN)
            abort();
    }
}

static void
worker_drain(struct worker_pool *pool)
{
    struct worker_job *list, *j;

    pthread_mutex_lock(&pool->lock);
    list = pool->done_head;
    pool->done_head = NULL;
    pool->done_tail = &pool->done_head;
    pthread_mutex_unlock(&pool->lock);
    while ((j = list) != NULL) {
        list = j->next;
        pool->pending--;
        j->done(j->job, j->status, j->err);
        free(j);
    }
}

static void
worker_ready_cb(evutil_socket_t fd, short what, void *arg)
{
    uint64_t n;

    (void)what;
    if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
        return;
    worker_drain(arg);
}

struct worker_pool *
worker_pool_new(struct event_base *base, unsigned int nthreads, dctl_error_t *err)
{
    struct worker_pool *pool = xcalloc(1, sizeof *pool);
    unsigned int i;

    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cond, NULL);
    pool->todo_tail = &pool->todo_head;
    pool->done_tail = &pool->done_head;
    pool->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (pool->efd < 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "eventfd");
        free(pool);
        return NULL;
    }
    pool->ev = event_new(base, pool->efd, EV_READ | EV_PERSIST, worker_ready_cb, pool);
    event_add(pool->ev, NULL);
    if (nthreads == 0)
        nthreads = 1;
    pool->threads = xcalloc(nthreads, sizeof *pool->threads);
    for (i = 0; i < nthreads; i++) {
        sigset_t all, old;

        /* signals belong to the loop thread */
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        if (pthread_create(&pool->threads[i], NULL, worker_thread, pool) != 0) {
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            break;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pool->nthreads++;
    }
    if (pool->nthreads == 0) {
        dctl_error_set(err, DCTL_ERR_INTERNAL, 0, "worker pool: no thread could start");
        worker_pool_free(pool);
        return NULL;
    }
    return pool;
}

void
worker_pool_free(struct worker_pool *pool)
{
    struct worker_job *j;
    unsigned int i;

    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    for (i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    worker_drain(pool);
    while ((j = pool->todo_head) != NULL) {
        dctl_error_t err = NULL;

        pool->todo_head = j->next;
        dctl_error_set(&err, DCTL_ERR_UNAVAILABLE, 0, "daemon is shutting down");
        j->done(j->job, -1, err);
        free(j);
    }
    if (pool->ev)
        event_free(pool->ev);
    close(pool->efd);
    free(pool->threads);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cond);
    free(pool);
}

int
worker_submit(struct worker_pool *pool, worker_run_cb run, worker_done_cb done, void *job,
              dctl_error_t *err)
{
    struct worker_job *j;

    if (pool->stopping)
        return dctl_error_set(err, DCTL_ERR_UNAVAILABLE, 0, "daemon is shutting down");
    j = xcalloc(1, sizeof *j);
    j->run = run;
    j->done = done;
    j->job = job;
    pthread_mutex_lock(&pool->lock);
    *pool->todo_tail = j;
    pool->todo_tail = &j->next;
    pool->pending++;
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    return 0;
}

unsigned int
worker_pool_pending(const struct worker_pool *pool)
{
    return pool->pending;
}
