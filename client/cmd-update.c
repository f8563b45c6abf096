/* client/cmd-update.c - the resource flags docker's run, create and update share
 * (memory, swap, CPU shares, quota and sets, pids, block I/O weight and throttles), parsed
 * with the docker CLI's parsers and messages into HostConfig members, and `dctl update`:
 * POST /containers/{id}/update with them (and --restart) for each container named. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd-container.h"
#include "client/cmd-image.h"
#include "lib/json.h"
#include "lib/units.h"
#include "lib/util.h"
#include "lib/xmalloc.h"

/* The flag as docker's pflag names it in messages: "-m, --memory" or "--cpus". */
static const char *
res_flag_name(int opt)
{
    switch (opt) {
    case CMD_RES_MEMORY: return "-m, --memory";
    case CMD_RES_MEMORY_SWAP: return "--memory-swap";
    case CMD_RES_MEMORY_RESERVATION: return "--memory-reservation";
    case CMD_RES_MEMORY_SWAPPINESS: return "--memory-swappiness";
    case CMD_RES_KERNEL_MEMORY: return "--kernel-memory";
    case CMD_RES_CPUS: return "--cpus";
    case CMD_RES_CPU_SHARES: return "-c, --cpu-shares";
    case CMD_RES_CPU_PERIOD: return "--cpu-period";
    case CMD_RES_CPU_QUOTA: return "--cpu-quota";
    case CMD_RES_CPU_RT_PERIOD: return "--cpu-rt-period";
    case CMD_RES_CPU_RT_RUNTIME: return "--cpu-rt-runtime";
    case CMD_RES_PIDS_LIMIT: return "--pids-limit";
    case CMD_RES_BLKIO_WEIGHT: return "--blkio-weight";
    case CMD_RES_BLKIO_WEIGHT_DEVICE: return "--blkio-weight-device";
    case CMD_RES_DEVICE_READ_BPS: return "--device-read-bps";
    case CMD_RES_DEVICE_WRITE_BPS: return "--device-write-bps";
    case CMD_RES_DEVICE_READ_IOPS: return "--device-read-iops";
    case CMD_RES_DEVICE_WRITE_IOPS: return "--device-write-iops";
    }
    return "?";
}

static int
res_bad(dctl_error_t *err, int opt, const char *arg, const char *why)
{
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "invalid argument \"%s\" for \"%s\" flag: %s",
                          arg, res_flag_name(opt), why);
}

/* strconv.ParseInt(arg, 10, 64) with Go's messages. */
static int
res_int(int opt, const char *arg, long long *out, dctl_error_t *err)
{
    char why[160];

    if (util_parse_int64(arg, out) == 0)
        return 0;
    snprintf(why, sizeof why, "strconv.ParseInt: parsing \"%s\": %s", arg,
             *arg && strspn(arg + (*arg == '-'), "0123456789") == strlen(arg + (*arg == '-'))
                 ? "value out of range" : "invalid syntax");
    return res_bad(err, opt, arg, why);
}

