/*
 * Readiness: one edge-triggered epoll instance per environment, itself watched by one
 * uv_poll handle on the environment's loop.
 *
 * Each descriptor is registered once (EPOLLET) and stays registered until it is closed:
 * nothing is re-armed per wait; only interest in writability is added and dropped. The kernel queues an edge for every arrival (a
 * message, a connection, urgent data, a hangup, room to write), so JavaScript is told of
 * each one — the SIGIO/SIGPOLL model — and a descriptor that something else in the
 * process already watches (Node's own stdin handle) can be watched here too: the two
 * epoll instances do not collide.
 *
 * When the instance has events, the uv_poll callback reads up to one array's worth with
 * epoll_wait(timeout 0) into the shared events array (id, bits pairs) and calls the JS
 * dispatch once with the count; libuv calls again while more are queued.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "xsock.h"

/* The bits JavaScript sees (binding.ts POLL_*). */
#define XS_IN 1
#define XS_OUT 2
#define XS_RDHUP 4
#define XS_PRI 8
#define XS_ERR 16
#define XS_HUP 32

struct xs_poller {
  uv_poll_t poll;
  int epfd;
  xs_state *st;
  bool refd; /* whether the handle keeps the loop alive */
};

/* uv_ref/uv_unref of the poller when that changes. */
static void set_ref(xs_poller *p, bool on) {
  if (p->refd == on) return;
  p->refd = on;
  if (on) uv_ref((uv_handle_t *)&p->poll);
  else uv_unref((uv_handle_t *)&p->poll);
}

static int32_t js_bits(uint32_t e) {
  return ((e & EPOLLIN) ? XS_IN : 0) | ((e & EPOLLOUT) ? XS_OUT : 0) |
         ((e & EPOLLRDHUP) ? XS_RDHUP : 0) | ((e & EPOLLPRI) ? XS_PRI : 0) |
         ((e & EPOLLERR) ? XS_ERR : 0) | ((e & EPOLLHUP) ? XS_HUP : 0);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  xs_poller *p = h->data;
  xs_state *st = p->st;
  napi_env env = st->env;
  if (st->dispatch == NULL || st->events == NULL || st->events_cap == 0) return;
  struct epoll_event evs[256];
  int max = st->events_cap < 256 ? (int)st->events_cap : 256;
  int n = XS_RETRY(epoll_wait(p->epfd, evs, max, 0));
  if (n <= 0) return;
  for (int i = 0; i < n; i++) {
    st->events[2 * i] = (int32_t)evs[i].data.u32;
    st->events[2 * i + 1] = js_bits(evs[i].events);
  }
  /* make_callback (not call_function) so async hooks see a proper callback scope and the
   * microtask and nextTick queues are drained after every batch, as for Node's own I/O. */
  /* A waiter that is woken and waits again within the callback (a ping-pong) flips
   * JavaScript's wish for a ref twice per round trip; it writes the wish to scratch rather
   * than call watchRef, and the net change is applied here, once. */
  int32_t *s = st->scratch;
  s[XS_IN_DISPATCH] = 1;
  xs_make_callback(env, st->async_ctx, st->dispatch, 1, n);
  s[XS_IN_DISPATCH] = 0;
  if (st->poller == p) set_ref(p, s[XS_WANT_REF] != 0);
}

/* The environment's epoll instance and its uv_poll handle, made by init() (unref'd: only
 * waiters keep the loop alive, through watchRef). */
xs_poller *xs_poller_of(napi_env env, xs_state *st, int *err) {
  if (st->poller) return st->poller;
  uv_loop_t *loop;
  xs_poller *p = xs_loop_calloc(env, sizeof *p, &loop, err);
  if (p == NULL) return NULL;
  p->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (p->epfd < 0) {
    *err = -errno;
    free(p);
    return NULL;
  }
  p->st = st;
  int r = uv_poll_init(loop, &p->poll, p->epfd);
  if (r == 0) r = uv_poll_start(&p->poll, UV_READABLE, on_poll);
  if (r != 0) {
    close(p->epfd);
    free(p);
    *err = r;
    return NULL;
  }
  p->poll.data = p;
  uv_unref((uv_handle_t *)&p->poll);
  p->refd = false;
  st->poller = p;
  return p;
}

