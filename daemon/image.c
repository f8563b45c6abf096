/* daemon/image.c - the image service (see image.h): opens the stores of the active
 * storage driver and implements dockerd's image operations on them (moby
 * daemon/images: image_import.go, image_tag.go, image_delete.go, image_prune.go). */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "daemon/driver.h"
#include "daemon/image.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

void
image_events_fini(struct image_events *ev)
{
    size_t i;

    for (i = 0; i < ev->n; i++)
        free(ev->v[i].name);
    free(ev->v);
    ev->v = NULL;
    ev->n = 0;
}

void
image_events_add(struct image_events *ev, const char *action, const char *id, const char *name)
{
    struct image_event *e;

    if (ev == NULL)
        return;
    ev->v = xrealloc(ev->v, (ev->n + 1) * sizeof *ev->v);
    e = &ev->v[ev->n++];
    snprintf(e->action, sizeof e->action, "%s", action);
    snprintf(e->id, sizeof e->id, "%s", id ? id : "");
    e->name = name ? xstrdup(name) : NULL;
}

/* ---- open ----------------------------------------------------------------------- */

/* Other drivers' image directories stay as they are: switching back finds them. */
static void
image_warn_other_drivers(const char *image_root, const char *name)
{
    DIR *d = opendir(image_root);
    struct dirent *de;

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, name) == 0)
            continue;
        log_warn("dctld: %s/%s holds images of storage driver %s; they are kept but not "
                 "used with %s (start with --storage-driver %s to use them)", image_root,
                 de->d_name, de->d_name, name, de->d_name);
    }
    closedir(d);
}

struct image_service *
image_service_open(const char *data_root, struct driver *drv, dctl_error_t *err)
{
    struct image_service *svc = xcalloc(1, sizeof *svc);
    cleanup_free char *image_root = xasprintf("%s/image", data_root);
    cleanup_free char *layerdb = NULL, *imagedb = NULL, *repos = NULL;
    size_t pruned;

    pthread_mutex_init(&svc->users_mu, NULL);
    svc->driver_name = drv->desc->name;
    svc->root = xasprintf("%s/%s", image_root, drv->desc->name);
    svc->tmp_dir = xasprintf("%s/tmp", data_root);
    image_warn_other_drivers(image_root, drv->desc->name);
    layerdb = xasprintf("%s/layerdb", svc->root);
    imagedb = xasprintf("%s/imagedb", svc->root);
    repos = xasprintf("%s/repositories.json", svc->root);
    if (file_mkdir_p(svc->tmp_dir, 0700, err) < 0)
        goto fail;
    svc->layers = layerstore_open(layerdb, driver_ops(drv), drv->priv, err);
    if (svc->layers == NULL)
        goto fail;
    svc->images = imagestore_open(imagedb, svc->layers, err);
    if (svc->images == NULL)
        goto fail;
    svc->refs = refstore_open(repos, err);
    if (svc->refs == NULL)
        goto fail;
    pruned = layerstore_prune_unused(svc->layers);
    log_info("dctld: %zu images, %zu layers (storage driver %s)%s",
             imagestore_count(svc->images), layerstore_count(svc->layers), drv->desc->name,
             pruned ? "; unused layers removed" : "");
    return svc;
fail:
    image_service_free(svc);
    return NULL;
}

void
image_service_free(struct image_service *svc)
{
    if (svc == NULL)
        return;
    refstore_free(svc->refs);
    imagestore_free(svc->images);
    layerstore_free(svc->layers);
    free(svc->root);
    free(svc->tmp_dir);
    free(svc->users);
    pthread_mutex_destroy(&svc->users_mu);
    free(svc);
}

/* ---- containers using images ---------------------------------------------------- */

void
image_service_use(struct image_service *svc, const char *id, const char *container,
                  bool running)
{
    size_t i;

    pthread_mutex_lock(&svc->users_mu);
    for (i = 0; i < svc->nusers; i++)
        if (strcmp(svc->users[i].container, container) == 0)
            break;
    if (i == svc->nusers) {
        svc->users = xrealloc(svc->users, (svc->nusers + 1) * sizeof *svc->users);
        svc->nusers++;
    }
    snprintf(svc->users[i].image, sizeof svc->users[i].image, "%s", id);
    snprintf(svc->users[i].container, sizeof svc->users[i].container, "%s", container);
    svc->users[i].running = running;
    pthread_mutex_unlock(&svc->users_mu);
}

void
image_service_unuse(struct image_service *svc, const char *container)
{
    size_t i;

    pthread_mutex_lock(&svc->users_mu);
    for (i = 0; i < svc->nusers; i++) {
        if (strcmp(svc->users[i].container, container) == 0) {
            svc->users[i] = svc->users[--svc->nusers];
            break;
        }
    }
    pthread_mutex_unlock(&svc->users_mu);
}

