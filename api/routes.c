/* api/routes.c - the list of route tables; one table per resource file. */
#include <config.h>

#include "api.h"

struct router *
api_router_new(void)
{
    struct router *r = router_new();

    router_add(r, api_system_routes);
    router_add(r, api_swarm_routes);
    router_add(r, api_info_routes);
    router_add(r, api_events_routes);
    router_add(r, api_images_routes);
    router_add(r, api_containers_routes);
    router_add(r, api_commit_routes);
    router_add(r, api_containers_fs_routes);
    router_add(r, api_exec_routes);
    router_add(r, api_containers_resources_routes);
    router_add(r, api_containers_stats_routes);
    return r;
}
