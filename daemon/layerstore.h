/* daemon/layerstore.h - the layer store: read-only image layers, each a storage-driver
 * layer (its cache ID) plus metadata in Docker's layout under ROOT (data-root/image/
 * DRIVER/layerdb):
 *
 *   sha256/<chain-id hex>/{diff, size, cache-id, parent, tar-split}   committed layers
 *   tmp/write-<cache id>/                                  a registration in progress
 *   tmp/remove-<chain-id hex>/                             a removal in progress
 *   mounts/<container id>/{mount-id, init-id, parent}      containers' RW layers
 *
 * Registering a layer streams its tar (any compression libarchive reads) through a
 * decompressor that hashes the uncompressed bytes (the diff ID) into the driver's
 * apply_diff, never holding the layer in memory. The metadata directory is filled
 * under tmp/ and renamed into sha256/ last: the rename is the commit point. A crash
 * before it leaves only tmp/ entries, which layerstore_open() removes with their
 * driver layers; the same chain ID registered twice is stored once.
 *
 * Reference counts: each layer counts the images holding it (layerstore_acquire,
 * layerstore_register) and its child layers. A count of zero removes the layer: its
 * metadata goes first (renamed into tmp/), then the driver layer, then its parent's
 * reference is dropped. Counts live in memory: after open every layer has only its
 * children's references until the image store acquires its images' layers and calls
 * layerstore_prune_unused().
 *
 * Threads: any. An internal mutex guards the index (held briefly; the loop may call
 * the lookups); a second one serialises commits and removals (held across their
 * filesystem work; never taken by lookups). Registration, release and open block:
 * call them from worker jobs (or at start-up).
 *
 * Ownership: the struct layerstore is its opener's; the driver ops and priv are lent
 * for its life. Errors: DCTL_ERR_INVALID for a bad or hostile layer tar,
 * DCTL_ERR_NOT_FOUND for an unknown chain ID, DCTL_ERR_INTERNAL otherwise. */
#ifndef DCTL_DAEMON_LAYERSTORE_H
#define DCTL_DAEMON_LAYERSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dctl/driver.h>

#include "lib/digest.h"
#include "lib/error.h"
#include "lib/idmap.h"

#define LAYERSTORE_CACHE_ID_LEN 64

struct layerstore;

/* A copy of one layer's facts. */
struct layer_info {
    char chain_id[DIGEST_STRING_MAX];
    char diff_id[DIGEST_STRING_MAX];
    char parent[DIGEST_STRING_MAX]; /* chain ID, "" for a base layer */
    char cache_id[LAYERSTORE_CACHE_ID_LEN + 1];
    int64_t size;                   /* bytes of file content the layer adds */
    unsigned int refs;
};

/* Opens (creating) the store under root for the storage driver (ops, priv). Loads every
 * committed layer, removes what a crash left in tmp/ (and the driver layers it made), and
 * drops entries whose driver layer or parent is missing, with a warning. */
struct layerstore *layerstore_open(const char *root, const struct dctl_storage_ops *ops,
                                   void *priv, dctl_error_t *err);
void layerstore_free(struct layerstore *ls);

/* --userns-remap (map copied; NULL or an empty map: none), set once after open. Then
 * layer tars are applied with their owners shifted into the map (an owner outside it
 * fails the registration: "Container ID 70000 cannot be mapped to a host ID"), the
 * driver's diffs (layerstore_mount_diff, and layerstore_diff without a tar-split
 * record) come out shifted back, and the init layer's entries and the RW layer's root
 * are owned by the containers' root. The diff IDs and tar-split records are of the
 * streams as they came, so a layer saved from a remapping daemon has its original
 * bytes and owners. The storage drivers are not involved. */
void layerstore_set_idmap(struct layerstore *ls, const struct idmap *map);
/* The map set, or NULL (lent: the store's). For what else reads or writes a
 * container's files as tars (export, docker cp). */
const struct idmap *layerstore_idmap(struct layerstore *ls);

/* Applies the layer tar read from fd (until EOF; the fd stays the caller's) on top of the
 * layer parent (a chain ID; NULL or "" for a base layer) and commits it. chain_id gets the
 * new layer's chain ID, diff_id (may be NULL) its diff ID; the caller holds one reference
 * on it. When the chain ID exists already the new copy is dropped and the existing layer
 * gains the reference. On error nothing is left: no metadata, no driver layer. */
int layerstore_register(struct layerstore *ls, int fd, const char *parent,
                        char chain_id[DIGEST_STRING_MAX], char diff_id[DIGEST_STRING_MAX],
                        dctl_error_t *err);
