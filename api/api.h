/* api/api.h - the route tables of every resource file, and the router that
 * holds them all. Handlers run on the loop thread. */
#ifndef DCTL_API_API_H
#define DCTL_API_API_H

#include "router.h"

extern const struct api_route api_system_routes[];   /* api/system.c */
extern const struct api_route api_swarm_routes[];    /* api/swarm.c */
extern const struct api_route api_info_routes[];     /* api/info.c: /info, /system/df */
extern const struct api_route api_events_routes[];   /* api/events.c */
extern const struct api_route api_images_routes[];   /* api/images.c */
extern const struct api_route api_containers_routes[]; /* api/containers.c */
extern const struct api_route api_commit_routes[];     /* api/commit.c: POST /commit */
/* api/containers-fs.c: changes, export, archive (docker cp) */
extern const struct api_route api_containers_fs_routes[];
extern const struct api_route api_exec_routes[];       /* api/exec.c: docker exec */
/* api/containers-resources.c: pause, unpause, update; api/containers-stats.c: stats */
extern const struct api_route api_containers_resources_routes[];
extern const struct api_route api_containers_stats_routes[];

struct reference;
struct dctl_error;
/* httputils.RepoTagReference (api/images.c): repo normalised, tag added ("latest" when
 * none), for import and commit. NULL with *err for a bad name. */
struct reference *images_repo_tag(const char *repo, const char *tag, struct dctl_error **err);

struct dctld;
struct json_object;
/* ImageSummary of every image with SharedSize and Containers, for /system/df. Loop. */
struct json_object *api_images_df(struct dctld *d);
struct container;
/* A container's Mounts as Docker's MountPoint objects (Type, Source, Destination, Mode,
 * RW, Propagation), from its Binds and Mounts (api/containers.c). New. */
struct json_object *api_container_mounts(const struct container *c);
/* ContainerSummary of every container, for /system/df. Loop. */
struct json_object *api_containers_df(struct dctld *d);

/* A router holding every table above. */
struct router *api_router_new(void);

#endif
