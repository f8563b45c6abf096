/* lib/archivelib.h - libarchive, loaded on first use instead of linked.
 *
 * The storage drivers, which dctld loads at start, contain lib/tar.c, and
 * Debian's libarchive drags in libxml2, ICU, libstdc++ and five compression
 * libraries (about 3 MiB of resident pages in an idle dctld that may never
 * touch a layer). So libarchive is dlopen()ed by archivelib_load(), which every
 * public entry point of a module using it calls first. After this header the
 * libarchive names call through the loaded table; they are the headers' own
 * names, so the prototypes are libarchive's. */
#ifndef DCTL_ARCHIVELIB_H
#define DCTL_ARCHIVELIB_H

#include <archive.h>
#include <archive_entry.h>

#include "error.h"

#define ARCHIVELIB_SONAME "libarchive.so.13"   /* the soname of every libarchive 3.x */

/* Every libarchive function dctl calls; add one here before using it. */
#define ARCHIVELIB_SYMBOLS(X) \
    X(archive_entry_atime) \
    X(archive_entry_atime_is_set) \
    X(archive_entry_atime_nsec) \
    X(archive_entry_copy_stat) \
    X(archive_entry_filetype) \
    X(archive_entry_free) \
    X(archive_entry_gid) \
    X(archive_entry_hardlink) \
    X(archive_entry_mode) \
    X(archive_entry_mtime) \
    X(archive_entry_mtime_nsec) \
    X(archive_entry_new) \
    X(archive_entry_pathname) \
    X(archive_entry_rdev) \
    X(archive_entry_set_dev) \
    X(archive_entry_set_filetype) \
    X(archive_entry_set_gid) \
    X(archive_entry_set_hardlink) \
    X(archive_entry_set_ino) \
    X(archive_entry_set_mtime) \
    X(archive_entry_set_nlink) \
    X(archive_entry_set_pathname) \
    X(archive_entry_set_perm) \
    X(archive_entry_set_size) \
    X(archive_entry_set_symlink) \
    X(archive_entry_set_uid) \
    X(archive_entry_size) \
    X(archive_entry_size_is_set) \
    X(archive_entry_symlink) \
    X(archive_entry_uid) \
    X(archive_entry_unset_atime) \
    X(archive_entry_unset_birthtime) \
    X(archive_entry_unset_ctime) \
    X(archive_entry_xattr_add_entry) \
    X(archive_entry_xattr_next) \
    X(archive_entry_xattr_reset) \
    X(archive_errno) \
    X(archive_error_string) \
    X(archive_filter_code) \
    X(archive_filter_count) \
    X(archive_filter_name) \
    X(archive_read_data) \
    X(archive_read_data_block) \
    X(archive_read_free) \
    X(archive_read_new) \
    X(archive_read_next_header) \
    X(archive_read_open_fd) \
    X(archive_read_support_filter_all) \
    X(archive_read_support_format_empty) \
    X(archive_read_support_format_raw) \
    X(archive_read_support_format_tar) \
    X(archive_set_error) \
    X(archive_write_add_filter_none) \
    X(archive_write_close) \
    X(archive_write_data) \
    X(archive_write_free) \
    X(archive_write_header) \
    X(archive_write_new) \
    X(archive_write_open2) \
    X(archive_write_open_fd) \
    X(archive_write_set_bytes_in_last_block) \
    X(archive_write_set_format_pax_restricted)

struct archivelib {
#define X(name) __typeof__(name) *name;
    ARCHIVELIB_SYMBOLS(X)
#undef X
};
extern struct archivelib archivelib;

/* Loads libarchive once (thread-safe); 0, or -1 with err set. */
int archivelib_load(dctl_error_t *err);

