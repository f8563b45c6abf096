/* lib/units.h - Docker's unit parsers (go-units), for the daemon's checks and the
 * client's flags alike. Pure; any thread. */
#ifndef DCTL_UNITS_H
#define DCTL_UNITS_H

#include <stdint.h>

/* RAMInBytes: "64m", "1.5g", "100kb", "10" (bytes), "1GiB"; units binary, case-blind.
 * 0, or -1 for anything else (Docker's message: "invalid size: 'S'"). */
int units_ram_in_bytes(const char *s, int64_t *out);

/* opts.NanoCPUs: a rational as big.Rat's SetString reads it (a decimal "0.5", "2",
 * "1.25", with an exponent "5e-1", or a fraction "1/2") as billionths; -1 when it is not
 * one ("failed to parse S as a rational number") or is finer than 1e-9 ("value is too
 * precise"): *why says which. */
int units_nano_cpus(const char *s, int64_t *out, const char **why);

#endif