size_t
image_service_users(struct image_service *svc, const char *id)
{
    size_t i, n = 0;

    pthread_mutex_lock(&svc->users_mu);
    for (i = 0; i < svc->nusers; i++)
        n += strcmp(svc->users[i].image, id) == 0;
    pthread_mutex_unlock(&svc->users_mu);
    return n;
}

/* moby's checkImageDeleteConflict for containers: a running user is a hard conflict,
 * a stopped one a soft one (checked when stopped is set). */
static int
image_container_conflict(struct image_service *svc, const char *id, bool stopped,
                         dctl_error_t *err)
{
    char cid[13] = "", sid[13];
    bool hard = false, soft = false;
    size_t i;

    pthread_mutex_lock(&svc->users_mu);
    for (i = 0; i < svc->nusers && !hard; i++) {
        if (strcmp(svc->users[i].image, id) != 0)
            continue;
        if (svc->users[i].running || (stopped && !soft)) {
            hard = svc->users[i].running;
            soft = !hard;
            snprintf(cid, sizeof cid, "%.12s", svc->users[i].container);
        }
    }
    pthread_mutex_unlock(&svc->users_mu);
    if (!hard && !soft)
        return 0;
    snprintf(sid, sizeof sid, "%s", digest_hex(id));
    return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                          "conflict: unable to delete %s (%s) - image is being used by %s "
                          "container %s", sid, hard ? "cannot be forced" : "must be forced",
                          hard ? "running" : "stopped", cid);
}

/* ---- look-up ------------------------------------------------------------------ */

static void
image_not_found(const struct reference *ref, const char *name, dctl_error_t *err)
{
    if (ref && ref->path) {
        cleanup_reference struct reference *r = reference_dup(ref);
        cleanup_free char *s = NULL;

        reference_tag_name_only(r);
        s = reference_familiar_string(r);
        dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", s);
        return;
    }
    dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", name);
}

struct image *
image_service_lookup(struct image_service *svc, const char *name, dctl_error_t *err)
{
    cleanup_reference struct reference *ref = reference_parse_any(name, err);
    char id[DIGEST_STRING_MAX];
    dctl_error_t e = NULL;
    struct image *img;

    if (ref == NULL)
        return NULL;
    if (ref->digest) {   /* an ID, or name@digest falling back to the ID */
        img = imagestore_get(svc->images, ref->digest);
        if (img)
            return img;
        if (ref->path == NULL) {
            image_not_found(NULL, ref->digest, err);
            return NULL;
        }
    }
    if (refstore_get(svc->refs, ref, id, &e) == 0) {
        img = imagestore_get(svc->images, id);
        if (img)
            return img;
    }
    dctl_error_clear(&e);
    img = imagestore_search(svc->images, name, &e);
    if (img)
        return img;
    if (e->kind == DCTL_ERR_INVALID) {   /* an ambiguous prefix */
        *err = e;
        return NULL;
    }
    dctl_error_free(e);
    image_not_found(ref, name, err);
    return NULL;
}

void
image_service_repo_lists(struct image_service *svc, const char *id, struct json_object **tags,
                         struct json_object **digests)
{
    struct reference **refs = refstore_references(svc->refs, id, NULL);
    size_t i;

    *tags = json_object_new_array();
    *digests = json_object_new_array();
    for (i = 0; refs[i]; i++) {
        cleanup_free char *s = reference_familiar_string(refs[i]);

        json_object_array_add(refs[i]->digest ? *digests : *tags, json_object_new_string(s));
    }
    reference_list_free(refs);
}

struct json_object *
image_config_labels(const struct image *img)
{
    cleanup_json struct json_object *o = json_parse(img->config, img->config_len, "config", NULL);
    struct json_object *cfg, *labels;

    if (o && json_object_object_get_ex(o, "config", &cfg) &&
        json_object_object_get_ex(cfg, "Labels", &labels) &&
        json_object_is_type(labels, json_type_object))
        return json_object_get(labels);
    return json_object_new_object();
}

/* ---- import: the config dockerd's ImportImage writes ---------------------------- */

/* Go's time.Time JSON: RFC 3339 with the fraction's trailing zeros dropped. */
static void
image_format_time(long long ns, char *buf, size_t len)
{
    char *dot, *end;

    util_format_rfc3339(ns, buf, len);
    dot = strchr(buf, '.');
    if (dot == NULL)
        return;
    end = dot + strlen(dot) - 1;   /* at the 'Z' */
    while (end - 1 > dot && end[-1] == '0')
        end--;
    if (end - 1 == dot)
        end = dot;
    memmove(end, "Z", 2);
}