#ifndef ARCHIVELIB_NO_MACROS
#define archive_entry_atime (*archivelib.archive_entry_atime)
#define archive_entry_atime_is_set (*archivelib.archive_entry_atime_is_set)
#define archive_entry_atime_nsec (*archivelib.archive_entry_atime_nsec)
#define archive_entry_copy_stat (*archivelib.archive_entry_copy_stat)
#define archive_entry_filetype (*archivelib.archive_entry_filetype)
#define archive_entry_free (*archivelib.archive_entry_free)
#define archive_entry_gid (*archivelib.archive_entry_gid)
#define archive_entry_hardlink (*archivelib.archive_entry_hardlink)
#define archive_entry_mode (*archivelib.archive_entry_mode)
#define archive_entry_mtime (*archivelib.archive_entry_mtime)
#define archive_entry_mtime_nsec (*archivelib.archive_entry_mtime_nsec)
#define archive_entry_new (*archivelib.archive_entry_new)
#define archive_entry_pathname (*archivelib.archive_entry_pathname)
#define archive_entry_rdev (*archivelib.archive_entry_rdev)
#define archive_entry_set_dev (*archivelib.archive_entry_set_dev)
#define archive_entry_set_filetype (*archivelib.archive_entry_set_filetype)
#define archive_entry_set_gid (*archivelib.archive_entry_set_gid)
#define archive_entry_set_hardlink (*archivelib.archive_entry_set_hardlink)
#define archive_entry_set_ino (*archivelib.archive_entry_set_ino)
#define archive_entry_set_mtime (*archivelib.archive_entry_set_mtime)
#define archive_entry_set_nlink (*archivelib.archive_entry_set_nlink)
#define archive_entry_set_pathname (*archivelib.archive_entry_set_pathname)
#define archive_entry_set_perm (*archivelib.archive_entry_set_perm)
#define archive_entry_set_size (*archivelib.archive_entry_set_size)
#define archive_entry_set_symlink (*archivelib.archive_entry_set_symlink)
#define archive_entry_set_uid (*archivelib.archive_entry_set_uid)
#define archive_entry_size (*archivelib.archive_entry_size)
#define archive_entry_size_is_set (*archivelib.archive_entry_size_is_set)
#define archive_entry_symlink (*archivelib.archive_entry_symlink)
#define archive_entry_uid (*archivelib.archive_entry_uid)
#define archive_entry_unset_atime (*archivelib.archive_entry_unset_atime)
#define archive_entry_unset_birthtime (*archivelib.archive_entry_unset_birthtime)
#define archive_entry_unset_ctime (*archivelib.archive_entry_unset_ctime)
#define archive_entry_xattr_add_entry (*archivelib.archive_entry_xattr_add_entry)
#define archive_entry_xattr_next (*archivelib.archive_entry_xattr_next)
#define archive_entry_xattr_reset (*archivelib.archive_entry_xattr_reset)
#define archive_errno (*archivelib.archive_errno)
#define archive_error_string (*archivelib.archive_error_string)
#define archive_filter_code (*archivelib.archive_filter_code)
#define archive_filter_count (*archivelib.archive_filter_count)
#define archive_filter_name (*archivelib.archive_filter_name)
#define archive_read_data (*archivelib.archive_read_data)
#define archive_read_data_block (*archivelib.archive_read_data_block)
#define archive_read_free (*archivelib.archive_read_free)
#define archive_read_new (*archivelib.archive_read_new)
#define archive_read_next_header (*archivelib.archive_read_next_header)
#define archive_read_open_fd (*archivelib.archive_read_open_fd)
#define archive_read_support_filter_all (*archivelib.archive_read_support_filter_all)
#define archive_read_support_format_empty (*archivelib.archive_read_support_format_empty)
#define archive_read_support_format_raw (*archivelib.archive_read_support_format_raw)
#define archive_read_support_format_tar (*archivelib.archive_read_support_format_tar)
#define archive_set_error (*archivelib.archive_set_error)
#define archive_write_add_filter_none (*archivelib.archive_write_add_filter_none)
#define archive_write_close (*archivelib.archive_write_close)
#define archive_write_data (*archivelib.archive_write_data)
#define archive_write_free (*archivelib.archive_write_free)
#define archive_write_header (*archivelib.archive_write_header)
#define archive_write_new (*archivelib.archive_write_new)
#define archive_write_open2 (*archivelib.archive_write_open2)
#define archive_write_open_fd (*archivelib.archive_write_open_fd)
#define archive_write_set_bytes_in_last_block (*archivelib.archive_write_set_bytes_in_last_block)
#define archive_write_set_format_pax_restricted (*archivelib.archive_write_set_format_pax_restricted)
#endif

#endif /* DCTL_ARCHIVELIB_H */
