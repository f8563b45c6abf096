/* api/swarm.c - swarm, node, service, task, secret and config endpoints: this
 * engine is never a swarm manager, so they answer 503 as an unclustered dockerd
 * does. GET /plugins lists no plugins: dctl extends itself through drivers. */
#include <config.h>

#include "api.h"
#include "server.h"

#define SWARM_MESSAGE                                                                   \
    "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm "    \
    "join\" to connect this node to swarm and try again."

static int
swarm_unavailable_handler(struct api_request *req, dctl_error_t *err)
{
    (void)err;
    api_reply_message(req, 503, "%s", SWARM_MESSAGE);
    return 0;
}

static int
swarm_plugins_handler(struct api_request *req, dctl_error_t *err)
{
    (void)err;
    api_reply_json(req, 200, json_object_new_array());
    return 0;
}

#define SWARM(m, p) { m, p, swarm_unavailable_handler, 0 }

const struct api_route api_swarm_routes[] = {
    SWARM(API_GET, "/swarm"), SWARM(API_POST, "/swarm/init"), SWARM(API_POST, "/swarm/join"),
    SWARM(API_POST, "/swarm/leave"), SWARM(API_POST, "/swarm/update"),
    SWARM(API_GET, "/swarm/unlockkey"), SWARM(API_POST, "/swarm/unlock"),
    SWARM(API_GET, "/nodes"), SWARM(API_GET, "/nodes/{id}"), SWARM(API_DELETE, "/nodes/{id}"),
    SWARM(API_POST, "/nodes/{id}/update"),
    SWARM(API_GET, "/services"), SWARM(API_POST, "/services/create"),
    SWARM(API_GET, "/services/{id}"), SWARM(API_DELETE, "/services/{id}"),
    SWARM(API_POST, "/services/{id}/update"), SWARM(API_GET, "/services/{id}/logs"),
    SWARM(API_GET, "/tasks"), SWARM(API_GET, "/tasks/{id}"), SWARM(API_GET, "/tasks/{id}/logs"),
    SWARM(API_GET, "/secrets"), SWARM(API_POST, "/secrets/create"),
    SWARM(API_GET, "/secrets/{id}"), SWARM(API_DELETE, "/secrets/{id}"),
    SWARM(API_POST, "/secrets/{id}/update"),
    SWARM(API_GET, "/configs"), SWARM(API_POST, "/configs/create"),
    SWARM(API_GET, "/configs/{id}"), SWARM(API_DELETE, "/configs/{id}"),
    SWARM(API_POST, "/configs/{id}/update"),
    { API_GET, "/plugins", swarm_plugins_handler, 0 },
    { 0, NULL, NULL, 0 },
};