/* A list entry "PATH:VALUE" (opts.ValidateWeightDevice / ValidateThrottle*Device). */
static int
res_device(struct json_object *hc, int opt, const char *arg, dctl_error_t *err)
{
    static const char *const members[] = { "BlkioWeightDevice", "BlkioDeviceReadBps",
                                           "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                                           "BlkioDeviceWriteIOps" };
    const char *colon = strchr(arg, ':'), *member = members[opt - CMD_RES_BLKIO_WEIGHT_DEVICE];
    cleanup_free char *path = NULL, *why = NULL;
    struct json_object *a = NULL, *e;
    bool weight = opt == CMD_RES_BLKIO_WEIGHT_DEVICE;
    bool bps = opt == CMD_RES_DEVICE_READ_BPS || opt == CMD_RES_DEVICE_WRITE_BPS;
    long long v = -1;
    int64_t rate = -1;

    if (colon == NULL || colon == arg)
        why = xasprintf("bad format: %s", arg);
    else if (strncmp(arg, "/dev/", 5) != 0)
        why = xasprintf("bad format for device path: %s", arg);
    else if (weight && (util_parse_int64(colon + 1, &v) < 0 || v < 0 || v > 65535 ||
                        (v > 0 && (v < 10 || v > 1000))))
        why = xasprintf("invalid weight for device: %s", arg);
    else if (bps && (units_ram_in_bytes(colon + 1, &rate) < 0 || rate < 0))
        why = xasprintf("invalid rate for device: %s. The correct format is "
                        "<device-path>:<number>[<unit>]. Number must be a positive integer. "
                        "Unit is optional and can be kb, mb, or gb", arg);
    else if (!weight && !bps && (util_parse_int64(colon + 1, &v) < 0 || v < 0))
        why = xasprintf("invalid rate for device: %s. The correct format is "
                        "<device-path>:<number>. Number must be a positive integer", arg);
    if (why)
        return res_bad(err, opt, arg, why);
    path = xstrndup(arg, (size_t)(colon - arg));
    if (!json_object_object_get_ex(hc, member, &a) || a == NULL) {
        a = json_object_new_array();
        json_object_object_add(hc, member, a);
    }
    e = json_object_new_object();
    json_add_string(e, "Path", path);
    json_add_int64(e, weight ? "Weight" : "Rate", bps ? rate : v);
    json_object_array_add(a, e);
    return 0;
}

int
cmd_resource_opt(struct json_object *hc, int opt, const char *arg, dctl_error_t *err)
{
    const char *why = NULL;
    long long n;
    int64_t v;

    switch (opt) {
    case CMD_RES_MEMORY:
    case CMD_RES_MEMORY_RESERVATION:
    case CMD_RES_KERNEL_MEMORY:
    case CMD_RES_MEMORY_SWAP:
        if (opt == CMD_RES_MEMORY_SWAP && strcmp(arg, "-1") == 0) {
            v = -1;   /* opts.MemSwapBytes: unlimited */
        } else if (units_ram_in_bytes(arg, &v) < 0) {
            cleanup_free char *msg = xasprintf("invalid size: '%s'", arg);

            return res_bad(err, opt, arg, msg);
        }
        json_add_int64(hc, opt == CMD_RES_MEMORY ? "Memory"
                           : opt == CMD_RES_MEMORY_RESERVATION ? "MemoryReservation"
                           : opt == CMD_RES_KERNEL_MEMORY ? "KernelMemory" : "MemorySwap", v);
        return 0;
    case CMD_RES_MEMORY_SWAPPINESS:
        if (res_int(opt, arg, &n, err) < 0)
            return -1;
        if (n != -1 && (n < 0 || n > 100))
            return dctl_error_set(err, DCTL_ERR_INVALID, 0,
                                  "invalid value: %lld. Valid memory swappiness range is 0-100",
                                  n);
        json_object_object_add(hc, "MemorySwappiness",
                               n == -1 ? NULL : json_object_new_int64(n));
        return 0;
    case CMD_RES_OOM_KILL_DISABLE:
        json_add_bool(hc, "OomKillDisable", true);
        return 0;
    case CMD_RES_CPUS:
        if (units_nano_cpus(arg, &v, &why) < 0) {
            cleanup_free char *msg = strcmp(why, "failed to parse") == 0
                                         ? xasprintf("failed to parse %s as a rational number", arg)
                                         : xstrdup(why);

            return res_bad(err, opt, arg, msg);
        }
        json_add_int64(hc, "NanoCpus", v);
        return 0;
    case CMD_RES_CPU_SHARES:
    case CMD_RES_CPU_PERIOD:
    case CMD_RES_CPU_QUOTA:
    case CMD_RES_CPU_RT_PERIOD:
    case CMD_RES_CPU_RT_RUNTIME:
    case CMD_RES_PIDS_LIMIT:
        if (res_int(opt, arg, &n, err) < 0)
            return -1;
        json_add_int64(hc, opt == CMD_RES_CPU_SHARES ? "CpuShares"
                           : opt == CMD_RES_CPU_PERIOD ? "CpuPeriod"
                           : opt == CMD_RES_CPU_QUOTA ? "CpuQuota"
                           : opt == CMD_RES_CPU_RT_PERIOD ? "CpuRealtimePeriod"
                           : opt == CMD_RES_CPU_RT_RUNTIME ? "CpuRealtimeRuntime" : "PidsLimit",
                       n);
        return 0;
    case CMD_RES_BLKIO_WEIGHT:
        if (util_parse_int64(arg, &n) < 0 || n < 0 || n > 65535) {
            cleanup_free char *msg = xasprintf("strconv.ParseUint: parsing \"%s\": %s", arg,
                                               util_parse_int64(arg, &n) == 0 && n > 0
                                                   ? "value out of range" : "invalid syntax");

            return res_bad(err, opt, arg, msg);
        }
        json_add_int64(hc, "BlkioWeight", n);
        return 0;
    case CMD_RES_CPUSET_CPUS:
        json_add_string(hc, "CpusetCpus", arg);
        return 0;
    case CMD_RES_CPUSET_MEMS:
        json_add_string(hc, "CpusetMems", arg);
        return 0;
    case CMD_RES_BLKIO_WEIGHT_DEVICE:
    case CMD_RES_DEVICE_READ_BPS:
    case CMD_RES_DEVICE_WRITE_BPS:
    case CMD_RES_DEVICE_READ_IOPS:
    case CMD_RES_DEVICE_WRITE_IOPS:
        return res_device(hc, opt, arg, err);
    }
    return dctl_error_set(err, DCTL_ERR_INVALID, 0, "unknown resource option");
}

/* ---- dctl update --------------------------------------------------------------------- */

static const struct option update_longopts[] = {
    CMD_RESOURCE_UPDATE_LONGOPTS,
    { "restart", required_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int
update_exec(struct client *cl, int argc, char **argv)
{
    cleanup_json struct json_object *body = json_object_new_object();
    cleanup_free char *text = NULL, *warnings = NULL;
    int o, rc = 0, a, status = CMD_EXIT_OK;

    while ((o = cmd_getopt_mixed(&cmd_update_entry, argc, argv, "m:c:h", update_longopts, &rc)) !=
           -1) {
        dctl_error_t err = NULL;

        if (o == CMD_OPT_EXIT)
            return rc;
        if (o == 'm')
            o = CMD_RES_MEMORY;
        else if (o == 'c')
            o = CMD_RES_CPU_SHARES;
        if (o == 'r') {
            struct json_object *rp = json_object_new_object();
            cleanup_free char *name = xstrdup(optarg);
            char *colon = strchr(name, ':');
            long long max = 0;

            if (colon) {
                *colon++ = '\0';
                if (util_parse_int64(colon, &max) < 0 || strcmp(name, "on-failure") != 0) {
                    json_object_put(rp);
                    return cmd_usage_error(&cmd_update_entry,
                                           "invalid argument \"%s\" for \"--restart\" flag: "
                                           "invalid restart policy format: %s", optarg, optarg);
                }
            }
            json_add_string(rp, "Name", name);
            json_add_int64(rp, "MaximumRetryCount", max);
            json_object_object_add(body, "RestartPolicy", rp);
            continue;
        }
        if (cmd_resource_opt(body, o, optarg, &err) < 0) {
            rc = cmd_usage_error(&cmd_update_entry, "%s", err->msg);
            dctl_error_free(err);
            return rc;
        }
    }
    if (optind >= argc)
        return cmd_image_args_error(&cmd_update_entry, "at least 1 argument");
    if (json_object_object_length(body) == 0) {
        fprintf(stderr, "you must provide one or more flags when using this command\n");
        return CMD_EXIT_ERROR;
    }
    text = xstrdup(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
    warnings = xstrdup("");
    for (a = optind; a < argc; a++) {
        cleanup_free char *name = cmd_container_escape(argv[a]);
        cleanup_free char *path = xasprintf("/containers/%s/update", name);
        cleanup_json struct json_object *out = NULL;
        struct json_object *w = NULL;
        dctl_error_t err = NULL;
        size_t i;

        if (cmd_container_request(cl, "POST", path, text, &out, &err) < 0) {
            cmd_fail(err);
            status = CMD_EXIT_ERROR;
            continue;
        }
        printf("%s\n", argv[a]);
        if (out && json_object_object_get_ex(out, "Warnings", &w) && w &&
            json_object_is_type(w, json_type_array))
            for (i = 0; i < json_object_array_length(w); i++) {
                char *n = xasprintf("%s%s\n", warnings,
                                    json_object_get_string(json_object_array_get_idx(w, i)));

                free(warnings);
                warnings = n;
            }
    }
    fputs(warnings, stdout);   /* as docker: the warnings after the names */
    return status;
}

const struct client_cmd cmd_update_entry = {
    .name = "update",
    .args = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Update configuration of one or more containers",
    .aliases = "dctl container update, dctl update",
    .options = "      --blkio-weight uint16        Block IO (relative weight), between 10 and 1000,\n"
               "                                   or 0 to disable (default 0)\n"
               "      --cpu-period int             Limit CPU CFS (Completely Fair Scheduler) period\n"
               "      --cpu-quota int              Limit CPU CFS (Completely Fair Scheduler) quota\n"
               "      --cpu-rt-period int          Limit the CPU real-time period in microseconds\n"
               "      --cpu-rt-runtime int         Limit the CPU real-time runtime in microseconds\n"
               "  -c, --cpu-shares int             CPU shares (relative weight)\n"
               "      --cpus decimal               Number of CPUs\n"
               "      --cpuset-cpus string         CPUs in which to allow execution (0-3, 0,1)\n"
               "      --cpuset-mems string         MEMs in which to allow execution (0-3, 0,1)\n"
               "  -h, --help                       Print usage\n"
               "      --kernel-memory bytes        Kernel memory limit (deprecated: ignored)\n"
               "  -m, --memory bytes               Memory limit\n"
               "      --memory-reservation bytes   Memory soft limit\n"
               "      --memory-swap bytes          Swap limit equal to memory plus swap: -1 to\n"
               "                                   enable unlimited swap\n"
               "      --pids-limit int             Tune container pids limit (set -1 for\n"
               "                                   unlimited)\n"
               "      --restart string             Restart policy to apply when a container exits\n",
    .exec = update_exec,
};
