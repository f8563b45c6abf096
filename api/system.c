/* api/system.c - /_ping and /version. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "api.h"
#include "daemon/dctld.h"
#include "daemon/host.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/util.h"
#include "server.h"

#define DCTL_GO_VERSION "n/a (C)"

static int
system_ping_handler(struct api_request *req, dctl_error_t *err)
{
    (void)err;
    api_reply(req, 200, "text/plain; charset=utf-8", "OK", 2);
    api_reply_header(req, "Cache-Control", "no-cache, no-store, must-revalidate");
    api_reply_header(req, "Pragma", "no-cache");
    api_reply_header(req, "Builder-Version", "1");
    api_reply_header(req, "Swarm", "inactive");
    return 0;
}

static int
system_version_handler(struct api_request *req, dctl_error_t *err)
{
    struct json_object *v, *components, *engine, *details;
    struct utsname u;
    const char *arch;
    char built[64];

    /* uname(2) only: host_facts_read() also opens and parses three files,
     * which /version does not need (a third of its cost per request) */
    if (uname(&u) < 0)
        return dctl_error_set(err, DCTL_ERR_INTERNAL, errno, "uname");
    arch = host_goarch(u.machine);
    v = json_object_new_object();
    components = json_object_new_array();
    engine = json_object_new_object();
    details = json_object_new_object();
    snprintf(built, sizeof built, "%s %s", __DATE__, __TIME__);
    json_add_string(details, "ApiVersion", API_VERSION_MAX_STR);
    json_add_string(details, "MinAPIVersion", API_VERSION_MIN_STR);
    json_add_string(details, "Arch", arch);
    json_add_string(details, "Os", "linux");
    json_add_string(details, "KernelVersion", u.release);
    json_add_string(details, "BuildTime", built);
    json_add_string(details, "Experimental", "false");
    json_add_string(details, "GitCommit", DCTL_GIT_COMMIT);
    json_add_string(details, "GoVersion", DCTL_GO_VERSION);
    json_add_string(engine, "Name", "Engine");
    json_add_string(engine, "Version", PACKAGE_VERSION);
    json_object_object_add(engine, "Details", details);
    json_object_array_add(components, engine);

    json_object_object_add(v, "Platform", json_object_new_object());
    json_add_string(json_object_object_get(v, "Platform"), "Name", "dctl Engine");
    json_object_object_add(v, "Components", components);
    json_add_string(v, "Version", PACKAGE_VERSION);
    json_add_string(v, "ApiVersion", API_VERSION_MAX_STR);
    json_add_string(v, "MinAPIVersion", API_VERSION_MIN_STR);
    json_add_string(v, "GitCommit", DCTL_GIT_COMMIT);
    json_add_string(v, "GoVersion", DCTL_GO_VERSION);
    json_add_string(v, "Os", "linux");
    json_add_string(v, "Arch", arch);
    json_add_string(v, "KernelVersion", u.release);
    json_add_bool(v, "Experimental", false);
    json_add_string(v, "BuildTime", built);
    api_reply_json(req, 200, v);
    return 0;
}

const struct api_route api_system_routes[] = {
    { API_GET, "/_ping", system_ping_handler, 0 },
    { API_HEAD, "/_ping", system_ping_handler, 0 },
    { API_GET, "/version", system_version_handler, 0 },
    { 0, NULL, NULL, 0 },
};
