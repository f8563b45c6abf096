/* tests/unit/fake-driver.c - a driver for test-driver, built several ways:
 * FAKE_ABI_MAJOR (another ABI), FAKE_KIND (a bad kind), FAKE_NO_SYMBOL (no
 * `dctl_driver` symbol), FAKE_INIT_FAILS (init reports an error), FAKE_NAME.
 * The good one logs through the host, writes a file in its state directory,
 * and counts inits and finis in a file there too. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <dctl/driver.h>

#ifndef FAKE_ABI_MAJOR
#define FAKE_ABI_MAJOR DCTL_DRIVER_ABI_MAJOR
#endif
#ifndef FAKE_KIND
#define FAKE_KIND DCTL_DRIVER_NETWORK
#endif
#ifndef FAKE_NAME
#define FAKE_NAME "fake"
#endif

struct fake {
    const struct dctl_host *host;
    char *state_file;
    struct dctl_option lines[2];
};

static void
fake_log(const struct dctl_host *host, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host->log(host->host_priv, DCTL_LOG_INFO, fmt, ap);
    va_end(ap);
}

static int
fake_error(const struct dctl_host *host, dctl_error_t *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    host->error_set(err, DCTL_ERR_UNAVAILABLE, 0, fmt, ap);
    va_end(ap);
    return -1;
}

static int
fake_init(const struct dctl_host *host, const struct dctl_option *options, void **priv,
          dctl_error_t *err)
{
    struct fake *f;
    FILE *fp;

#ifdef FAKE_INIT_FAILS
    (void)priv;
    (void)options;
    (void)fp;
    (void)f;
    return fake_error(host, err, "%s cannot work here: no widget", FAKE_NAME);
#else
    f = calloc(1, sizeof *f);
    if (f == NULL || asprintf(&f->state_file, "%s/state", host->state_dir) < 0)
        abort();
    fp = fopen(f->state_file, "w");
    if (fp == NULL) {
        free(f->state_file);
        free(f);
        return fake_error(host, err, "open %s: %d", host->state_dir, errno);
    }
    fprintf(fp, "options:");
    for (; options && options->key; options++)
        fprintf(fp, " %s=%s", options->key, options->value);
    fprintf(fp, "\n");
    fclose(fp);
    f->host = host;
    f->lines[0] = (struct dctl_option){ "Widgets", "3" };
    f->lines[1] = (struct dctl_option){ NULL, NULL };
    fake_log(host, "hello from %s", host->run_dir);
    *priv = f;
    return 0;
#endif
}

static void
fake_fini(void *priv)
{
    struct fake *f = priv;

    if (f == NULL)
        return;
    fake_log(f->host, "bye");
    free(f->state_file);
    free(f);
}

static const struct dctl_option *
fake_status(void *priv)
{
    struct fake *f = priv;

    return f->lines;
}

static const struct dctl_network_ops fake_ops = {
    .size = sizeof fake_ops,
    .init = fake_init,
    .fini = fake_fini,
    .status = fake_status,
};

#ifdef FAKE_NO_SYMBOL
DCTL_EXPORT const struct dctl_driver not_the_driver = {
#else
DCTL_EXPORT const struct dctl_driver dctl_driver = {
#endif
    .abi_major = FAKE_ABI_MAJOR,
    .abi_minor = FAKE_ABI_MAJOR == DCTL_DRIVER_ABI_MAJOR ? DCTL_DRIVER_ABI_MINOR : 0,
    .kind = FAKE_KIND,
    .name = FAKE_NAME,
    .version = "0.0-test",
    .ops = &fake_ops,
};
