/* daemon/health.h - container health checks, by dockerd's rules (daemon/health.go):
 * while a container with a Healthcheck runs, its Test runs every Interval as an exec
 * session (events exec_create, exec_start, exec_die, as dockerd's probes), its output
 * (stdout and stderr, the first 4096 bytes) and exit code kept in State.Health.Log (the
 * last five); Timeout kills a probe (ExitCode -1, "Health check exceeded timeout
 * (30s)"). 0 is healthy; a failure adds to FailingStreak, except while the container
 * is starting and within StartPeriod; Retries failures in a row make it unhealthy.
 * Each change of Status emits "health_status: STATUS". When the container stops the
 * probes stop and the status becomes unhealthy, as dockerd's CloseMonitorChannel sets it.
 *
 * Owner: struct container (c->health), created at the first start with a health check,
 * freed with the container. Loop thread only. */
#ifndef DCTL_DAEMON_HEALTH_H
#define DCTL_DAEMON_HEALTH_H

#include <stdbool.h>

#include <json-c/json.h>

struct container;

/* A container runs (started, or found running after a dctld restart: restored keeps
 * the recorded status): status "starting" on a start, probes every Interval. Nothing
 * without a Healthcheck, or with Test ["NONE"]. */
void health_start(struct container *c, bool restored);
/* The container stopped or goes: probes end, the status becomes unhealthy. */
void health_stop(struct container *c);
void health_free(struct container *c);

/* "starting", "healthy", "unhealthy", or "none" when the container has no health state. */
const char *health_status(const struct container *c);
/* State.Health {Status, FailingStreak, Log}, or NULL without health state. New. */
struct json_object *health_to_json(const struct container *c);
/* State.Health of config.v2.json (may be NULL), at load. */
void health_load(struct container *c, struct json_object *state_health);

#endif