/* Writes chain_id's layer tar to fd: the very bytes it was registered from (their sha256
 * is its diff ID), re-assembled from the stream's tar-split record and the driver's mount
 * of the layer; a layer without a record gets the driver's diff against its parent. The
 * layer is held for the call. Blocks. */
int layerstore_diff(struct layerstore *ls, const char *chain_id, int fd, dctl_error_t *err);
/* Takes a reference on chain_id (DCTL_ERR_NOT_FOUND if it is not there). */
int layerstore_acquire(struct layerstore *ls, const char *chain_id, dctl_error_t *err);
/* Drops a reference; at zero the layer is removed, then its parent's reference dropped.
 * Each removed layer's info is appended to *removed (may be NULL; malloc'd, the
 * caller's) and counted in *nremoved. Blocks. */
int layerstore_release(struct layerstore *ls, const char *chain_id, struct layer_info **removed,
                       size_t *nremoved, dctl_error_t *err);
/* Removes every layer nobody references (after the images are loaded). Returns how many. */
size_t layerstore_prune_unused(struct layerstore *ls);

/* Copies chain_id's facts into *out; false when it is not there. */
bool layerstore_get(struct layerstore *ls, const char *chain_id, struct layer_info *out);
/* Number of committed layers. */
size_t layerstore_count(struct layerstore *ls);
/* Every committed layer's facts (malloc'd, the caller's); *n gets the count. */
struct layer_info *layerstore_list(struct layerstore *ls, size_t *n);

/* ---- mounted (RW) layers: one per container, as Docker's layer store keeps them ----
 *
 * A container's RW layer is a driver layer MOUNT-ID on top of MOUNT-ID-init, which
 * sits on the image's top layer (parent, a chain ID; "" for an image without layers)
 * and holds the mount points Docker's init layer has (/etc/hosts, /etc/hostname,
 * /etc/resolv.conf, /dev/console, /.dockerenv, /dev/pts, /dev/shm, /proc, /sys, and
 * /etc/mtab -> /proc/mounts). Each holds a reference on its parent layer, so the
 * image's layers stay while a container uses them. The record's "parent" file is
 * written last: an entry without it is an interrupted create, removed at open.
 * All of these block (driver calls, fsync): worker jobs only. */

/* Creates the RW layer of container name (a container ID) on parent. On error
 * nothing is left. DCTL_ERR_CONFLICT when name has one already. */
int layerstore_mount_create(struct layerstore *ls, const char *name, const char *parent,
                            dctl_error_t *err);
/* Mounts name's RW layer; *path (malloc'd, the caller's) gets its root. Counted: each
 * get needs a put. */
int layerstore_mount_get(struct layerstore *ls, const char *name, char **path,
                         dctl_error_t *err);
/* Releases one get (the driver's put at the last one). */
int layerstore_mount_put(struct layerstore *ls, const char *name, dctl_error_t *err);
/* Removes name's RW layer (unmounted first if still mounted), its init layer and
 * record, and drops its parent reference. A missing name is not an error. */
int layerstore_mount_remove(struct layerstore *ls, const char *name, dctl_error_t *err);
/* Is there an RW layer for name? Its mount ID into mount_id (may be NULL). */
bool layerstore_mount_exists(struct layerstore *ls, const char *name,
                             char mount_id[LAYERSTORE_CACHE_ID_LEN + 1]);
/* Bytes the RW layer adds over its init layer (Docker's SizeRw: the sizes of the
 * files its changes add or modify). Mounts it for the time of the count. */
int layerstore_mount_size(struct layerstore *ls, const char *name, int64_t *size,
                          dctl_error_t *err);
/* Writes the tar stream of what name's RW layer changed over its init layer (the
 * driver's diff, whiteouts for deletions) to fd: what docker commit stores. */
int layerstore_mount_diff(struct layerstore *ls, const char *name, int fd, dctl_error_t *err);
/* The paths name's RW layer changed over its init layer, as the driver lists them: a
 * JSON array of {"Path": "/abs", "Kind": 0 modified | 1 added | 2 deleted} (text, the
 * caller's). The layer is mounted for the time of the listing (overlay needs it). */
int layerstore_mount_changes(struct layerstore *ls, const char *name, char **json,
                             dctl_error_t *err);
/* Number of RW layers. */
size_t layerstore_mount_count(struct layerstore *ls);

/* The total size of chain_id and its parents (0 when unknown). */
int64_t layerstore_chain_size(struct layerstore *ls, const char *chain_id);

#endif
