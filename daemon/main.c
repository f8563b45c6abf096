/* daemon/main.c - dctld's entry point: parse flags and the configuration file,
 * then hand over to the daemon object. */
#include <config.h>

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/config.h"
#include "daemon/dctld.h"
#include "lib/log.h"

int
main(int argc, char **argv)
{
    struct daemon_config config;
    struct dctld *d;
    dctl_error_t err = NULL;
    int rc;

    daemon_config_init(&config);
    rc = daemon_config_parse_args(&config, argc, argv, &err);
    if (rc == 1) {
        daemon_config_fini(&config);
        return 0;
    }
    if (rc < 0 || daemon_config_load(&config, &err) < 0) {
        char *text = dctl_error_text(err);

        fprintf(stderr, "dctld: %s\n", text);
        free(text);
        dctl_error_free(err);
        daemon_config_fini(&config);
        return 1;
    }
    log_set_level(daemon_config_log_level(&config));
    signal(SIGPIPE, SIG_IGN);
    /* keep freed heap while busy (the API server trims it once requests stop) and serve
     * large replies from the heap: glibc's default returns memory and maps big buffers
     * per request, each a brk or munmap with TLB shoot-downs across the worker threads */
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    d = dctld_new(&config, &err);
    if (d == NULL) {
        char *text = dctl_error_text(err);

        log_write(DCTL_LOG_FATAL, "dctld: %s", text);
        free(text);
        dctl_error_free(err);
        return 1;
    }
    rc = dctld_run(d);
    dctld_free(d);
    return rc;
}
