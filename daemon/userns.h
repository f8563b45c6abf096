/* daemon/userns.h - dctld's --userns-remap (daemon.json "userns-remap"), as dockerd's:
 *
 *   default       the `dctl` user and group, created when missing (entries appended
 *                 atomically to passwd, shadow, group and gshadow: no useradd), with
 *                 65536 subordinate uids and gids from the first free range at or
 *                 above 100000 appended to subuid and subgid when it has none
 *   USER[:GROUP]  names looked up in passwd and group
 *   UID[:GID]     numbers, which must have passwd and group entries
 *
 * The container IDs map onto the user's subuid and subgid ranges (matched by name
 * or uid; GROUP only names the remapping), in ascending order from 0. "root" turns
 * remapping off with a warning, as in dockerd. The four (or six) files are read from
 * /etc, or from the directory named by $DCTL_USERNS_ETC (tests use a private copy).
 *
 * With a remap, the daemon's state moves to DATA_ROOT/UID.GID/ (UID and GID being the
 * host IDs of the containers' root): images, layers, containers. userns_data_root()
 * prepares it as dockerd's setupDaemonRoot does.
 *
 * Start-up only (blocking file I/O, on the loop before it runs). Errors are
 * DCTL_ERR_INVALID with dockerd's words; nothing is changed when one is returned
 * but what "default" had to create before it. */
#ifndef DCTL_DAEMON_USERNS_H
#define DCTL_DAEMON_USERNS_H

#include <stdint.h>

#include "lib/error.h"
#include "lib/idmap.h"

#define USERNS_DEFAULT_NAME "dctl"
#define USERNS_ETC_ENV "DCTL_USERNS_ETC"

/* A resolved remap. Owner: struct dctld (NULL there when off). */
struct userns_remap {
    struct idmap map;
    char user[256], group[256]; /* names resolved from the setting */
    char name[520];              /* "user:group", as dockerd shows the remap */
    uint32_t root_uid, root_gid; /* host IDs of the containers' root */
};

/* Resolves setting (as given to --userns-remap) with the files under etc_dir (NULL:
 * /etc). 1 with *out filled when remapping; 0 when the setting means no remap
 * ("root"); -1 with *err. */
int userns_remap_resolve(const char *setting, const char *etc_dir, struct userns_remap *out,
                         dctl_error_t *err);

/* Checks that every existing directory above data_root lets the remapped root pass
 * (o+x, or owner/group x for it), before anything is created. */
int userns_check_path(const char *data_root, const struct userns_remap *r, dctl_error_t *err);

/* DATA_ROOT/UID.GID (malloc'd) for the remap: data_root made 0711, the remapped root
 * created (mode 0710, owner root, group the remapped root's). */
char *userns_data_root(const char *data_root, const struct userns_remap *r, dctl_error_t *err);

#endif