/* container.Config with Docker's field order and defaults. */
static struct json_object *
image_container_config_new(void)
{
    struct json_object *c = json_object_new_object();

    json_add_string(c, "Hostname", "");
    json_add_string(c, "Domainname", "");
    json_add_string(c, "User", "");
    json_add_bool(c, "AttachStdin", false);
    json_add_bool(c, "AttachStdout", false);
    json_add_bool(c, "AttachStderr", false);
    json_add_bool(c, "Tty", false);
    json_add_bool(c, "OpenStdin", false);
    json_add_bool(c, "StdinOnce", false);
    json_object_object_add(c, "Env", NULL);
    json_object_object_add(c, "Cmd", NULL);
    json_add_string(c, "Image", "");
    json_object_object_add(c, "Volumes", NULL);
    json_add_string(c, "WorkingDir", "");
    json_object_object_add(c, "Entrypoint", NULL);
    json_object_object_add(c, "OnBuild", NULL);
    json_object_object_add(c, "Labels", NULL);
    return c;
}

static const char *const image_change_commands[] = {
    "cmd", "entrypoint", "env", "expose", "label", "onbuild", "stopsignal", "user", "volume",
    "workdir",
};

/* Splits "INSTR args": lower-cased instruction into cmd, *args after the blanks. */
static int
image_change_split(const char *change, char cmd[16], const char **args, dctl_error_t *err)
{
    const char *p = change;
    size_t n = 0, i;

    while (isspace((unsigned char)*p))
        p++;
    while (p[n] && !isspace((unsigned char)p[n]))
        n++;
    if (n == 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "dockerfile parse error: empty change");
    if (n >= 16)
        n = 15;
    for (i = 0; i < n; i++)
        cmd[i] = (char)tolower((unsigned char)p[i]);
    cmd[n] = '\0';
    for (i = 0; i < ARRAY_SIZE(image_change_commands); i++)
        if (strcmp(cmd, image_change_commands[i]) == 0)
            break;
    if (i == ARRAY_SIZE(image_change_commands))
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s is not a valid change command", cmd);
    p += strcspn(p, " \t\r\n");
    while (isspace((unsigned char)*p))
        p++;
    *args = p;
    if (*p == '\0' && strcmp(cmd, "cmd") != 0 && strcmp(cmd, "entrypoint") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "%s requires at least one argument",
                              cmd);
    return 0;
}

/* JSON form ["a", "b"] or shell form (→ /bin/sh -c "...") as a new array. */
static struct json_object *
image_change_exec_form(const char *args, bool shell)
{
    struct json_object *a = NULL;
    size_t i;

    if (*args == '[') {
        a = json_parse(args, strlen(args), "change", NULL);
        if (a && json_object_is_type(a, json_type_array)) {
            for (i = 0; i < json_object_array_length(a); i++)
                if (!json_object_is_type(json_object_array_get_idx(a, i), json_type_string))
                    break;
            if (i == json_object_array_length(a))
                return a;
        }
        if (a)
            json_object_put(a);
    }
    a = json_object_new_array();
    if (shell) {
        json_object_array_add(a, json_object_new_string("/bin/sh"));
        json_object_array_add(a, json_object_new_string("-c"));
        json_object_array_add(a, json_object_new_string(args));
    } else {   /* VOLUME: blank-separated */
        char *copy = xstrdup(args), *save = NULL, *w;

        for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
            json_object_array_add(a, json_object_new_string(w));
        free(copy);
    }
    return a;
}

