# m4/dctl.m4 - local macros for dctl's configure.ac

# DCTL_REQUIRE_PKG(VAR, MODULES, DEBIAN-PKG)
# PKG_CHECK_MODULES, or stop configure naming the Debian package to install.
AC_DEFUN([DCTL_REQUIRE_PKG], [
    PKG_CHECK_MODULES([$1], [$2], [],
        [AC_MSG_ERROR([$2 not found: install the Debian package $3 (apt-get install $3)])])
])

# DCTL_DRIVER(NAME, HELP, DEFAULT)
# --enable-NAME / --disable-NAME for an optional driver; defines an automake
# conditional ENABLE_<NAME> (upper case).
AC_DEFUN([DCTL_DRIVER], [
    AC_ARG_ENABLE([$1], [AS_HELP_STRING([--enable-$1], [$2 (default: $3)])],
        [enable_$1=$enableval], [enable_$1=$3])
    AM_CONDITIONAL(m4_toupper([ENABLE_$1]), [test "x$enable_$1" = xyes])
])
