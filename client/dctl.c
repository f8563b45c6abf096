/* client/dctl.c - dctl's entry point: global options, the daemon address,
 * help, and dispatch to the command table (client/cmd.c). */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "lib/log.h"

static void
dctl_usage(FILE *out)
{
    size_t i;

    fputs("\nUsage:  dctl [OPTIONS] COMMAND\n"
          "\n"
          "A client for dctld, the dctl container engine\n"
          "\n"
          "Commands:\n",
          out);
    for (i = 0; cmd_table[i] != NULL; i++)
        fprintf(out, "  %-11s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
    fputs("  help        Show help for dctl or a command\n"
          "\n"
          "Global Options:\n"
          "  -D, --debug              Enable debug mode (log each request on stderr)\n"
          "  -H, --host string        Daemon socket to connect to: unix:///PATH or\n"
          "                           tcp://HOST:PORT (default $DCTL_HOST, then $DOCKER_HOST,\n"
          "                           then " HTTP_DEFAULT_HOST ")\n"
          "  -h, --help               Print usage\n"
          "  -v, --version            Print version information and quit\n"
          "\n"
          "Run 'dctl COMMAND --help' for more information on a command.\n",
          out);
}

static int
dctl_unknown_command(const char *name)
{
    fprintf(stderr, "dctl: unknown command: dctl %s\n\nRun 'dctl --help' for more information\n",
            name);
    return CMD_EXIT_ERROR;
}

/* `dctl help [COMMAND]` */
static int
dctl_help(int argc, char **argv)
{
    const struct client_cmd *cmd;

    if (argc < 2) {
        dctl_usage(stdout);
        return CMD_EXIT_OK;
    }
    cmd = cmd_find(argv[1]);
    if (cmd == NULL)
        return dctl_unknown_command(argv[1]);
    cmd_usage(cmd, stdout);
    return CMD_EXIT_OK;
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "debug", no_argument, NULL, 'D' },
        { "host", required_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    struct client cl = { 0 };
    const struct client_cmd *cmd;
    const char *host = NULL;
    int o, rc;

    opterr = 0;
    while ((o = getopt_long(argc, argv, "+:DH:hv", opts, NULL)) != -1) {
        switch (o) {
        case 'D':
            cl.debug = true;
            break;
        case 'H':
            if (host != NULL) {
                fprintf(stderr, "dctl: specify only one -H\n");
                return CMD_EXIT_USAGE;
            }
            host = optarg;
            break;
        case 'h':
            dctl_usage(stdout);
            return CMD_EXIT_OK;
        case 'v':
            printf("dctl version %s, build %s\n", PACKAGE_VERSION, DCTL_GIT_COMMIT);
            return CMD_EXIT_OK;
        case ':':
            fprintf(stderr, "flag needs an argument: %s\nSee 'dctl --help'.\n",
                    argv[optind - 1]);
            return CMD_EXIT_USAGE;
        default:
            fprintf(stderr, "unknown flag: %s\nSee 'dctl --help'.\n", argv[optind - 1]);
            return CMD_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        dctl_usage(stdout);
        return CMD_EXIT_OK;
    }
    if (strcmp(argv[optind], "help") == 0)
        return dctl_help(argc - optind, argv + optind);
    cmd = cmd_find(argv[optind]);
    if (cmd == NULL)
        return dctl_unknown_command(argv[optind]);

    if (cl.debug)
        log_set_level(DCTL_LOG_DEBUG);
    cl.host = client_host_pick(host, getenv("DCTL_HOST"), getenv("DOCKER_HOST"));
    argc -= optind;
    argv += optind;
    optind = 0; /* glibc: start over, forgetting the global options' scan */
    rc = cmd->exec(&cl, argc, argv);
    client_fini(&cl);
    return rc;
}
