/* daemon/shim/shim-net.c - the one piece of networking the shim does: bringing
 * `lo` up in a new network namespace, with an RTM_NEWLINK netlink request (no
 * `ip` command). Other interfaces are the network drivers' business. */
#include <config.h>

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "shim.h"

int
shim_net_lo_up(void)
{
    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
    } req;
    struct {
        struct nlmsghdr nh;
        struct nlmsgerr err;
    } ack;
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    unsigned int index = if_nametoindex("lo");
    int fd, e;
    ssize_t n;

    if (index == 0)
        return -1;
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -1;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_NEWLINK;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.nh.nlmsg_seq = 1;
    req.ifi.ifi_family = AF_UNSPEC;
    req.ifi.ifi_index = (int)index;
    req.ifi.ifi_flags = IFF_UP;
    req.ifi.ifi_change = IFF_UP;
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
        e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    n = recv(fd, &ack, sizeof ack, 0);
    e = errno;
    close(fd);
    if (n < (ssize_t)sizeof ack.nh || ack.nh.nlmsg_type != NLMSG_ERROR) {
        errno = n < 0 ? e : EPROTO;
        return -1;
    }
    if (ack.err.error != 0) {
        errno = -ack.err.error;
        return -1;
    }
    return 0;
}
