/*
 * Readiness watchers: one uv_poll_t per descriptor on the environment's own loop.
 *
 * Lifetime is the delicate part. A watcher's memory is referenced by two owners that go
 * away independently: libuv (until the uv_close callback has run) and JavaScript (until
 * the External wrapping it is finalized). It is freed only when both are done, so neither
 * an early unwatch() nor a late GC can leave libuv or the finalizer holding a dangling
 * pointer. Every watcher still open when the environment is torn down (worker exit) is
 * closed by the async cleanup hook, which holds teardown until the close callbacks ran.
 */
#include <stdlib.h>
#include <string.h>

#include "xsock.h"

struct xs_watcher {
  uv_poll_t poll;
  int32_t id;           /* passed back to dispatch so JS can find its socket */
  napi_env env;
  xs_state *st;
  xs_watcher *prev, *next; /* in st->live while not closed */
  bool closed;          /* uv_close issued */
  bool uv_done;         /* close callback ran: libuv no longer references us */
  bool ext_gone;        /* External finalized: JS no longer references us */
  int init_err;         /* uv_poll_init failure, reported by every watchSet */
};

/* Marks our Externals so a foreign External (or any other object) is rejected cleanly. */
static const napi_type_tag watcher_tag = { 0x78736f636b2d7761ULL, 0x746368657220763cULL };

static void unlink_live(xs_watcher *w) {
  if (w->prev) w->prev->next = w->next;
  else w->st->live = w->next;
  if (w->next) w->next->prev = w->prev;
  w->prev = w->next = NULL;
}

void xs_state_release(xs_state *st) {
  /* Pending close callbacks still decrement st->closing; the last one frees it. */
  if (st->closing > 0) st->finalized = true;
  else free(st);
}

static void on_close(uv_handle_t *h) {
  xs_watcher *w = h->data;
  xs_state *st = w->st;
  w->uv_done = true;
  if (w->ext_gone) free(w);
  if (--st->closing > 0) return;
  /* Read everything we need before releasing the hook: its removal may let Node proceed
   * with the environment's destruction. */
  napi_async_cleanup_hook_handle hook = st->teardown;
  st->teardown = NULL;
  if (st->finalized) free(st);
  if (hook) napi_remove_async_cleanup_hook(hook);
}

static void close_watcher(xs_watcher *w) {
  unlink_live(w);
  w->closed = true;
  w->st->closing++;
  uv_close((uv_handle_t *)&w->poll, on_close); /* also stops polling */
}

