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

/* Copies msg (name, control, the iovecs' bytes) into a free slot for fd; returns its id, or -1 if it does not fit. */
int farewell_arm(int fd, const struct msghdr *msg);
/* Drops every slot that sends on fd, waiting out a send in progress; call before closing fd. */
void farewell_forget_fd(int fd);
/* Adds farewellSent(id), disarmFarewell(id) and installFarewell(signal) to exports. */
napi_value farewell_init(napi_env env, napi_value exports);

#endif