/* Next word of "k=v k2="v 2"" style arguments (quotes removed) into a new string. */
static char *
image_change_word(const char **pp)
{
    const char *p = *pp;
    char *out = xmalloc(strlen(p) + 1), *o = out;
    char quote = 0;

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') {
        free(out);
        return NULL;
    }
    for (; *p && (quote || !isspace((unsigned char)*p)); p++) {
        if (quote && *p == quote) {
            quote = 0;
        } else if (!quote && (*p == '"' || *p == '\'')) {
            quote = *p;
        } else if (*p == '\\' && p[1] && quote != '\'') {
            *o++ = *++p;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    *pp = p;
    return out;
}

static void
image_env_set(struct json_object *c, const char *key, const char *value)
{
    struct json_object *env;
    cleanup_free char *kv = xasprintf("%s=%s", key, value);
    size_t i, klen = strlen(key);

    if (!json_object_object_get_ex(c, "Env", &env) || env == NULL) {
        env = json_object_new_array();
        json_object_object_add(c, "Env", env);
    }
    for (i = 0; i < json_object_array_length(env); i++) {
        const char *e = json_object_get_string(json_object_array_get_idx(env, i));

        if (strncmp(e, key, klen) == 0 && e[klen] == '=') {
            json_object_array_put_idx(env, i, json_object_new_string(kv));
            return;
        }
    }
    json_object_array_add(env, json_object_new_string(kv));
}

/* KEY=VALUE pairs, or the legacy "KEY VALUE" (one pair). */
static int
image_change_pairs(struct json_object *c, const char *cmd, const char *args, dctl_error_t *err)
{
    const char *p = args;
    struct json_object *labels = NULL;
    char *w;

    if (strcmp(cmd, "label") == 0) {
        if (!json_object_object_get_ex(c, "Labels", &labels) || labels == NULL) {
            labels = json_object_new_object();
            json_object_object_add(c, "Labels", labels);
        }
    }
    if (strcmp(cmd, "env") == 0 && strchr(args, '=') == NULL) {
        size_t klen = strcspn(args, " \t");
        cleanup_free char *key = xstrndup(args, klen);
        const char *v = args + klen;

        while (isspace((unsigned char)*v))
            v++;
        if (*v == '\0')
            return dctl_error_set(err, DCTL_ERR_INVALID, 0, "ENV must have two arguments");
        image_env_set(c, key, v);
        return 0;
    }
    while ((w = image_change_word(&p)) != NULL) {
        char *eq = strchr(w, '=');

        if (eq == NULL || eq == w) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "Syntax error - can't find = in \"%s\". "
                           "Must be of the form: name=value", w);
            free(w);
            return -1;
        }
        *eq = '\0';
        if (labels)
            json_add_string(labels, w, eq + 1);
        else
            image_env_set(c, w, eq + 1);
        free(w);
    }
    return 0;
}

static int
image_change_expose(struct json_object *c, const char *args, dctl_error_t *err)
{
    struct json_object *ports;
    const char *p = args;
    char *w;

    if (!json_object_object_get_ex(c, "ExposedPorts", &ports) || ports == NULL) {
        ports = json_object_new_object();
        json_object_object_add(c, "ExposedPorts", ports);
    }
    while ((w = image_change_word(&p)) != NULL) {
        cleanup_free char *key = NULL;
        char *slash = strchr(w, '/'), *end;
        const char *proto = slash ? slash + 1 : "tcp";
        long port;

        if (slash)
            *slash = '\0';
        port = strtol(w, &end, 10);
        if (*w == '\0' || *end != '\0' || port < 1 || port > 65535 ||
            (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
             strcmp(proto, "sctp") != 0)) {
            dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid containerPort: %s", w);
            free(w);
            return -1;
        }
        key = xasprintf("%ld/%s", port, proto);
        json_object_object_add(ports, key, json_object_new_object());
        free(w);
    }
    return 0;
}

static int
image_change_apply(struct json_object *c, const char *change, dctl_error_t *err)
{
    char cmd[16];
    const char *args = "";

    if (image_change_split(change, cmd, &args, err) < 0)
        return -1;
    if (c == NULL)
        return 0;
    if (strcmp(cmd, "cmd") == 0 || strcmp(cmd, "entrypoint") == 0) {
        json_object_object_add(c, strcmp(cmd, "cmd") == 0 ? "Cmd" : "Entrypoint",
                               *args ? image_change_exec_form(args, true) : NULL);
    } else if (strcmp(cmd, "env") == 0 || strcmp(cmd, "label") == 0) {
        return image_change_pairs(c, cmd, args, err);
    } else if (strcmp(cmd, "expose") == 0) {
        return image_change_expose(c, args, err);
    } else if (strcmp(cmd, "user") == 0) {
        json_add_string(c, "User", args);
    } else if (strcmp(cmd, "stopsignal") == 0) {
        json_add_string(c, "StopSignal", args);
    } else if (strcmp(cmd, "workdir") == 0) {
        const char *cur = json_get_string(c, "WorkingDir");
        cleanup_free char *wd = NULL;

        if (args[0] == '/' || cur == NULL || *cur == '\0')
            wd = xasprintf("%s%s", args[0] == '/' ? "" : "/", args);
        else
            wd = xasprintf("%s/%s", cur, args);
        json_add_string(c, "WorkingDir", wd);
    } else if (strcmp(cmd, "volume") == 0) {
        struct json_object *vols, *list = image_change_exec_form(args, false);
        size_t i;

        if (!json_object_object_get_ex(c, "Volumes", &vols) || vols == NULL) {
            vols = json_object_new_object();
            json_object_object_add(c, "Volumes", vols);
        }
        for (i = 0; i < json_object_array_length(list); i++)
            json_object_object_add(vols,
                                   json_object_get_string(json_object_array_get_idx(list, i)),
                                   json_object_new_object());
        json_object_put(list);
    } else if (strcmp(cmd, "onbuild") == 0) {
        struct json_object *ob;

        if (!json_object_object_get_ex(c, "OnBuild", &ob) || ob == NULL) {
            ob = json_object_new_array();
            json_object_object_add(c, "OnBuild", ob);
        }
        json_object_array_add(ob, json_object_new_string(args));
    }
    return 0;
}