static void on_poll(uv_poll_t *h, int status, int events) {
  xs_watcher *w = h->data;
  napi_env env = w->env;
  xs_state *st = w->st;
  /* Copy out before calling JS: the callback may unwatch, and GC may then finalize. */
  int32_t id = w->id;
  if (st->dispatch == NULL) return;

  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[3], result;
  if (napi_get_reference_value(env, st->dispatch, &fn) == napi_ok && fn != NULL &&
      napi_get_global(env, &recv) == napi_ok &&
      napi_create_int32(env, id, &argv[0]) == napi_ok &&
      napi_create_int32(env, status, &argv[1]) == napi_ok &&
      napi_create_int32(env, events, &argv[2]) == napi_ok) {
    /* make_callback (not call_function) so async hooks see a proper callback scope and the
     * microtask and nextTick queues are drained after every event, as for Node's own I/O. */
    if (napi_make_callback(env, st->async_ctx, recv, fn, 3, argv, &result) != napi_ok) {
      bool pending = false;
      napi_value err;
      /* A throwing dispatch must not take the loop down from C; hand it to Node's
       * uncaught-exception machinery exactly like an exception from core I/O. */
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
          napi_get_and_clear_last_exception(env, &err) == napi_ok)
        napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void finalize_external(napi_env env, void *data, void *hint) {
  xs_watcher *w = data;
  w->ext_gone = true;
  if (!w->closed) close_watcher(w); /* on_close frees */
  else if (w->uv_done) free(w);
  /* else: the pending close callback frees */
}

static xs_watcher *watcher_arg(napi_env env, napi_value v) {
  bool ok = false;
  void *p = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external ||
      napi_check_object_type_tag(env, v, &watcher_tag, &ok) != napi_ok || !ok ||
      napi_get_value_external(env, v, &p) != napi_ok) {
    napi_throw_type_error(env, "ERR_XSOCK_INVALID_ARG_TYPE",
                          "The \"handle\" argument must be a watcher handle from watch()");
    return NULL;
  }
  return p;
}

/* uv_poll_init (not _socket: on Unix it is the same and takes any pollable fd). A failure
 * is not thrown but reported by watchSet on the returned handle. */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  napi_value a[2], ext;
  int32_t fd, id;
  if (!xs_args(env, info, 2, a) || !xs_int(env, a[0], "fd", &fd) || !xs_int(env, a[1], "id", &id))
    return NULL;
  xs_state *st = xs_state_of(env);
  if (st->dispatch == NULL) {
    /* Without a dispatch function every event would be silently lost. */
    napi_throw_error(env, "ERR_XSOCK_INVALID_ARG_VALUE", "xsock: init() must be called before watch()");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;

  xs_watcher *w = calloc(1, sizeof *w);
  if (w == NULL) {
    napi_throw_error(env, NULL, "xsock: out of memory");
    return NULL;
  }
  w->id = id;
  w->env = env;
  w->st = st;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r != 0) {
    /* EBADF, or EPERM for a file epoll refuses. Keep the contract's "errors are return
     * values": hand back an inert handle whose watchSet reports the error. libuv never
     * registered the handle, so it is as good as closed. */
    w->init_err = r;
    w->closed = w->uv_done = true;
  } else {
    w->poll.data = w;
    w->next = st->live;
    if (st->live) st->live->prev = w;
    st->live = w;
  }

  if (napi_create_external(env, w, finalize_external, NULL, &ext) != napi_ok) {
    if (w->closed) free(w);
    else {
      w->ext_gone = true; /* no External exists, so on_close frees */
      close_watcher(w);
    }
    return NULL;
  }
  napi_type_tag_object(env, ext, &watcher_tag);
  return ext;
}

/* uv_poll_start / uv_poll_stop */
static napi_value js_watch_set(napi_env env, napi_callback_info info) {
  napi_value a[2];
  int32_t events;
  if (!xs_args(env, info, 2, a)) return NULL;
  xs_watcher *w = watcher_arg(env, a[0]);
  if (w == NULL || !xs_int(env, a[1], "events", &events)) return NULL;
  /* libuv asserts (aborts the process) on unknown bits or a closing handle; refuse first. */
  if (events & ~(UV_READABLE | UV_WRITABLE | UV_DISCONNECT | UV_PRIORITIZED))
    return xs_num(env, -EINVAL);
  if (w->init_err) return xs_num(env, w->init_err);
  if (w->closed) return xs_num(env, -EBADF);
  int r = events == 0 ? uv_poll_stop(&w->poll) : uv_poll_start(&w->poll, events, on_poll);
  return xs_num(env, r);
}

/* uv_poll_stop + uv_close; idempotent. */
static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!xs_args(env, info, 1, a)) return NULL;
  xs_watcher *w = watcher_arg(env, a[0]);
  if (w == NULL) return NULL;
  if (!w->closed) {
    uv_poll_stop(&w->poll);
    close_watcher(w);
  }
  return xs_undefined(env);
}

void xs_watchers_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  xs_state *st = arg;
  /* No more callbacks can be made, so the shared async context can go now, while the
   * environment is still fully alive. */
  if (st->async_ctx) {
    napi_async_destroy(st->env, st->async_ctx);
    st->async_ctx = NULL;
  }
  while (st->live) close_watcher(st->live);
  /* uv_close has taken every fd out of epoll, so the owned fds can go now. */
  xs_owned_close_all(st);
  if (st->closing == 0) napi_remove_async_cleanup_hook(handle);
  else st->teardown = handle; /* on_close of the last watcher removes it */
}

napi_status xs_register_watcher(napi_env env, napi_value exports) {
  static const napi_property_descriptor d[] = {
    XS_FN("watch", js_watch),
    XS_FN("watchSet", js_watch_set),
    XS_FN("unwatch", js_unwatch),
  };
  return napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
}
