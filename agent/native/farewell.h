/*
 * Farewell adverts: priority-0 VRRP packets a master keeps ready so that a
 * stop signal sends them from the signal handler itself, before Node's loop
 * even wakes up (a backup takes over Skew_Time after it hears one, RFC 5798
 * section 6.4.3). See farewell.c.
 */
#ifndef FLOATIP_FAREWELL_H
#define FLOATIP_FAREWELL_H

#include <node_api.h>
#include <sys/socket.h>

#include <net/if.h>

/* At most this many link-down names per armed packet (more are dropped). */
#define TRIGGERS_MAX 8

/*
 * Copies msg (name, control, the iovecs' bytes) and the names of the
 * interfaces whose going down also sends it into a free slot for fd;
 * returns its id, or -1 if it does not fit.
 */
int farewell_arm(int fd, const struct msghdr *msg, const char (*triggers)[IF_NAMESIZE], int count);
/* Drops every slot that sends on fd, waiting out a send in progress; call before closing fd. */
void farewell_forget_fd(int fd);
/* Sends every armed slot that names ifname among its link-down triggers (any thread). */
void farewell_link_down(const char *ifname);
/* Adds farewellSent(id), disarmFarewell(id) and installFarewell(signal) to exports. */
napi_value farewell_init(napi_env env, napi_value exports);

#endif