int
image_changes_validate(const char *const *changes, size_t n, dctl_error_t *err)
{
    cleanup_json struct json_object *c = image_container_config_new();
    size_t i;

    for (i = 0; i < n; i++)
        if (image_change_apply(c, changes[i], err) < 0)
            return -1;
    return 0;
}

static const char *
image_goarch(void)
{
    static char arch[sizeof ((struct utsname *)0)->machine];
    struct utsname u;

    if (uname(&u) < 0)
        return "amd64";
    if (strcmp(u.machine, "x86_64") == 0)
        return "amd64";
    if (strcmp(u.machine, "aarch64") == 0)
        return "arm64";
    if (strncmp(u.machine, "arm", 3) == 0)
        return "arm";
    if (strcmp(u.machine, "i686") == 0 || strcmp(u.machine, "i386") == 0)
        return "386";
    snprintf(arch, sizeof arch, "%s", u.machine);
    return arch;
}

static char *
image_import_config(const struct image_import_opts *opts, const char *diff_id,
                    dctl_error_t *err)
{
    cleanup_json struct json_object *o = json_object_new_object();
    struct json_object *cfg = image_container_config_new();
    struct json_object *rootfs = json_object_new_object(), *diffs = json_object_new_array();
    struct json_object *history = json_object_new_array(), *h = json_object_new_object();
    const char *msg = opts->message && *opts->message ? opts->message : "Imported from -";
    char created[64];
    size_t i;

    for (i = 0; i < opts->nchanges; i++) {
        if (image_change_apply(cfg, opts->changes[i], err) < 0) {
            json_object_put(cfg);
            json_object_put(rootfs);
            json_object_put(diffs);
            json_object_put(history);
            json_object_put(h);
            return NULL;
        }
    }
    image_format_time(util_now_ns(), created, sizeof created);
    json_add_string(o, "architecture", opts->platform_arch && *opts->platform_arch
                                           ? opts->platform_arch : image_goarch());
    json_add_string(o, "comment", msg);
    json_object_object_add(o, "config", cfg);
    json_add_string(o, "created", created);
    json_add_string(o, "docker_version", PACKAGE_VERSION);
    json_add_string(h, "created", created);
    json_add_string(h, "comment", msg);
    json_object_array_add(history, h);
    json_object_object_add(o, "history", history);
    json_add_string(o, "os", "linux");
    json_add_string(rootfs, "type", "layers");
    json_object_array_add(diffs, json_object_new_string(diff_id));
    json_object_object_add(rootfs, "diff_ids", diffs);
    json_object_object_add(o, "rootfs", rootfs);
    return json_to_string(o);
}

int
image_service_import(struct image_service *svc, int fd, const struct image_import_opts *opts,
                     char id[DIGEST_STRING_MAX], struct image_events *ev, dctl_error_t *err)
{
    char chain[DIGEST_STRING_MAX], diff[DIGEST_STRING_MAX];
    cleanup_free char *config = NULL;
    cleanup_image struct image *img = NULL;

    if (opts->platform_os && *opts->platform_os && strcmp(opts->platform_os, "linux") != 0)
        return dctl_error_set(err, DCTL_ERR_INVALID, 0, "operating system is not supported");
    if (image_changes_validate(opts->changes, opts->nchanges, err) < 0)
        return -1;
    if (layerstore_register(svc->layers, fd, NULL, chain, diff, err) < 0)
        return -1;
    config = image_import_config(opts, diff, err);
    if (config == NULL || imagestore_create(svc->images, config, strlen(config), NULL, id,
                                            NULL, err) < 0) {
        layerstore_release(svc->layers, chain, NULL, NULL, NULL);
        return -1;
    }
    /* the image holds its own reference now; drop registration's */
    layerstore_release(svc->layers, chain, NULL, NULL, NULL);
    if (opts->ref && image_service_tag(svc, id, opts->ref, ev, err) < 0) {
        imagestore_delete(svc->images, id, NULL, NULL, NULL);
        return -1;
    }
    image_events_add(ev, "import", id, id);
    return 0;
}

/* ---- commit ---------------------------------------------------------------------- */

