/*
 * Link trigger: priority-0 adverts sent the moment a tracked interface goes
 * down, from a thread of this addon, before JS has seen the event.
 *
 * A master whose weight-0 tracked interface loses carrier (or is set down,
 * or deleted) goes to FAULT and sends a priority-0 advert (keepalived does
 * the same), so a backup takes over after Skew_Time. In JS that advert
 * leaves only once the loop has woken up and run the link event through
 * the monitor, the interface watch, the tracker and the router, behind
 * whatever else the loop is doing (often other link messages of the same
 * change). So the router arms its priority-0 adverts (farewell.c) with the
 * names of the interfaces whose loss alone means FAULT, and a thread here
 * listens to the kernel's link group (RTNLGRP_LINK, a NETLINK_ROUTE socket
 * of its own): an RTM_NEWLINK without IFF_UP and IFF_RUNNING, or an
 * RTM_DELLINK, for such a name sends those slots at once
 * (farewell_link_down). JS goes to FAULT on its own copy of the event and,
 * seeing the slot sent, does not send it again (a second advert would
 * restart the backups' Skew_Time). "Down" is decided on the same flags as
 * in the JS monitor (agent/os/rtnetlink-decode.ts).
 *
 * This socket only speeds that one advert up: lost events (ENOBUFS) are
 * ignored here, the JS monitor resyncs. Nothing reaches JS from this file.
 * The thread blocks every signal (they stay with Node's threads) and waits
 * in poll() on the socket and an eventfd that close() writes to stop it.
 */
#define _GNU_SOURCE
#include "link_trigger.h"
#include "farewell.h"
#include "net_socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define RECV_BYTES 16384
#define MAX_READS 64

typedef struct {
  int fd;
  int stop; /* eventfd: close() wakes the thread */
  bool running;
  pthread_t thread;
} trigger_t;

static void shutdown_trigger(trigger_t *t) {
  if (t->running) {
    uint64_t one = 1;
    ssize_t n;
    do n = write(t->stop, &one, sizeof one); while (n < 0 && errno == EINTR);
    pthread_join(t->thread, NULL);
    t->running = false;
  }
  if (t->fd >= 0) close(t->fd);
  if (t->stop >= 0) close(t->stop);
  t->fd = t->stop = -1;
}

/* One RTM_NEWLINK / RTM_DELLINK: if it says the named interface is down, send what waits for that. */
static void link_message(const struct nlmsghdr *h) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) return;
  const struct ifinfomsg *ifi = NLMSG_DATA(h);
  bool down = h->nlmsg_type == RTM_DELLINK || !(ifi->ifi_flags & IFF_UP) || !(ifi->ifi_flags & IFF_RUNNING);
  if (!down) return;
  int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifi);
  for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
    if ((a->rta_type & NLA_TYPE_MASK) != IFLA_IFNAME) continue;
    char name[IF_NAMESIZE] = { 0 };
    size_t len = RTA_PAYLOAD(a);
    memcpy(name, RTA_DATA(a), len < sizeof name - 1 ? len : sizeof name - 1);
    farewell_link_down(name);
    return;
  }
}

static void *listen_links(void *arg) {
  trigger_t *t = arg;
  unsigned char buf[RECV_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
  struct pollfd fds[2] = { { .fd = t->fd, .events = POLLIN }, { .fd = t->stop, .events = POLLIN } };
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    if (fds[1].revents) return NULL;
    if (!fds[0].revents) continue;
    for (int reads = 0; reads < MAX_READS; reads++) {
      ssize_t n = recv(t->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == ENOBUFS)) continue; /* ENOBUFS: events lost, the JS monitor resyncs */
      if (n <= 0) break;
      int len = (int)n;
      for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
        if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK) link_message(h);
    }
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  shutdown_trigger(data);
  free(data);
}

/* close(): undefined */
static napi_value close_trigger(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  trigger_t *t = get_this(env, info, &argc, NULL);
  if (t) shutdown_trigger(t);
  return undefined_value(env);
}

static napi_value fail(napi_env env, trigger_t *t, const char *what, int err) {
  if (t) shutdown_trigger(t);
  return throw_errno(env, what, err);
}

/* openLinkTrigger() -> { close() } */
static napi_value open_trigger(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj;
  trigger_t *t = calloc(1, sizeof *t);
  if (!t) return fail(env, NULL, "calloc", ENOMEM);
  t->fd = t->stop = -1;
  if (napi_create_object(env, &obj) != napi_ok || napi_wrap(env, obj, t, finalize, NULL, NULL) != napi_ok) {
    free(t);
    return fail(env, NULL, "napi_wrap", ENOMEM);
  }
  /* From here the finalizer owns t. */
  if ((t->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0) return fail(env, t, "socket", errno);
  struct sockaddr_nl local = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
  if (bind(t->fd, (struct sockaddr *)&local, sizeof local) < 0) return fail(env, t, "bind", errno);
  if ((t->stop = eventfd(0, EFD_CLOEXEC)) < 0) return fail(env, t, "eventfd", errno);
  if (!make_method(env, obj, "close", close_trigger)) return fail(env, t, "napi_set_named_property", ENOMEM);
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before); /* the thread starts with every signal blocked */
  int rc = pthread_create(&t->thread, NULL, listen_links, t);
  pthread_sigmask(SIG_SETMASK, &before, NULL);
  if (rc != 0) return fail(env, t, "pthread_create", rc);
  t->running = true;
  return obj;
}

napi_value link_trigger_init(napi_env env, napi_value exports) {
  return make_method(env, exports, "openLinkTrigger", open_trigger) ? exports : NULL;
}