/* What a registration asks the kernel for. EPOLLOUT only while someone wants writability:
 * a unix or UDP socket reports a writable edge each time a peer consumes a message, and a
 * wake-up nobody waits for costs as much as one somebody does. */
static uint32_t interest(int32_t out) {
  return EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLET | (out ? EPOLLOUT : 0);
}

/* epoll_ctl(op) of fd with the interest for `out`, reporting `id`. */
static napi_value ctl(napi_env env, napi_callback_info info, int op) {
  napi_value a[3];
  int32_t fd, id, out;
  if (!xs_args(env, info, 3, a) || !xs_int(env, a[0], "fd", &fd) || !xs_int(env, a[1], "id", &id) ||
      !xs_int(env, a[2], "out", &out))
    return NULL;
  xs_state *st = xs_state_of(env);
  if (st->dispatch == NULL) {
    /* Without a dispatch function every event would be silently lost. */
    napi_throw_error(env, "ERR_XSOCK_INVALID_ARG_VALUE", "xsock: init() must be called before watch()");
    return NULL;
  }
  int err = 0;
  xs_poller *p = xs_poller_of(env, st, &err);
  if (p == NULL) return xs_num(env, err);
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = interest(out);
  ev.data.u32 = (uint32_t)id;
  int r = epoll_ctl(p->epfd, op, fd, &ev);
  return xs_num(env, XS_RESULT(r));
}

/* watch(fd, id, out): epoll_ctl(EPOLL_CTL_ADD), edge-triggered, reporting `id`. */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  return ctl(env, info, EPOLL_CTL_ADD);
}

/* rewatch(fd, id, out): epoll_ctl(EPOLL_CTL_MOD), to add or drop EPOLLOUT. Readiness that
 * holds at that moment is reported as a fresh edge, so nothing is missed by adding late. */
static napi_value js_rewatch(napi_env env, napi_callback_info info) {
  return ctl(env, info, EPOLL_CTL_MOD);
}

/* unwatch(fd): epoll_ctl(EPOLL_CTL_DEL). Must precede close(fd): a duplicate of the file
 * elsewhere would otherwise keep the registration (and its events) alive. */
static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t fd;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "fd", &fd)) return NULL;
  xs_state *st = xs_state_of(env);
  if (st->poller == NULL) return xs_num(env, -ENOENT);
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  int r = epoll_ctl(st->poller->epfd, EPOLL_CTL_DEL, fd, &ev);
  return xs_num(env, XS_RESULT(r));
}

/* watchRef(on): whether anyone waits, so whether the poller keeps the loop alive. No syscall. */
static napi_value js_watch_ref(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int32_t on;
  if (!xs_args(env, info, 1, a) || !xs_int(env, a[0], "on", &on)) return NULL;
  xs_state *st = xs_state_of(env);
  if (st->poller) set_ref(st->poller, on != 0);
  return xs_undefined(env);
}

void xs_state_release(xs_state *st) {
  /* A pending close callback still needs the state; the last one frees it. */
  if (st->closing > 0) st->finalized = true;
  else free(st);
}

static void on_close(uv_handle_t *h) {
  xs_poller *p = h->data;
  xs_state *st = p->st;
  close(p->epfd);
  free(p);
  if (--st->closing > 0) return;
  napi_async_cleanup_hook_handle hook = st->teardown;
  st->teardown = NULL;
  if (st->finalized) free(st);
  if (hook) napi_remove_async_cleanup_hook(hook);
}

/* Environment teardown (main thread exit, worker exit or terminate()): stop polling,
 * then close the descriptors still owned, with the hook held until libuv let go. */
void xs_watchers_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  xs_state *st = arg;
  if (st->async_ctx) {
    napi_async_destroy(st->env, st->async_ctx);
    st->async_ctx = NULL;
  }
  xs_poller *p = st->poller;
  st->poller = NULL;
  if (p) {
    st->closing++;
    uv_close((uv_handle_t *)&p->poll, on_close);
  }
  xs_owned_close_all(st);
  if (st->closing == 0) napi_remove_async_cleanup_hook(handle);
  else st->teardown = handle; /* on_close removes it */
}

napi_status xs_register_watcher(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("watch", js_watch),
    XS_FN("rewatch", js_rewatch),
    XS_FN("unwatch", js_unwatch),
    XS_FN("watchRef", js_watch_ref),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