static char *
image_commit_config(const struct image *parent, const struct image_commit_opts *opts,
                    const char *diff_id, dctl_error_t *err)
{
    cleanup_json struct json_object *o = NULL;
    struct json_object *rootfs, *diffs, *history, *h, *cfg, *cmd;
    char created[64];
    cleanup_free char *created_by = xstrdup("");
    size_t i;

    if (parent) {
        o = json_parse_object(parent->config, parent->config_len, "image config", err);
        if (o == NULL)
            return NULL;
    } else {
        o = json_object_new_object();
        json_add_string(o, "architecture", image_goarch());
        json_add_string(o, "os", "linux");
    }
    cfg = opts->config ? json_object_get(opts->config) : image_container_config_new();
    for (i = 0; i < opts->nchanges; i++) {
        if (image_change_apply(cfg, opts->changes[i], err) < 0) {
            json_object_put(cfg);
            return NULL;
        }
    }
    image_format_time(util_now_ns(), created, sizeof created);
    json_object_object_add(o, "config", cfg);
    json_add_string(o, "container", opts->container_id);
    if (opts->container_config)
        json_object_object_add(o, "container_config", json_object_get(opts->container_config));
    json_add_string(o, "created", created);
    json_add_string(o, "docker_version", PACKAGE_VERSION);
    if (opts->author && *opts->author)
        json_add_string(o, "author", opts->author);
    else
        json_object_object_del(o, "author");
    if (opts->comment && *opts->comment)
        json_add_string(o, "comment", opts->comment);
    else
        json_object_object_del(o, "comment");
    /* rootfs.diff_ids and history grow by the new layer */
    if (!json_object_object_get_ex(o, "rootfs", &rootfs) || rootfs == NULL) {
        rootfs = json_object_new_object();
        json_add_string(rootfs, "type", "layers");
        json_object_object_add(o, "rootfs", rootfs);
    }
    if (!json_object_object_get_ex(rootfs, "diff_ids", &diffs) || diffs == NULL) {
        diffs = json_object_new_array();
        json_object_object_add(rootfs, "diff_ids", diffs);
    }
    json_object_array_add(diffs, json_object_new_string(diff_id));
    if (!json_object_object_get_ex(o, "history", &history) || history == NULL) {
        history = json_object_new_array();
        json_object_object_add(o, "history", history);
    }
    if (opts->container_config && json_object_object_get_ex(opts->container_config, "Cmd", &cmd) &&
        json_object_is_type(cmd, json_type_array)) {
        for (i = 0; i < json_object_array_length(cmd); i++) {
            char *n = xasprintf("%s%s%s", created_by, i ? " " : "",
                                json_object_get_string(json_object_array_get_idx(cmd, i)));

            free(created_by);
            created_by = n;
        }
    }
    h = json_object_new_object();
    json_add_string(h, "created", created);
    if (opts->author && *opts->author)
        json_add_string(h, "author", opts->author);
    json_add_string(h, "created_by", created_by);
    if (opts->comment && *opts->comment)
        json_add_string(h, "comment", opts->comment);
    json_object_array_add(history, h);
    return json_to_string(o);
}

int
image_service_commit(struct image_service *svc, const char *parent_id, int fd,
                     const struct image_commit_opts *opts, char id[DIGEST_STRING_MAX],
                     struct image_events *ev, dctl_error_t *err)
{
    char chain[DIGEST_STRING_MAX], diff[DIGEST_STRING_MAX];
    cleanup_free char *config = NULL;
    cleanup_image struct image *parent = NULL;

