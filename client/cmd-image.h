/* client/cmd-image.h - what the image commands (client/cmd-images.c, cmd-import.c,
 * cmd-tag.c, cmd-rmi.c, cmd-history.c, cmd-image*.c) share: JSON requests, image
 * names in paths, Go's boolean flag values, and the rows `dctl images` shows.
 * Single-threaded. */
#ifndef DCTL_CLIENT_CMD_IMAGE_H
#define DCTL_CLIENT_CMD_IMAGE_H

#include <stdbool.h>

#include <json-c/json.h>

#include "client/cmd.h"
#include "client/format.h"

/* The fields of a `dctl images` row and of a `dctl history` row, with docker's headers. */
extern const struct format_field cmd_images_fields[];
extern const struct format_field cmd_history_fields[];

/* Sends a request (body NULL or JSON) and parses the answer as any JSON value (NULL
 * for an empty body); a status >= 400 is "Error response from daemon: ...". */
int cmd_image_request(struct client *cl, const char *method, const char *path, const char *body,
                      struct json_object **out, dctl_error_t *err);
/* An image name or ID for a path segment: characters outside [A-Za-z0-9._:/@+-]
 * percent-encoded. Caller's. */
char *cmd_image_path_escape(const char *name);
/* "&filters=JSON" for a non-empty filter object, else "". Caller's. */
char *cmd_image_filters_query(struct json_object *filters);
/* docker's PromptForConfirmation: prints warning and " [y/N] ", true for a "y" or "Y"
 * line on standard input (client/cmd-image-prune.c). */
bool cmd_prune_confirm(const char *warning);
/* Prints "\"dctl NAME\" requires WHAT.", the hint and the usage line on stderr, as
 * cmd_no_args does; returns CMD_EXIT_ERROR. */
int cmd_image_args_error(const struct client_cmd *cmd, const char *what);

/* docker's image formatter: the rows of GET /images/json's list, one per repository
 * and tag (and digest when digests is set), "<none>" for a dangling image, with the
 * strings docker shows (trunc: 12-character IDs). A new array of objects. */
struct json_object *cmd_images_rows(struct json_object *list, bool digests, bool trunc,
                                    long long now_ns);
/* The rows of GET /images/{name}/history (human: sizes and times humanised; trunc:
 * short IDs and CREATED BY cut at 45 characters). A new array. */
struct json_object *cmd_history_rows(struct json_object *list, bool human, bool trunc,
                                     long long now_ns);

#endif