    if (image_changes_validate(opts->changes, opts->nchanges, err) < 0)
        return -1;
    if (parent_id && *parent_id) {
        parent = imagestore_get(svc->images, parent_id);
        if (parent == NULL)
            return dctl_error_set(err, DCTL_ERR_NOT_FOUND, 0, "No such image: %s", parent_id);
    }
    if (layerstore_register(svc->layers, fd, parent && parent->top_chain[0] ? parent->top_chain
                                                                            : NULL,
                            chain, diff, err) < 0)
        return -1;
    config = image_commit_config(parent, opts, diff, err);
    if (config == NULL || imagestore_create(svc->images, config, strlen(config),
                                            parent ? parent->id : NULL, id, NULL, err) < 0) {
        layerstore_release(svc->layers, chain, NULL, NULL, NULL);
        return -1;
    }
    layerstore_release(svc->layers, chain, NULL, NULL, NULL);   /* the image holds it */
    if (opts->ref && image_service_tag(svc, id, opts->ref, ev, err) < 0) {
        imagestore_delete(svc->images, id, NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

/* ---- tag ----------------------------------------------------------------------------- */

int
image_service_tag(struct image_service *svc, const char *id, const struct reference *ref,
                  struct image_events *ev, dctl_error_t *err)
{
    cleanup_reference struct reference *r = reference_dup(ref);
    cleanup_free char *name = NULL;
    dctl_error_t e = NULL;

    reference_tag_name_only(r);
    if (refstore_add_tag(svc->refs, r, id, true, err) < 0)
        return -1;
    if (imagestore_set_last_updated(svc->images, id, util_now_ns(), &e) < 0) {
        cleanup_free char *text = dctl_error_text(e);

        log_warn("image %.19s: record tag time: %s", id, text);
        dctl_error_free(e);
    }
    name = reference_familiar_string(r);
    image_events_add(ev, "tag", id, name);
    return 0;
}

/* ---- delete ------------------------------------------------------------------------- */

static void
image_record(struct json_object *out, const char *key, const char *value)
{
    struct json_object *o = json_object_new_object();

    json_add_string(o, key, value);
    json_object_array_add(out, o);
}

static bool
image_ref_same_name(const struct reference *a, const struct reference *b)
{
    cleanup_free char *na = reference_name(a), *nb = reference_name(b);

    return na && nb && strcmp(na, nb) == 0;
}

/* moby's isSingleReference: at most one tag, and every reference in one repository. */
static bool
image_is_single_reference(struct reference **refs, size_t n)
{
    const struct reference *single = NULL;
    size_t i;

    if (n <= 1)
        return n == 1;
    for (i = 0; i < n; i++) {
        if (refs[i]->digest)
            continue;
        if (single)
            return false;
        single = refs[i];
    }
    if (single == NULL)
        single = refs[0];
    for (i = 0; i < n; i++)
        if (!image_ref_same_name(refs[i], single))
            return false;
    return true;
}

static int
image_untag(struct image_service *svc, const char *id, const struct reference *ref,
            struct json_object *out, struct image_events *ev, dctl_error_t *err)
{
    cleanup_free char *s = reference_familiar_string(ref);

    if (refstore_delete(svc->refs, ref, err) < 0)
        return -1;
    image_record(out, "Untagged", s);
    image_events_add(ev, "untag", id, id);
    return 0;
}

static void
image_short_id(const char *id, char out[13])
{
    snprintf(out, 13, "%s", digest_hex(id));
}

/* moby's imageDeleteHelper (no containers yet: the conflicts are dependent children
 * (hard) and references in several repositories (soft)). */
static int
image_delete_helper(struct image_service *svc, const char *id, bool force, bool prune,
                    bool quiet, struct json_object *out, struct image_events *ev,
                    int64_t *reclaimed, dctl_error_t *err)
{
    char parent[DIGEST_STRING_MAX] = "", sid[13];
    struct reference **refs;
    struct layer_info *gone = NULL;
    size_t nrefs, ngone = 0, i;
    bool hard, soft;

    image_short_id(id, sid);
    if (image_container_conflict(svc, id, !force, quiet ? NULL : err) < 0)
        return quiet ? 0 : -1;
    hard = imagestore_children(svc->images, id) > 0;
    refs = refstore_references(svc->refs, id, &nrefs);
    soft = !force && nrefs > 1;
    if (hard || soft) {
        reference_list_free(refs);
        if (quiet)
            return 0;
        return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                              "conflict: unable to delete %s (%s) - %s", sid,
                              hard ? "cannot be forced" : "must be forced",
                              hard ? "image has dependent child images"
                                   : "image is referenced in multiple repositories");
    }
    imagestore_parent(svc->images, id, parent);
    for (i = 0; i < nrefs; i++) {
        if (image_untag(svc, id, refs[i], out, ev, err) < 0) {
            reference_list_free(refs);
            return -1;
        }
    }
    reference_list_free(refs);
    if (imagestore_delete(svc->images, id, &gone, &ngone, err) < 0)
        return -1;
    image_events_add(ev, "delete", id, id);
    image_record(out, "Deleted", id);
    for (i = 0; i < ngone; i++) {
        image_record(out, "Deleted", gone[i].chain_id);
        if (reclaimed)
            *reclaimed += gone[i].size;
    }
    free(gone);
    if (!prune || parent[0] == '\0')
        return 0;
    /* an untagged parent with no other child goes too, quietly */
    nrefs = 0;
    refs = refstore_references(svc->refs, parent, &nrefs);
    reference_list_free(refs);
    if (nrefs > 0 || imagestore_children(svc->images, parent) > 0)
        return 0;
    return image_delete_helper(svc, parent, false, true, true, out, ev, reclaimed, err);
}

int
image_service_delete(struct image_service *svc, const char *name, bool force, bool prune,
                     struct json_object *out, struct image_events *ev, dctl_error_t *err)
{
    cleanup_image struct image *img = image_service_lookup(svc, name, err);
    cleanup_reference struct reference *parsed = NULL;
    struct reference **refs;
    size_t nrefs, i;
    bool by_id;

    if (img == NULL)
        return -1;
    /* an ID prefix (with or without sha256:) was given, not a reference */
    by_id = util_has_prefix(digest_hex(img->id), util_has_prefix(name, "sha256:") ? name + 7
                                                                                   : name);
    refs = refstore_references(svc->refs, img->id, &nrefs);
    if (!by_id) {
        bool found_tag = false;
        char user[13] = "";

        /* moby: the last reference of an image a container uses goes only by force */
        if (!force && image_is_single_reference(refs, nrefs)) {
            size_t k;

            pthread_mutex_lock(&svc->users_mu);
            for (k = 0; k < svc->nusers && !*user; k++)
                if (strcmp(svc->users[k].image, img->id) == 0)
                    snprintf(user, sizeof user, "%.12s", svc->users[k].container);
            pthread_mutex_unlock(&svc->users_mu);
        }
        if (*user) {
            char sid[13];

            reference_list_free(refs);
            image_short_id(img->id, sid);
            return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                                  "conflict: unable to remove repository reference \"%s\" "
                                  "(must force) - container %s is using its referenced image %s",
                                  name, user, sid);
        }
        reference_list_free(refs);
        parsed = reference_parse_normalized(name, err);
        if (parsed == NULL)
            return -1;
        if (parsed->digest == NULL)
            reference_tag_name_only(parsed);
        if (image_untag(svc, img->id, parsed, out, ev, err) < 0)
            return -1;
        refs = refstore_references(svc->refs, img->id, &nrefs);
        /* a tag gone and only digests of its repository left: those go too */
        if (parsed->digest == NULL) {
            for (i = 0; i < nrefs; i++)
                if (refs[i]->digest == NULL && image_ref_same_name(refs[i], parsed))
                    found_tag = true;
            for (i = 0; !found_tag && i < nrefs; i++) {
                if (refs[i]->digest && image_ref_same_name(refs[i], parsed) &&
                    image_untag(svc, img->id, refs[i], out, ev, err) < 0) {
                    reference_list_free(refs);
                    return -1;
                }
            }
            if (!found_tag) {
                reference_list_free(refs);
                refs = refstore_references(svc->refs, img->id, &nrefs);
            }
        }
        reference_list_free(refs);
        if (nrefs > 0)
            return 0;
        return image_delete_helper(svc, img->id, force, prune, false, out, ev, NULL, err);
    }
    if (image_is_single_reference(refs, nrefs)) {
        char sid[13];

        image_short_id(img->id, sid);
        if (image_container_conflict(svc, img->id, !force, err) < 0) {
            reference_list_free(refs);
            return -1;
        }
        if (imagestore_children(svc->images, img->id) > 0) {
            reference_list_free(refs);
            return dctl_error_set(err, DCTL_ERR_CONFLICT, 0,
                                  "conflict: unable to delete %s (cannot be forced) - image "
                                  "has dependent child images", sid);
        }
        for (i = 0; i < nrefs; i++) {
            if (image_untag(svc, img->id, refs[i], out, ev, err) < 0) {
                reference_list_free(refs);
                return -1;
            }
        }
    }
    reference_list_free(refs);
    return image_delete_helper(svc, img->id, force, prune, false, out, ev, NULL, err);
}

/* ---- prune ------------------------------------------------------------------------ */

int
image_service_prune(struct image_service *svc, bool dangling_only, long long until_ns,
                    bool (*keep)(const struct image *img, void *arg), void *arg,
                    struct json_object *out, int64_t *reclaimed, struct image_events *ev,
                    dctl_error_t *err)
{
    size_t n, i;
    struct image **all = imagestore_list(svc->images, &n);
    cleanup_free char *text = NULL;

    *reclaimed = 0;
    for (i = 0; i < n; i++) {
        struct image *img = all[i];
        struct reference **refs;
        size_t nrefs, k;
        dctl_error_t e = NULL;

        if (imagestore_children(svc->images, img->id) > 0)
            continue;
        if (until_ns != LLONG_MAX && img->created_ns >= until_ns)
            continue;
        if (keep && keep(img, arg))
            continue;
        refs = refstore_references(svc->refs, img->id, &nrefs);
        if (nrefs > 0 && dangling_only) {
            reference_list_free(refs);
            continue;
        }
        for (k = 0; k < nrefs; k++)
            if (image_untag(svc, img->id, refs[k], out, ev, &e) < 0)
                break;
        reference_list_free(refs);
        if (e == NULL)
            image_delete_helper(svc, img->id, false, true, true, out, ev, reclaimed, &e);
        if (e) {   /* as dockerd: a failure is logged and the prune goes on */
            cleanup_free char *msg = dctl_error_text(e);

            log_warn("image prune: %.19s: %s", img->id, msg);
            dctl_error_free(e);
        }
    }
    imagestore_list_free(all, n);
    text = xasprintf("%lld", (long long)*reclaimed);
    image_events_add(ev, "prune", "", text);
    (void)err;
    return 0;
}
